"""Command arguments: declared once (``ParamSpec``), checked once (``bind_args``).

A Discord slash command arrives with its options already separated; a Telegram or
console line is split by ``split_text`` first. Both then go through ``bind_args``, so
every platform gets the same checks, the same messages and the same ``Args``.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from bot.errors import UserError
from bot.text import clean_input


@dataclass(frozen=True, slots=True)
class ParamSpec:
    """One argument. ``rest`` takes the remainder of a typed line (so names may have
    spaces); only the last parameter may. ``description_key`` names its catalog text."""

    name: str
    description_key: str
    required: bool = True
    rest: bool = False
    max_length: int = 200


class Args:
    """The checked arguments of one invocation (or one submitted form), by name."""

    def __init__(self, values: Mapping[str, str]) -> None:
        self._values = dict(values)

    def text(self, name: str) -> str:
        """A required value (the dispatcher has checked it is there)."""
        value = self._values.get(name)
        if value is None:
            raise KeyError(f"no argument named {name!r}")
        return value

    def optional_text(self, name: str) -> str | None:
        return self._values.get(name)

    def __repr__(self) -> str:  # pragma: no mutate block (debug output only)
        return f"Args({sorted(self._values)})"  # names only: values may be member text


def split_text(params: Sequence[ParamSpec], text: str) -> dict[str, str]:
    """``"circle Mary Ann"`` -> ``{"group": "circle", "member": "Mary Ann"}`` for
    (group, member-rest): whitespace separates values, the ``rest`` one takes the tail."""
    tokens = text.split()
    values: dict[str, str] = {}
    for index, param in enumerate(params):
        if param.rest:
            raw = " ".join(tokens[index:])
        else:
            raw = tokens[index] if index < len(tokens) else ""
        if raw:
            values[param.name] = raw
    return values


def bind_args(params: Sequence[ParamSpec], values: Mapping[str, str], usage: str) -> Args:
    """Check ``values`` against ``params``: cleaned, present when required, not too
    long. Raises ``UserError`` with a text for the person to act on."""
    known = {param.name for param in params}
    unknown = sorted(set(values) - known)
    if unknown:
        raise UserError("core.unknown_argument", usage=usage)
    bound: dict[str, str] = {}
    for param in params:
        value = clean_input(values.get(param.name, ""))
        if not param.rest:
            value = " ".join(value.split())
        if not value:
            if param.required:
                raise UserError("core.missing_argument", param=param.name, usage=usage)
            continue
        if len(value) > param.max_length:
            raise UserError("core.argument_too_long", param=param.name, limit=param.max_length)
        bound[param.name] = value
    return Args(bound)
