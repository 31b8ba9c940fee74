"""Commands declared once (``CommandSpec``) and exposed on every platform.

A spec names its parameters, the minimum role and the handler; adapters turn specs into
Discord slash commands, Telegram /commands and console commands. A spec may also own a
form (``FormSpec``): the handler opens it, and its submission comes back to the spec.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Awaitable, Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field

from bot.args import Args, ParamSpec
from bot.context import Context
from bot.replies import Form, Reply
from bot.roles import Role

COMMAND_NAME = re.compile(r"^[a-z][a-z0-9_]{0,31}$")  # Telegram's rule; Discord allows it too
_COMMAND_TEXT = re.compile(
    r"^/(?P<name>[A-Za-z0-9_]+)(?:@(?P<bot>\S+))?(?:\s+(?P<args>.*))?$", re.DOTALL
)

HandlerResult = Reply | Sequence[Reply]
Handler = Callable[[Context, Args], Awaitable[HandlerResult]]
FormBuilder = Callable[[Context, str], Form]
FormHandler = Callable[[Context, str, Args], Awaitable[HandlerResult]]


@dataclass(frozen=True, slots=True)
class FormSpec:
    """A form a command opens. ``build(ctx, argument)`` makes the ``Form`` (for showing,
    and again on submission to check the answers against the same fields), ``handler``
    receives ``(ctx, argument, answers)``. ``argument`` is what follows the command name
    in the form id (``checkin:circle`` -> ``circle``)."""

    build: FormBuilder = field(compare=False)
    handler: FormHandler = field(compare=False)


@dataclass(frozen=True, slots=True)
class CommandSpec:
    """One command. ``urgent``: it answers from memory, touching storage at most for one
    short read it gives up on quickly (``/crisis`` looks up the member's country, and falls
    back to the bot's), and never writes; so it is never queued behind anything: adapters
    run it at once, even while the same person's earlier commands are still waiting.

    ``listed``: whether /help and the platforms' command menus show it. A command that
    only answers a button the bot showed (``forgetme`` confirming) is not listed; it
    still runs when typed, with the same role check."""

    name: str
    summary_key: str
    handler: Handler = field(compare=False)
    params: tuple[ParamSpec, ...] = ()
    min_role: Role = Role.MEMBER
    form: FormSpec | None = None
    urgent: bool = False
    listed: bool = True

    def __post_init__(self) -> None:
        if not COMMAND_NAME.match(self.name):
            raise ValueError(f"command name {self.name!r} must match {COMMAND_NAME.pattern}")
        if any(param.rest for param in self.params[:-1]):
            raise ValueError(f"/{self.name}: only the last parameter may take the rest")

    def usage(self) -> str:
        parts = [f"/{self.name}"]
        for param in self.params:
            parts.append(f"<{param.name}>" if param.required else f"[{param.name}]")
        return " ".join(parts)


@dataclass(frozen=True, slots=True)
class CommandText:
    """A command as typed: ``/Join@PeerCircleBot circle`` -> name "join", bot
    "PeerCircleBot", rest "circle"."""

    name: str
    rest: str
    bot: str | None = None


def parse_command_text(text: str) -> CommandText | None:
    """The command in a typed line, or None if the line is not a command."""
    match = _COMMAND_TEXT.match(text.strip())
    if match is None:
        return None
    return CommandText(match["name"].lower(), (match["args"] or "").strip(), match["bot"])


class CommandRegistry:
    def __init__(self, specs: Iterable[CommandSpec] = ()) -> None:
        self._specs: dict[str, CommandSpec] = {}
        for spec in specs:
            self.add(spec)

    def add(self, spec: CommandSpec) -> None:
        if spec.name in self._specs:
            raise ValueError(f"command /{spec.name} is declared twice")
        self._specs[spec.name] = spec

    def get(self, name: str) -> CommandSpec | None:
        return self._specs.get(name)

    def __iter__(self) -> Iterator[CommandSpec]:
        """Every command, in declaration order."""
        return iter(self._specs.values())

    def listed(self) -> tuple[CommandSpec, ...]:
        """The commands people are shown (for adapters to publish), in declaration order."""
        return tuple(spec for spec in self._specs.values() if spec.listed)

    def available_to(self, role: Role) -> tuple[CommandSpec, ...]:
        """In declaration order: the listed commands someone with ``role`` may run (what
        /help shows and suggestions come from)."""
        return tuple(spec for spec in self.listed() if spec.min_role <= role)

    def suggest(self, name: str, role: Role) -> str | None:
        names = [spec.name for spec in self.available_to(role)]
        matches = difflib.get_close_matches(name.lower(), names, n=1, cutoff=0.6)
        return matches[0] if matches else None
