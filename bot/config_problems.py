"""Where and what is wrong with a configuration, in words an organizer can act on.

:class:`ConfigError` carries :class:`ConfigProblem` entries with dotted paths (see
:func:`format_path`) and, where the TOML text allows, line numbers.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from pydantic import ValidationError
from pydantic_core import ErrorDetails

__all__ = [
    "ConfigError",
    "ConfigProblem",
    "Loc",
    "format_path",
]


@dataclass(frozen=True)
class ConfigProblem:
    """One thing wrong with the configuration, pointing at where it is."""

    path: str
    message: str
    line: int | None = None

    def __str__(self) -> str:
        where = self.path if self.line is None else f"{self.path} (line {self.line})"
        return f"{where}: {self.message}"


class ConfigError(Exception):
    """The configuration could not be loaded; ``problems`` says why."""

    def __init__(self, problems: list[ConfigProblem]) -> None:
        self.problems = list(problems)
        super().__init__("\n".join(str(problem) for problem in self.problems))


# ---------------------------------------------------------------------------
# Turning pydantic errors into plain English
# ---------------------------------------------------------------------------

Loc = tuple[str | int, ...]


def _translate(exc: ValidationError, locator: _TomlLocator) -> list[ConfigProblem]:
    problems = []
    for error in exc.errors(include_url=False, include_input=False):
        loc: Loc = tuple(error["loc"])
        ctx = error.get("ctx") or {}
        if error["type"] == "located":
            loc += tuple(ctx["sub_loc"])
        problems.append(
            ConfigProblem(format_path(loc), _plain_message(error), locator.line_for(loc))
        )
    return problems


def format_path(loc: Loc) -> str:
    """``("groups", 1, "slug")`` -> ``"groups[1].slug"``."""
    out = ""
    for part in loc:
        if isinstance(part, int):
            out += f"[{part}]"
        else:
            out += f".{part}" if out else part
    return out or "<config>"


_SIMPLE_MESSAGES: dict[str, str] = {
    "extra_forbidden": "unknown setting (check the spelling)",
    "missing": "required setting is missing",
    "int_type": "must be a whole number",
    "int_parsing": "must be a whole number",
    "int_from_float": "must be a whole number",
    "bool_type": "must be true or false",
    "bool_parsing": "must be true or false",
    "string_type": "must be text in quotes",
    "list_type": 'must be a list, like ["a", "b"]',
    "model_type": "must be a section of settings",
    "model_attributes_type": "must be a section of settings",
    "dict_type": "must be a section of settings",
    "date_type": "must be a date like 2026-01-08",
    "date_parsing": "must be a date like 2026-01-08",
    "date_from_datetime_parsing": "must be a date like 2026-01-08",
    "date_from_datetime_inexact": "must be a date like 2026-01-08, without a time",
    "time_type": 'must be a time like "19:00"',
    "time_parsing": 'must be a time like "19:00"',
}


def _plain_message(error: ErrorDetails) -> str:
    kind = error["type"]
    ctx = error.get("ctx") or {}
    if kind in _SIMPLE_MESSAGES:
        return _SIMPLE_MESSAGES[kind]
    if kind in ("value_error", "assertion_error"):
        return str(ctx.get("error", error["msg"]))
    bounds = {
        "greater_than_equal": ("must be at least", "ge"),
        "less_than_equal": ("must be at most", "le"),
        "greater_than": ("must be more than", "gt"),
        "less_than": ("must be less than", "lt"),
    }
    if kind in bounds:
        words, key = bounds[kind]
        return f"{words} {ctx[key]}"
    if kind == "string_too_short":
        size = ctx.get("min_length", 1)
        return "must not be empty" if size == 1 else f"must be at least {size} characters"
    if kind == "string_too_long":
        return f"must be at most {ctx.get('max_length')} characters"
    if kind == "literal_error":
        return f"must be one of {ctx.get('expected')}"
    return error["msg"]


# ---------------------------------------------------------------------------
# Line numbers, best effort
# ---------------------------------------------------------------------------

_HEADER_LINE = re.compile(r"\s*(\[\[?)\s*([^\[\]]+?)\s*\]\]?\s*(?:#.*)?")
_KEY_LINE = re.compile(r"\s*([A-Za-z0-9_\-.\"' ]+?)\s*=(.*)")
_INLINE_KEY = re.compile(r"([A-Za-z0-9_-]+)\s*=")


def _split_key(key: str) -> tuple[str, ...]:
    return tuple(part.strip().strip("\"'") for part in key.split("."))


class _TomlLocator:
    """Maps setting paths like ``("groups", 1, "capacity")`` to line numbers."""

    def __init__(self, text: str) -> None:
        self._lines: dict[Loc, int] = {}
        self._arrays: dict[tuple[str, ...], int] = {}
        self._scan(text)

    def line_for(self, loc: Loc) -> int | None:
        """The line of ``loc``, or of its nearest enclosing table or key."""
        for size in range(len(loc), 0, -1):
            line = self._lines.get(loc[:size])
            if line is not None:
                return line
        return None

    def _scan(self, text: str) -> None:
        table: Loc = ()
        in_string = False
        for number, line in enumerate(text.splitlines(), start=1):
            was_in_string = in_string
            if (line.count('"""') + line.count("'''")) % 2:
                in_string = not in_string
            if was_in_string:
                continue
            header = _HEADER_LINE.fullmatch(line)
            if header:
                table = self._enter_table(header[1] == "[[", _split_key(header[2]))
                self._lines.setdefault(table, number)
                continue
            key = _KEY_LINE.fullmatch(line)
            if key and not line.lstrip().startswith("#"):
                self._record_key(table + _split_key(key[1]), key[2], number)

    def _enter_table(self, is_array: bool, names: tuple[str, ...]) -> Loc:
        if is_array:
            self._arrays[names] = self._arrays.get(names, -1) + 1
        loc: list[str | int] = []
        for size in range(1, len(names) + 1):
            loc.append(names[size - 1])
            index = self._arrays.get(names[:size])
            if index is not None:
                loc.append(index)
        return tuple(loc)

    def _record_key(self, loc: Loc, value: str, number: int) -> None:
        self._lines.setdefault(loc, number)
        if value.strip().startswith("{"):
            for inner in _INLINE_KEY.finditer(value):
                self._lines.setdefault((*loc, inner[1]), number)
