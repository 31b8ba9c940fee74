"""Commands declared once (``CommandSpec``) and exposed on every platform.

A spec names its typed parameters and the minimum role; adapters turn specs into Discord
slash commands, Telegram /commands and console commands. The text parser here serves
every platform whose commands arrive as text.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Awaitable, Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from enum import Enum
from typing import TYPE_CHECKING

from bot.errors import UserError
from bot.permissions import Role
from bot.replies import Reply

if TYPE_CHECKING:
    from bot.context import Context

COMMAND_NAME = re.compile(r"^[a-z][a-z0-9_]{0,31}$")  # Telegram's rule; Discord allows it too
_COMMAND_TEXT = re.compile(r"^/(?P<name>[A-Za-z0-9_]+)(?:@\S+)?(?:\s+(?P<args>.*))?$", re.DOTALL)


class ParamKind(Enum):
    TEXT = "text"
    INTEGER = "integer"


@dataclass(frozen=True, slots=True)
class ParamSpec:
    """One argument. ``rest`` takes the remainder of the line (so names may have spaces)."""

    name: str
    description_key: str
    kind: ParamKind = ParamKind.TEXT
    required: bool = True
    rest: bool = False
    max_length: int = 200


HandlerResult = Reply | Sequence[Reply]
Handler = Callable[["Context", "Args"], Awaitable[HandlerResult]]


@dataclass(frozen=True, slots=True)
class CommandSpec:
    name: str
    summary_key: str
    handler: Handler = field(compare=False)
    params: tuple[ParamSpec, ...] = ()
    min_role: Role = Role.MEMBER

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


class Args:
    """Parsed, typed arguments of one invocation."""

    def __init__(self, values: Mapping[str, str | int]) -> None:
        self._values = dict(values)

    def text(self, name: str) -> str:
        value = self._values[name]
        assert isinstance(value, str)
        return value

    def optional_text(self, name: str) -> str | None:
        value = self._values.get(name)
        assert value is None or isinstance(value, str)
        return value

    def integer(self, name: str) -> int:
        value = self._values[name]
        assert isinstance(value, int)
        return value


def parse_command_text(text: str) -> tuple[str, str] | None:
    """``"/Join@PeerCircleBot  tuesday"`` -> ``("join", "tuesday")``; None if not a command."""
    match = _COMMAND_TEXT.match(text.strip())
    if match is None:
        return None
    return match["name"].lower(), (match["args"] or "").strip()


def parse_args(spec: CommandSpec, text: str) -> Args:
    """Split ``text`` into ``spec``'s parameters, raising ``UserError`` for people to fix."""
    tokens = text.split()
    values: dict[str, str | int] = {}
    for index, param in enumerate(spec.params):
        if param.rest:
            raw = " ".join(tokens[index:])
        else:
            raw = tokens[index] if index < len(tokens) else ""
        if not raw:
            if param.required:
                raise UserError("core.missing_argument", param=param.name, usage=spec.usage())
            continue
        values[param.name] = _convert(spec, param, raw)
    return Args(values)


def _convert(spec: CommandSpec, param: ParamSpec, raw: str) -> str | int:
    if len(raw) > param.max_length:
        raise UserError("core.argument_too_long", param=param.name, limit=param.max_length)
    if param.kind is ParamKind.INTEGER:
        try:
            return int(raw)
        except ValueError:
            raise UserError(
                "core.argument_not_number", param=param.name, usage=spec.usage()
            ) from None
    return raw


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

    def all(self) -> tuple[CommandSpec, ...]:
        return tuple(self._specs.values())

    def available_to(self, role: Role) -> tuple[CommandSpec, ...]:
        return tuple(spec for spec in self._specs.values() if spec.min_role <= role)

    def suggest(self, name: str, role: Role) -> str | None:
        names = [spec.name for spec in self.available_to(role)]
        matches = difflib.get_close_matches(name.lower(), names, n=1, cutoff=0.6)
        return matches[0] if matches else None
