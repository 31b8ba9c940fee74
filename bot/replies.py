"""What handlers answer with. Adapters render these; handlers never touch an SDK."""

from __future__ import annotations

from dataclasses import dataclass

MAX_ACTION_BYTES = 64  # Telegram's callback_data limit; Discord custom_id allows 100.


@dataclass(frozen=True, slots=True)
class Button:
    """A choice shown under a reply. ``action`` is ``command:arguments``, e.g.
    ``join:tuesday-recovery``: pressing it runs that command as the presser, so buttons
    keep working after a restart and carry no state of their own."""

    label: str
    action: str

    def __post_init__(self) -> None:
        if ":" not in self.action:
            raise ValueError(f"button action {self.action!r} must look like 'command:args'")
        if len(self.action.encode()) > MAX_ACTION_BYTES:
            raise ValueError(f"button action {self.action!r} is over {MAX_ACTION_BYTES} bytes")


@dataclass(frozen=True, slots=True)
class Reply:
    """Plain text (adapters escape it for their markup), optional buttons, and whether it
    carries personal data and so must only be shown to the person it is for."""

    text: str
    buttons: tuple[Button, ...] = ()
    private: bool = False
