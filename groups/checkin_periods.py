"""When a group's check-in periods open and close: pure arithmetic on its config.

A period is named by the local date it opens on (``2026-11-22``); it opens at the
configured local time and closes ``open_days`` later at the same local time, so a
Sunday 18:00 opening stays 18:00 across a change of the clocks.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from groups.models import CheckinRules, Group
from groups.recurrence import place_in_zone


@dataclass(frozen=True, slots=True)
class Period:
    """One check-in period of one group: named by its local opening date."""

    name: str  # "YYYY-MM-DD", the local date it opens
    opens: datetime  # UTC
    closes: datetime  # UTC

    def is_open(self, now: datetime) -> bool:
        return self.opens <= now < self.closes

    @property
    def opening_day(self) -> date:
        return date.fromisoformat(self.name)


def period_opening_on(group: Group, day: date) -> Period:
    rules = group.checkins
    zone = ZoneInfo(group.timezone)
    opens = place_in_zone(datetime.combine(day, rules.opens_at), zone)
    closes = place_in_zone(
        datetime.combine(day + timedelta(days=rules.open_days), rules.opens_at), zone
    )
    return Period(day.isoformat(), opens, closes)


def latest_period(group: Group, now: datetime) -> Period:
    """The period that opened last at or before ``now`` (open now, or closed since)."""
    local_today = now.astimezone(ZoneInfo(group.timezone)).date()
    weekday = group.checkins.weekday
    day = local_today - timedelta(days=(local_today.weekday() - weekday) % 7)
    period = period_opening_on(group, day)
    if period.opens > now:
        period = period_opening_on(group, day - timedelta(days=7))
    return period


def next_period(group: Group, now: datetime) -> Period:
    """The first period that opens after ``now``."""
    latest = latest_period(group, now)
    return period_opening_on(group, latest.opening_day + timedelta(days=7))


def open_period(group: Group, now: datetime) -> Period | None:
    latest = latest_period(group, now)
    return latest if latest.is_open(now) else None


def next_boundary(group: Group, now: datetime) -> datetime:
    """The next instant one of the group's periods opens or closes after ``now``."""
    latest = latest_period(group, now)
    return latest.closes if now < latest.closes else next_period(group, now).opens


__all__ = ["CheckinRules", "Period", "latest_period", "next_boundary", "next_period"]
