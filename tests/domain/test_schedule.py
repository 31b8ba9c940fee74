"""Schedules in words, as members and organizers read them."""

from __future__ import annotations

from datetime import date, time, timedelta
from typing import get_args

import pytest

from bot.catalog import Catalog
from bot.config import Weekday
from groups.models import WEEKDAYS, Schedule
from groups.schedule import describe_schedule

LONDON = "Europe/London"


@pytest.mark.parametrize(
    ("schedule", "words"),
    [
        (
            Schedule("weekly", 1, time(19, 0), 90),
            "every Tuesday, 19:00–20:30 (Europe/London)",
        ),
        (
            Schedule("fortnightly", 3, time(18, 30), 90, starts_on=date(2026, 1, 8)),
            "every other Thursday, 18:30–20:00 (Europe/London), counting from 2026-01-08",
        ),
        (
            Schedule("monthly", 4, time(10, 0), 60, week_of_month=2),
            "the second Friday of each month, 10:00–11:00 (Europe/London)",
        ),
        (
            Schedule("monthly", 6, time(17, 0), 60, week_of_month=-1),
            "the last Sunday of each month, 17:00–18:00 (Europe/London)",
        ),
        (
            Schedule("weekly", 5, time(23, 30), 60),
            "every Saturday, 23:30–00:30 (Europe/London)",
        ),
    ],
)
def test_schedules_read_naturally(schedule: Schedule, words: str) -> None:
    assert describe_schedule(schedule, LONDON, Catalog.load()) == words


def _rule(rule: str, starts: date | None = None) -> Schedule:
    return Schedule("weekly", 0, time(19, 0), 90, starts_on=starts, rrule=rule)


@pytest.mark.parametrize(
    ("schedule", "words"),
    [
        (_rule("FREQ=WEEKLY;BYDAY=TU"), "every Tuesday, 19:00–20:30 (Europe/London)"),
        (
            _rule("FREQ=WEEKLY;BYDAY=TH,TU"),
            "every Tuesday and Thursday, 19:00–20:30 (Europe/London)",
        ),
        (
            _rule("FREQ=WEEKLY;BYDAY=FR,MO,WE;WKST=SU"),
            "every Monday, Wednesday and Friday, 19:00–20:30 (Europe/London)",
        ),
        (
            _rule("FREQ=WEEKLY;INTERVAL=2;BYDAY=TH", date(2026, 1, 8)),
            "every other Thursday, 19:00–20:30 (Europe/London), counting from 2026-01-08",
        ),
        (
            _rule("FREQ=MONTHLY;BYDAY=1MO"),
            "the first Monday of each month, 19:00–20:30 (Europe/London)",
        ),
        (
            _rule("FREQ=MONTHLY;BYDAY=-1TH"),
            "the last Thursday of each month, 19:00–20:30 (Europe/London)",
        ),
        (
            _rule("FREQ=MONTHLY;BYMONTHDAY=15"),
            "on a custom schedule (see /next), 19:00–20:30 (Europe/London)",
        ),
        (
            _rule("FREQ=WEEKLY;BYDAY=TU;BYMONTH=1,2,3"),
            "on a custom schedule (see /next), 19:00–20:30 (Europe/London)",
        ),
        (
            _rule("FREQ=WEEKLY;INTERVAL=3;BYDAY=TU", date(2026, 1, 6)),
            "on a custom schedule (see /next), 19:00–20:30 (Europe/London)",
        ),
        (
            _rule("FREQ=MONTHLY;BYDAY=5MO"),
            "on a custom schedule (see /next), 19:00–20:30 (Europe/London)",
        ),
    ],
)
def test_simple_rules_read_like_the_schedules_they_mean(schedule: Schedule, words: str) -> None:
    assert describe_schedule(schedule, LONDON, Catalog.load()) == words


def test_a_last_day_is_said() -> None:
    schedule = Schedule("weekly", 1, time(19, 0), 90, until=date(2026, 12, 22))
    assert describe_schedule(schedule, LONDON, Catalog.load()) == (
        "every Tuesday, 19:00–20:30 (Europe/London), until 2026-12-22"
    )


def test_the_config_accepts_exactly_the_domains_weekdays_in_the_same_order() -> None:
    assert get_args(Weekday) == WEEKDAYS


def test_weekdays_follow_date_weekday() -> None:
    monday = date(2026, 1, 5)
    for offset, name in enumerate(WEEKDAYS):
        day = monday + timedelta(days=offset)
        assert WEEKDAYS[day.weekday()] == name == day.strftime("%A").lower()
