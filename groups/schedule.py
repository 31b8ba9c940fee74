"""A group's meeting schedule in plain words, for members and organizers."""

from __future__ import annotations

from datetime import date, datetime, timedelta

from bot.catalog import Catalog
from groups.models import WEEKDAYS, Group, Schedule


def describe_schedule(schedule: Schedule, timezone: str, catalog: Catalog) -> str:
    """e.g. "every Tuesday, 19:00–20:30 (Europe/London)" (reads inside a sentence)."""
    weekday = catalog.text(f"weekdays.{WEEKDAYS[schedule.weekday]}")
    start = datetime.combine(date(2000, 1, 1), schedule.start)  # any date: wall-clock only
    end = start + timedelta(minutes=schedule.duration_minutes)
    hours = catalog.text(
        "schedule.hours", start=start.strftime("%H:%M"), end=end.strftime("%H:%M"), zone=timezone
    )
    if schedule.frequency == "fortnightly" and schedule.starts_on is not None:
        first = schedule.starts_on.isoformat()
        return catalog.text("schedule.fortnightly", weekday=weekday, hours=hours, first=first)
    if schedule.frequency == "monthly" and schedule.week_of_month is not None:
        ordinal = "last" if schedule.week_of_month == -1 else str(schedule.week_of_month)
        which = catalog.text(f"schedule.ordinal.{ordinal}")
        return catalog.text("schedule.monthly", which=which, weekday=weekday, hours=hours)
    return catalog.text("schedule.weekly", weekday=weekday, hours=hours)


def describe_group_schedule(group: Group, catalog: Catalog) -> str:
    return describe_schedule(group.schedule, group.timezone, catalog)
