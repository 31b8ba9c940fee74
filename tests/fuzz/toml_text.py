"""Writing TOML (the standard library only reads it), and values TOML can hold, for
fuzzing the config loader with any value in any setting."""

from __future__ import annotations

import math
import re
from collections.abc import Mapping
from datetime import UTC, date, datetime, time
from typing import Any

from hypothesis import strategies as st

_BARE_KEY = re.compile(r"[A-Za-z0-9_-]+")
_ESCAPES = {'"': '\\"', "\\": "\\\\", "\b": "\\b", "\t": "\\t", "\n": "\\n", "\f": "\\f"}
_ESCAPES["\r"] = "\\r"


def _string(text: str) -> str:
    escaped = "".join(
        _ESCAPES.get(char)
        or (f"\\u{ord(char):04x}" if ord(char) < 0x20 or ord(char) == 0x7F else char)
        for char in text
    )
    return f'"{escaped}"'


def _key(key: str) -> str:
    return key if _BARE_KEY.fullmatch(key) else _string(key)


def value(item: Any) -> str:
    """``item`` as a TOML value (tables inline)."""
    if isinstance(item, bool):
        return "true" if item else "false"
    if isinstance(item, int):
        return str(item)
    if isinstance(item, float):
        if math.isnan(item):
            return "nan"
        if math.isinf(item):
            return "inf" if item > 0 else "-inf"
        return repr(item)
    if isinstance(item, str):
        return _string(item)
    if isinstance(item, datetime | date | time):
        return item.isoformat()
    if isinstance(item, list):
        return "[" + ", ".join(value(part) for part in item) + "]"
    if isinstance(item, Mapping):
        return "{" + ", ".join(f"{_key(k)} = {value(v)}" for k, v in item.items()) + "}"
    raise TypeError(f"TOML holds no {type(item).__name__}")


def _is_table_array(item: Any) -> bool:
    return isinstance(item, list) and bool(item) and all(isinstance(i, Mapping) for i in item)


def _body(path: list[str], table: Mapping[str, Any], out: list[str]) -> None:
    nested: list[tuple[str, Any]] = []
    for key, item in table.items():
        if isinstance(item, Mapping) or _is_table_array(item):
            nested.append((key, item))
        else:
            out.append(f"{_key(key)} = {value(item)}")
    for key, item in nested:
        header = ".".join(_key(part) for part in [*path, key])
        for part in item if isinstance(item, list) else [item]:
            out.append(f"\n[[{header}]]" if isinstance(item, list) else f"\n[{header}]")
            _body([*path, key], part, out)


def document(data: Mapping[str, Any]) -> str:
    """``data`` as a TOML file the way people write one: ``[sections]`` and
    ``[[groups]]``, plain values inside."""
    out: list[str] = []
    _body([], data, out)
    return "\n".join(out) + "\n"


# Text a setting might hold, right or nearly right: where the checks are subtle.
CONFIG_WORDS = (
    "",
    "console:olive",
    "telegram:4242",
    "discord:1",
    "telegram:",
    ":x",
    "circle",
    "UTC",
    "Europe/London",
    "../../etc/passwd",
    "Etc/GMT+14",
    "America/Argentina/ComodRivadavia",
    "19:00",
    "24:00",
    "7pm",
    "2026-02-30",
    "tuesday",
    "fortnightly",
    "monthly",
    "FREQ=WEEKLY;BYDAY=TU",
    "FREQ=DAILY;COUNT=99999999999",
    "FREQ=YEARLY;BYMONTH=2;BYMONTHDAY=30",
    "FREQ=SECONDLY",
    "FREQ=WEEKLY;INTERVAL=0",
    "FREQ=MONTHLY;BYDAY=5FR",
    "FREQ=MONTHLY;BYSETPOS=-1;BYDAY=MO",
    "RRULE:FREQ=WEEKLY\nEXDATE:20260101",
    "1d",
    "1h",
    "-1h",
    "30m",
    "99999999999d",
    "sqlite:///:memory:",
    "sqlite:///../x.db",
    "postgresql://user@host/db",
    "mysql://x",
    "https://api.telegram.org/bot",
    "http://127.0.0.1:0/",
    "GB",
    "gb",
    "ZZ",
    "Tuesday\nCircle",
    "\u001b[31mRed\u001b[0m",
    "Room\t4",
    "\u202eelcric",
)


def toml_values() -> st.SearchStrategy[Any]:
    """Anything a TOML value can be: scalars of every type, arrays and tables of them."""
    scalars = st.one_of(
        st.booleans(),
        st.integers(min_value=-(2**63), max_value=2**63 - 1),
        st.floats(),
        st.text(),
        st.sampled_from(CONFIG_WORDS),
        st.dates(),
        st.times(),
        st.datetimes(timezones=st.sampled_from([None, UTC])),
    )
    keys = st.text(min_size=1, max_size=10)
    return st.recursive(
        scalars,
        lambda inner: st.one_of(
            st.lists(inner, max_size=3), st.dictionaries(keys, inner, max_size=3)
        ),
        max_leaves=6,
    )
