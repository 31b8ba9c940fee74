"""A group's meeting schedule in plain words, for members and organizers."""

from __future__ import annotations

from datetime import date, datetime, timedelta

from bot.catalog import Catalog
from bot.config.rule import rule_parts
from groups.models import WEEKDAYS, Group, Schedule

_RULE_DAYS = {"MO": 0, "TU": 1, "WE": 2, "TH": 3, "FR": 4, "SA": 5, "SU": 6}
_ORDINALS = {"1": "1", "2": "2", "3": "3", "4": "4", "-1": "last"}


def describe_schedule(schedule: Schedule, timezone: str, catalog: Catalog) -> str:
    """e.g. "every Tuesday, 19:00–20:30 (Europe/London)" (reads inside a sentence).
    Built once per schedule and language: every /groups page shows ten groups'."""
    return catalog.remembered(
        ("schedule", schedule, timezone), lambda: _describe(schedule, timezone, catalog)
    )


def _describe(schedule: Schedule, timezone: str, catalog: Catalog) -> str:
    start = datetime.combine(date(2000, 1, 1), schedule.start)  # any date: wall-clock only
    end = start + timedelta(minutes=schedule.duration_minutes)
    hours = catalog.text(
        "schedule.hours", start=start.strftime("%H:%M"), end=end.strftime("%H:%M"), zone=timezone
    )
    if schedule.rrule:
        words = _describe_rule(schedule, hours, catalog)
    else:
        words = _describe_repeat(schedule, hours, catalog)
    if schedule.until is not None:
        return catalog.text("schedule.until", schedule=words, last=schedule.until.isoformat())
    return words


def describe_group_schedule(group: Group, catalog: Catalog) -> str:
    return describe_schedule(group.schedule, group.timezone, catalog)


def _describe_repeat(schedule: Schedule, hours: str, catalog: Catalog) -> str:
    weekday = _day(schedule.weekday, catalog)
    if schedule.frequency == "fortnightly" and schedule.starts_on is not None:
        first = schedule.starts_on.isoformat()
        return catalog.text("schedule.fortnightly", weekday=weekday, hours=hours, first=first)
    if schedule.frequency == "monthly" and schedule.week_of_month is not None:
        ordinal = "last" if schedule.week_of_month == -1 else str(schedule.week_of_month)
        return _monthly(ordinal, weekday, hours, catalog)
    return catalog.text("schedule.weekly", weekday=weekday, hours=hours)


def _describe_rule(schedule: Schedule, hours: str, catalog: Catalog) -> str:
    """Words for the simple rules (weekly on some days, every other week on one day, a
    numbered day of each month); any other rule is "a custom schedule"."""
    parts = rule_parts(schedule.rrule or "")
    frequency = parts.pop("FREQ", "")
    interval = parts.pop("INTERVAL", "1")
    parts.pop("WKST", None)
    days = parts.pop("BYDAY", "").split(",")
    plain = all(day in _RULE_DAYS for day in days)
    if not parts and frequency == "WEEKLY" and plain and interval == "1":
        names = [_day(_RULE_DAYS[day], catalog) for day in _in_week_order(days)]
        return catalog.text("schedule.weekly", weekday=_join(names, catalog), hours=hours)
    one_day = len(days) == 1
    fortnightly = frequency == "WEEKLY" and interval == "2" and schedule.starts_on is not None
    if not parts and fortnightly and plain and one_day and schedule.starts_on is not None:
        first = schedule.starts_on.isoformat()
        weekday = _day(_RULE_DAYS[days[0]], catalog)
        return catalog.text("schedule.fortnightly", weekday=weekday, hours=hours, first=first)
    if not parts and frequency == "MONTHLY" and one_day and interval == "1":
        which, day = days[0][:-2].lstrip("+"), days[0][-2:]
        if which in _ORDINALS and day in _RULE_DAYS:
            return _monthly(_ORDINALS[which], _day(_RULE_DAYS[day], catalog), hours, catalog)
    return catalog.text("schedule.custom", hours=hours)


def _day(index: int, catalog: Catalog) -> str:
    return catalog.text(f"weekdays.{WEEKDAYS[index]}")


def _monthly(ordinal: str, weekday: str, hours: str, catalog: Catalog) -> str:
    which = catalog.text(f"schedule.ordinal.{ordinal}")
    return catalog.text("schedule.monthly", which=which, weekday=weekday, hours=hours)


def _in_week_order(days: list[str]) -> list[str]:
    return sorted(dict.fromkeys(days), key=_RULE_DAYS.__getitem__)


def _join(names: list[str], catalog: Catalog) -> str:
    """ "Tuesday", "Tuesday and Thursday", "Monday, Wednesday and Friday"."""
    if len(names) == 1:
        return names[0]
    return catalog.text("schedule.days", days=", ".join(names[:-1]), last=names[-1])
