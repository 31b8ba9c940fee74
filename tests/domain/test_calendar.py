"""A group's .ics: what it holds, and that an independent RFC 5545 expander
(``recurring-ical-events``) reads from it the very meetings ``groups.recurrence`` gives,
across daylight-saving changes, with cancellations and moves."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

import pytest
import recurring_ical_events  # type: ignore[import-untyped]
from icalendar import Calendar

from groups.calendar import PRODID, group_calendar, schedule_as_rrule
from groups.models import Group, Schedule
from groups.recurrence import OccurrenceChange, occurrences


def _group(
    schedule: Schedule, zone: str = "Europe/London", *, name: str = "Circle", slug: str = "circle"
) -> Group:
    return Group(
        slug=slug,
        name=name,
        description="Tea, company; and a listening ear",
        capacity=10,
        facilitators=frozenset(),
        timezone=zone,
        online=bool(schedule.link),
        location="" if schedule.link else "Room 1, 12 Mill Lane",
        schedule=schedule,
    )


def _parsed(
    group: Group, now: datetime, changes: Mapping[datetime, OccurrenceChange] | None = None
) -> Calendar:
    """Written out and read back, as a calendar app would."""
    return Calendar.from_ical(group_calendar(group, changes or {}, now=now).to_ical())


def _events(calendar: Calendar) -> list[Any]:
    """The VEVENTs, untyped: icalendar types a property's value as a union of every kind."""
    return list(calendar.walk("VEVENT"))


def _expanded(calendar: Calendar, now: datetime, count: int) -> list[tuple[datetime, str]]:
    events = recurring_ical_events.of(calendar).between(now, now + timedelta(days=3 * 366))
    found = [(e.start.astimezone(UTC), str(e.get("LOCATION", ""))) for e in events if e.end > now]
    return sorted(found)[:count]


def _engine(
    group: Group, now: datetime, count: int, changes: Mapping[datetime, OccurrenceChange]
) -> list[tuple[datetime, str]]:
    found = occurrences(group, now, count, changes, include_cancelled=False)
    return [(o.start, o.place) for o in found]


WEEKLY = Schedule("weekly", 1, time(19, 0), 90)
SCHEDULES = {
    "london-weekly": (_group(WEEKLY), datetime(2026, 10, 1, tzinfo=UTC)),
    "london-0130-sundays-spring": (
        _group(Schedule("weekly", 6, time(1, 30), 60)),
        datetime(2027, 1, 10, tzinfo=UTC),
    ),
    "london-0130-sundays-autumn": (
        _group(Schedule("weekly", 6, time(1, 30), 60)),
        datetime(2027, 8, 20, tzinfo=UTC),
    ),
    "sydney-rrule-0230": (
        _group(
            Schedule("weekly", 3, time(2, 30), 60, rrule="FREQ=WEEKLY;BYDAY=TH,SU"),
            "Australia/Sydney",
        ),
        datetime(2027, 3, 1, tzinfo=UTC),
    ),
    "new-york-0230-sundays": (  # 02:30 is skipped on 2026-03-08, repeated on 2026-11-01
        _group(Schedule("weekly", 6, time(2, 30), 60), "America/New_York"),
        datetime(2026, 1, 5, tzinfo=UTC),
    ),
    "lord-howe-half-hour-change": (  # its clocks change by 30 minutes
        _group(Schedule("weekly", 6, time(1, 45), 60), "Australia/Lord_Howe"),
        datetime(2026, 3, 1, tzinfo=UTC),
    ),
    "utc": (_group(WEEKLY, "UTC"), datetime(2026, 3, 1, tzinfo=UTC)),
    "tokyo-weekly": (_group(WEEKLY, "Asia/Tokyo"), datetime(2026, 3, 1, tzinfo=UTC)),
    "monthly-last-thursday": (
        _group(Schedule("monthly", 3, time(19, 0), 90, week_of_month=-1)),
        datetime(2026, 2, 1, tzinfo=UTC),
    ),
    "fortnightly": (
        _group(Schedule("fortnightly", 3, time(18, 30), 90, starts_on=date(2026, 1, 8))),
        datetime(2026, 9, 1, tzinfo=UTC),
    ),
    "until": (
        _group(Schedule("weekly", 1, time(19, 0), 90, until=date(2026, 12, 22))),
        datetime(2026, 10, 1, tzinfo=UTC),
    ),
    "counted-rule": (
        _group(
            Schedule(
                "weekly",
                1,
                time(19, 0),
                90,
                starts_on=date(2026, 9, 1),
                rrule="FREQ=WEEKLY;INTERVAL=3;BYDAY=TU;COUNT=12",
            )
        ),
        datetime(2026, 10, 1, tzinfo=UTC),
    ),
    "online": (
        _group(Schedule("weekly", 4, time(12, 0), 60, link="https://meet.example.org/x")),
        datetime(2026, 10, 1, tzinfo=UTC),
    ),
}


@pytest.mark.parametrize(("group", "now"), SCHEDULES.values(), ids=SCHEDULES.keys())
def test_an_independent_expander_finds_the_engines_next_20_meetings(
    group: Group, now: datetime
) -> None:
    expected = _engine(group, now, 20, {})
    assert _expanded(_parsed(group, now), now, 20) == expected
    assert expected  # something was compared


