"""What every platform adapter offers. An adapter *holds* a dispatcher; it is not one.

Adapters translate platform updates into ``bot.events`` values, hand them to the
dispatcher, and render the ``Reply`` values that come back. They import the core only,
never the domain (``groups/``).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

from bot.events import Actor
from bot.replies import Reply


@dataclass(frozen=True, slots=True)
class Capabilities:
    buttons: bool
    ephemeral: bool  # can show a reply to one person inside a shared chat
    max_text_length: int


class Adapter(Protocol):
    platform: str
    capabilities: Capabilities

    async def run(self) -> None:
        """Serve until stopped (or, for the console, until input ends)."""
        ...

    async def stop(self) -> None: ...

    async def send_private(self, recipient: Actor, reply: Reply) -> None:
        """Deliver a proactive message privately (see ``bot.messenger.Outbound``)."""
        ...
