"""Reading the dates and times a facilitator types: "2026-12-01", "19:30",
"2026-12-02 19:30". Times are the group's local wall-clock time."""

from __future__ import annotations

import re
from datetime import date, datetime, time
from zoneinfo import ZoneInfo

from bot.errors import UserError
from bot.text import quote_back
from groups.recurrence import place_in_zone

_DATE = re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})$")
_TIME = re.compile(r"^(\d{1,2})[:.](\d{2})$")


def parse_day(text: str) -> date:
    match = _DATE.match(text.strip())
    if match:
        try:
            return date(int(match[1]), int(match[2]), int(match[3]))
        except ValueError:
            pass
    raise UserError("meetings.bad_date", given=quote_back(text, 20))


def looks_like_day(text: str) -> bool:
    return _DATE.match(text.strip()) is not None


def parse_time(text: str) -> time:
    match = _TIME.match(text.strip())
    if match and int(match[1]) < 24 and int(match[2]) < 60:
        return time(int(match[1]), int(match[2]))
    raise UserError("meetings.bad_time", given=quote_back(text, 20))


_AT = re.compile(r"(?:^|\s+)at\s+", re.IGNORECASE)
PLACE_LIMIT = 200


def split_time_and_place(text: str) -> tuple[str, str | None]:
    """``"19:30 at Room 4"`` -> ``("19:30", "Room 4")``; ``"at Room 4"`` -> ``("", ...)``
    (same time, new place); ``"19:30"`` -> ``("19:30", None)``."""
    match = _AT.search(text)
    if match is None:
        return text.strip(), None
    place = text[match.end() :].strip()
    if not place:
        raise UserError("meetings.bad_new_time", given=quote_back(text, 40))
    return text[: match.start()].strip(), place[:PLACE_LIMIT]


def parse_new_start(text: str, day: date, zone: ZoneInfo) -> datetime:
    """``"19:30"`` (on ``day``) or ``"2026-12-02 19:30"``, local to ``zone``, as UTC."""
    parts = text.split()
    if len(parts) == 1:
        new_day, new_time = day, parse_time(parts[0])
    elif len(parts) == 2:
        new_day, new_time = parse_day(parts[0]), parse_time(parts[1])
    else:
        raise UserError("meetings.bad_new_time", given=quote_back(text, 40))
    return place_in_zone(datetime.combine(new_day, new_time), zone)
