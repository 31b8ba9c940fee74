"""Line numbers for setting paths, found by scanning the TOML text (best effort).

``tomllib`` keeps no positions, so :class:`TomlLocator` reads the lines itself: table
headers, ``key = value`` lines and inline tables, counting ``[[array]]`` entries.
"""

from __future__ import annotations

import re

__all__ = ["Loc", "TomlLocator"]

Loc = tuple[str | int, ...]

_HEADER_LINE = re.compile(r"\s*(\[\[?)\s*([^\[\]]+?)\s*\]\]?\s*(?:#.*)?")
_KEY_LINE = re.compile(r"\s*([A-Za-z0-9_\-.\"' ]+?)\s*=(.*)")
_INLINE_KEY = re.compile(r"([A-Za-z0-9_-]+)\s*=")


def _split_key(key: str) -> tuple[str, ...]:
    return tuple(part.strip().strip("\"'") for part in key.split("."))


class TomlLocator:
    """Maps setting paths like ``("groups", 1, "capacity")`` to line numbers."""

    def __init__(self, text: str) -> None:
        self._text: str | None = text  # scanned on the first question: most loads ask none
        self._lines: dict[Loc, int] = {}
        self._arrays: dict[tuple[str, ...], int] = {}

    def line_for(self, loc: Loc) -> int | None:
        """The line of ``loc``, or of its nearest enclosing table or key."""
        if self._text is not None:
            self._scan(self._text)
            self._text = None
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
