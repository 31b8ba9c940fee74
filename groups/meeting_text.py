"""An occurrence in words, in the group's own time zone: "Tuesday 1 December, 19:00"."""

from __future__ import annotations

from bot.catalog import Catalog
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


def describe_when(occurrence: Occurrence, catalog: Catalog) -> str:
    """Its (actual) start in the group's zone, e.g. "Tuesday 1 December, 19:00
    (Europe/London)"."""
    local = occurrence.local_start
    return catalog.text(
        "meetings.when",
        weekday=catalog.text(f"weekdays.{WEEKDAYS[local.weekday()]}"),
        day=local.day,
        month=catalog.text(f"months.{MONTHS[local.month - 1]}"),
        time=local.strftime("%H:%M"),
        zone=occurrence.zone.key,
    )


def describe_where(occurrence: Occurrence, catalog: Catalog) -> str:
    return occurrence.place or catalog.text("meetings.place_unknown")
