"""Reminder offsets: how long before a meeting each reminder goes out.

Written as ``"24h"``, ``"1h"``, ``"15m"``, ``"2d"`` or combined, like ``"1d12h"`` (days,
hours, minutes, in that order). Each is between 5 minutes and 14 days; a list holds at
most 5, each once.
"""

from __future__ import annotations

import re
from datetime import timedelta
from typing import Annotated

from pydantic import AfterValidator, BeforeValidator

from bot.config.fields import config_error, quoting

__all__ = [
    "DEFAULT_REMINDERS",
    "MAX_REMINDERS",
    "ReminderOffsets",
    "format_offset",
    "parse_offset",
]

DEFAULT_REMINDERS: tuple[timedelta, ...] = (timedelta(hours=24), timedelta(hours=1))
MAX_REMINDERS = 5
SHORTEST = timedelta(minutes=5)
LONGEST = timedelta(days=14)

_OFFSET = re.compile(r"(?:([0-9]{1,3})d)?(?:([0-9]{1,4})h)?(?:([0-9]{1,5})m)?")
_HOW = 'write it like "24h", "1h", "15m", "2d" or "1d12h"'


def parse_offset(value: object) -> timedelta:
    """``"1d12h"`` -> ``timedelta(days=1, hours=12)``; a config error otherwise."""
    if not isinstance(value, str):
        raise ValueError(f"must be a time before the meeting in quotes; {_HOW}")
    text = value.strip().lower()
    match = _OFFSET.fullmatch(text)
    if not text or match is None:
        raise quoting(repr(value), f"is not a time before the meeting; {_HOW}")
    days, hours, minutes = (int(part or 0) for part in match.groups())
    offset = timedelta(days=days, hours=hours, minutes=minutes)
    if offset < SHORTEST:
        raise quoting(
            repr(value), "is too close to the meeting: a reminder comes at least 5 minutes before"
        )
    if offset > LONGEST:
        raise quoting(
            repr(value), "is too early: a reminder comes at most 14 days (14d) before the meeting"
        )
    return offset


def _check_list(offsets: list[timedelta]) -> list[timedelta]:
    if len(offsets) > MAX_REMINDERS:
        raise ValueError(
            f"at most {MAX_REMINDERS} reminders per meeting; keep the ones that help most"
        )
    for index, offset in enumerate(offsets):
        first = offsets.index(offset)
        if first != index:
            raise config_error(
                f"is the same time as reminders[{first}] ({format_offset(offset)}); "
                "list each reminder once",
                sub_loc=(index,),
            )
    return offsets


def format_offset(offset: timedelta) -> str:
    """The shortest way the config would write ``offset``: ``24h``, ``2d``, ``1h30m``."""
    minutes = int(offset.total_seconds()) // 60
    days, rest = divmod(minutes, 24 * 60) if minutes >= 2 * 24 * 60 else (0, minutes)
    hours, minutes = divmod(rest, 60)
    parts = [(days, "d"), (hours, "h"), (minutes, "m")]
    return "".join(f"{amount}{unit}" for amount, unit in parts if amount) or "0m"


ReminderOffsets = Annotated[
    list[Annotated[timedelta, BeforeValidator(parse_offset)]], AfterValidator(_check_list)
]
"""A list of reminder offsets, as the config writes them: ``["24h", "1h"]``."""