@pytest.mark.parametrize(("group", "now"), SCHEDULES.values(), ids=SCHEDULES.keys())
def test_cancelled_and_moved_meetings_read_the_same(group: Group, now: datetime) -> None:
    upcoming = occurrences(group, now, 5)
    second, fourth = upcoming[1].key, upcoming[3].key
    changes = {
        second: OccurrenceChange(second, cancelled=True, reason="snow"),
        fourth: OccurrenceChange(fourth, new_start=fourth + timedelta(days=9), new_place="Hall"),
    }
    calendar = _parsed(group, now, changes)

    expected = _engine(group, now, 20, changes)
    assert _expanded(calendar, now, 20) == expected
    assert second not in [start for start, _ in expected]
    assert (fourth + timedelta(days=9), "Hall") in expected


def test_the_calendar_holds_the_series_an_exdate_and_an_override() -> None:
    group = _group(WEEKLY, name='Tuesday Circle, "open"; all welcome')
    now = datetime(2026, 10, 15, tzinfo=UTC)
    cancelled, moved = datetime(2026, 10, 27, 19, tzinfo=UTC), datetime(2026, 11, 3, 19, tzinfo=UTC)
    changes = {
        cancelled: OccurrenceChange(cancelled, cancelled=True, reason="half term"),
        moved: OccurrenceChange(moved, new_start=datetime(2026, 11, 12, 19, tzinfo=UTC)),
    }
    calendar = _parsed(group, now, changes)

    assert calendar["PRODID"] == PRODID
    assert calendar["VERSION"] == "2.0"
    assert [tz["TZID"] for tz in calendar.walk("VTIMEZONE")] == ["Europe/London"]
    series, override = _events(calendar)
    assert series["UID"] == override["UID"] == "circle@peercircle"
    assert series["SUMMARY"] == 'Tuesday Circle, "open"; all welcome'
    assert series["LOCATION"] == "Room 1, 12 Mill Lane"
    assert series.start == datetime(2026, 9, 15, 19, tzinfo=series.start.tzinfo)  # 30 days back
    assert series.start.tzinfo.key == "Europe/London"
    assert series.duration == timedelta(minutes=90)
    assert series["RRULE"].to_ical() == b"FREQ=WEEKLY;BYDAY=TU"
    assert [d.dt for d in series["EXDATE"].dts] == [cancelled]
    assert override["RECURRENCE-ID"].dt == moved
    assert override.start == datetime(2026, 11, 12, 19, tzinfo=UTC)
    assert b'SUMMARY:Tuesday Circle\\, "open"\\; all welcome' in calendar.to_ical()


def test_until_is_written_in_utc_at_the_end_of_that_day() -> None:
    group = _group(Schedule("weekly", 1, time(19, 0), 90, until=date(2026, 7, 21)))
    [series] = _events(_parsed(group, datetime(2026, 6, 1, tzinfo=UTC)))
    assert series["RRULE"]["UNTIL"] == [datetime(2026, 7, 21, 22, 59, 59, tzinfo=UTC)]  # BST


def test_an_online_meeting_links_to_its_room() -> None:
    link = "https://meet.example.org/x"
    group = _group(Schedule("weekly", 4, time(12, 0), 60, link=link))
    [series] = _events(_parsed(group, datetime(2026, 10, 1, tzinfo=UTC)))
    assert series["URL"] == series["LOCATION"] == link


def test_a_schedule_that_ended_before_it_began_has_no_events() -> None:
    schedule = Schedule("weekly", 1, time(19, 0), 90, until=date(2023, 1, 1))
    assert _events(_parsed(_group(schedule), datetime(2026, 1, 1, tzinfo=UTC))) == []


def test_a_change_to_a_meeting_the_schedule_no_longer_has_is_left_out() -> None:
    wednesday = datetime(2026, 10, 28, 19, tzinfo=UTC)  # the group meets on Tuesdays now
    changes = {wednesday: OccurrenceChange(wednesday, cancelled=True)}
    [series] = _events(_parsed(_group(WEEKLY), datetime(2026, 10, 15, tzinfo=UTC), changes))
    assert "EXDATE" not in series


@pytest.mark.parametrize(
    ("schedule", "rule"),
    [
        (WEEKLY, "FREQ=WEEKLY;BYDAY=TU"),
        (
            Schedule("fortnightly", 3, time(18, 30), 90, starts_on=date(2026, 1, 8)),
            "FREQ=WEEKLY;INTERVAL=2;BYDAY=TH",
        ),
        (Schedule("monthly", 4, time(10, 0), 60, week_of_month=2), "FREQ=MONTHLY;BYDAY=2FR"),
        (Schedule("monthly", 3, time(19, 0), 90, week_of_month=-1), "FREQ=MONTHLY;BYDAY=-1TH"),
        (Schedule("weekly", 0, time(9, 0), 60, rrule="FREQ=DAILY"), "FREQ=DAILY"),
    ],
)
def test_every_schedule_is_written_as_an_rrule(schedule: Schedule, rule: str) -> None:
    assert schedule_as_rrule(schedule) == rule
