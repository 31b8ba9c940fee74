"""An occurrence in words, in the group's own time zone: "Tuesday 1 December, 19:00",
or in a member's own zone with the group's time beside it."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from bot.catalog import Catalog
from bot.replies import Button
from groups.models import WEEKDAYS
from groups.recurrence import Occurrence

MONTHS = (
    "january",
    "february",
    "march",
    "april",
    "may",
    "june",
    "july",
    "august",
    "september",
    "october",
    "november",
    "december",
)


def describe_when(occurrence: Occurrence, catalog: Catalog, zone: ZoneInfo | None = None) -> str:
    """Its (actual) start in the group's zone, e.g. "Tuesday 1 December, 19:00
    (Europe/London)". With ``zone`` (a member's own, for a message only they see), in
    that zone, and the group's time in parentheses so it is never ambiguous: "Wednesday
    2 December, 04:00 Asia/Tokyo (Tuesday 19:00 Europe/London)"."""
    group_local = occurrence.local_start
    if zone is None or zone.key == occurrence.zone.key:
        return catalog.text("meetings.when", **_day(group_local, catalog), zone=occurrence.zone.key)
    theirs = occurrence.start.astimezone(zone)
    group_time = _time(group_local)
    if theirs.date() == group_local.date():
        group = catalog.text("meetings.group_time", time=group_time, zone=occurrence.zone.key)
    else:
        weekday = catalog.text(f"weekdays.{WEEKDAYS[group_local.weekday()]}")
        group = catalog.text(
            "meetings.group_day_time", weekday=weekday, time=group_time, zone=occurrence.zone.key
        )
    return catalog.text("meetings.when_yours", **_day(theirs, catalog), zone=zone.key, group=group)


def _day(local: datetime, catalog: Catalog) -> dict[str, object]:
    return {
        "weekday": catalog.text(f"weekdays.{WEEKDAYS[local.weekday()]}"),
        "day": local.day,
        "month": catalog.text(f"months.{MONTHS[local.month - 1]}"),
        "time": _time(local),
    }


def _time(local: datetime) -> str:
    return local.strftime("%H:%M")


def describe_where(occurrence: Occurrence, catalog: Catalog) -> str:
    return occurrence.place or catalog.text("meetings.place_unknown")


def rsvp_buttons(catalog: Catalog, slug: str) -> tuple[Button, ...]:
    """The three RSVP buttons of a reminder and a meeting card: ``rsvp:<slug> <answer>``."""
    return tuple(
        Button(catalog.text(f"buttons.rsvp_{answer}"), f"rsvp:{slug} {answer}")
        for answer in ("yes", "no", "maybe")
    )
