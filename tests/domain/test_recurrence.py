"""When a group meets, as instants: local wall-clock time kept across daylight-saving
changes (both hemispheres and a zone without them), the change-day rule, every kind of
schedule, ``until``, and exceptions. Pure: every "now" is an argument."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta

import pytest

from groups.models import Group, Schedule
from groups.recurrence import (
    OccurrenceChange,
    OccurrenceStatus,
    occurrences,
    place_in_zone,
    reminder_times,
)

HOUR = timedelta(hours=1)
TUESDAY_7PM = Schedule("weekly", 1, time(19, 0), 90)


def _group(schedule: Schedule, zone: str = "Europe/London") -> Group:
    return Group(
        slug="circle",
        name="Circle",
        description="",
        capacity=10,
        facilitators=frozenset(),
        timezone=zone,
        online=bool(schedule.link),
        location="" if schedule.link else "Room 1",
        schedule=schedule,
    )


def _utc(year: int, month: int, day: int, hour: int = 0, minute: int = 0) -> datetime:
    return datetime(year, month, day, hour, minute, tzinfo=UTC)


def _starts(group: Group, after: datetime, count: int) -> list[datetime]:
    return [o.start for o in occurrences(group, after, count)]


# --- local time across daylight-saving changes -----------------------------------

ACROSS_CHANGES = [
    # zone, look from, UTC starts of three Tuesdays at 19:00 local around a change
    (
        "Europe/London",  # spring forward on Sunday 2026-03-29: GMT -> BST
        _utc(2026, 3, 20),
        [_utc(2026, 3, 24, 19), _utc(2026, 3, 31, 18), _utc(2026, 4, 7, 18)],
    ),
    (
        "Europe/London",  # fall back on Sunday 2026-10-25: BST -> GMT
        _utc(2026, 10, 15),
        [_utc(2026, 10, 20, 18), _utc(2026, 10, 27, 19), _utc(2026, 11, 3, 19)],
    ),
    (
        "Australia/Sydney",  # autumn there: AEDT (+11) -> AEST (+10) on 2026-04-05
        _utc(2026, 3, 25),
        [_utc(2026, 3, 31, 8), _utc(2026, 4, 7, 9), _utc(2026, 4, 14, 9)],
    ),
    (
        "Australia/Sydney",  # spring there: AEST -> AEDT on 2026-10-04
        _utc(2026, 9, 25),
        [_utc(2026, 9, 29, 9), _utc(2026, 10, 6, 8), _utc(2026, 10, 13, 8)],
    ),
    (
        "Asia/Tokyo",  # no daylight saving: always UTC+9
        _utc(2026, 3, 20),
        [_utc(2026, 3, 24, 10), _utc(2026, 3, 31, 10), _utc(2026, 4, 7, 10)],
    ),
]


@pytest.mark.parametrize(
    ("zone", "after", "expected"),
    ACROSS_CHANGES,
    ids=["london-spring", "london-autumn", "sydney-april", "sydney-october", "tokyo"],
)
def test_a_weekly_meeting_stays_at_its_local_time_across_a_change(
    zone: str, after: datetime, expected: list[datetime]
) -> None:
    found = occurrences(_group(TUESDAY_7PM, zone), after, 3)

    assert [o.start for o in found] == expected
    assert [o.local_start.time() for o in found] == [time(19, 0)] * 3
    assert [o.local_start.weekday() for o in found] == [1, 1, 1]
    assert all(o.status is OccurrenceStatus.SCHEDULED for o in found)


@pytest.mark.parametrize(
    ("zone", "after", "expected"),
    ACROSS_CHANGES,
    ids=["london-spring", "london-autumn", "sydney-april", "sydney-october", "tokyo"],
)
def test_the_one_hour_reminder_is_at_18_local_on_both_sides(
    zone: str, after: datetime, expected: list[datetime]
) -> None:
    for occurrence in occurrences(_group(TUESDAY_7PM, zone), after, 3):
        [reminder] = reminder_times(occurrence, (HOUR,))
        assert reminder == occurrence.start - HOUR
        assert reminder.astimezone(occurrence.zone).time() == time(18, 0)


def test_a_24_hour_reminder_across_a_change_is_24_real_hours() -> None:
    """The change day itself: Sunday 29 March 2026 is 23 hours long in London."""
    sunday = _group(Schedule("weekly", 6, time(19, 0), 60))
    [meeting] = occurrences(sunday, _utc(2026, 3, 29), 1)
    day_before, hour_before = reminder_times(meeting, (HOUR, 24 * HOUR))

    assert meeting.start == _utc(2026, 3, 29, 18)  # 19:00 BST
    assert day_before == _utc(2026, 3, 28, 18)  # 18:00 GMT on Saturday
    assert hour_before == _utc(2026, 3, 29, 17)


# --- the change-day rule -----------------------------------------------------------


def test_a_time_the_clocks_skip_happens_later_by_the_gap() -> None:
    """01:30 does not exist in London on 2026-03-29: the meeting is at 02:30 BST, the
    same instant 01:30 GMT would have been."""
    group = _group(Schedule("weekly", 6, time(1, 30), 60))

    first, second = occurrences(group, _utc(2026, 3, 28), 2)

    assert first.start == _utc(2026, 3, 29, 1, 30)
    assert first.local_start.replace(tzinfo=None) == datetime(2026, 3, 29, 2, 30)
    assert second.start == _utc(2026, 4, 5, 0, 30)  # 01:30 BST the week after
    assert place_in_zone(datetime(2026, 3, 29, 1, 30), first.zone) == first.start


def test_a_time_that_happens_twice_is_the_first() -> None:
    """01:30 happens twice in London on 2026-10-25: the meeting is at the first, in BST."""
    group = _group(Schedule("weekly", 6, time(1, 30), 60))

    before, on_the_day, after = occurrences(group, _utc(2026, 10, 17), 3)

    assert before.start == _utc(2026, 10, 18, 0, 30)
    assert on_the_day.start == _utc(2026, 10, 25, 0, 30)  # 01:30 BST, not 01:30 GMT
    assert on_the_day.local_start.utcoffset() == HOUR
    assert after.start == _utc(2026, 11, 1, 1, 30)  # 01:30 GMT


# --- kinds of schedule -------------------------------------------------------------


def test_monthly_on_the_last_thursday() -> None:
    group = _group(Schedule("monthly", 3, time(19, 0), 90, week_of_month=-1))

    assert _starts(group, _utc(2026, 1, 1), 4) == [
        _utc(2026, 1, 29, 19),
        _utc(2026, 2, 26, 19),
        _utc(2026, 3, 26, 19),
        _utc(2026, 4, 30, 18),  # BST
    ]


def test_fortnightly_counts_from_its_start() -> None:
    group = _group(Schedule("fortnightly", 3, time(18, 30), 90, starts_on=date(2026, 1, 8)))

    assert _starts(group, _utc(2026, 1, 1), 3) == [
        _utc(2026, 1, 8, 18, 30),
        _utc(2026, 1, 22, 18, 30),
        _utc(2026, 2, 5, 18, 30),
    ]
    assert _starts(group, _utc(2026, 1, 9), 1) == [_utc(2026, 1, 22, 18, 30)]


def test_nothing_before_a_fortnightly_start() -> None:
    group = _group(Schedule("fortnightly", 3, time(18, 30), 90, starts_on=date(2026, 1, 8)))
    assert _starts(group, _utc(2025, 12, 1), 1) == [_utc(2026, 1, 8, 18, 30)]


def test_an_rrule_on_tuesdays_and_thursdays() -> None:
    group = _group(Schedule("weekly", 1, time(19, 0), 60, rrule="FREQ=WEEKLY;BYDAY=TU,TH"))

    found = occurrences(group, _utc(2026, 10, 19), 4)

    assert [o.local_start.strftime("%a %d %H:%M") for o in found] == [
        "Tue 20 19:00",
        "Thu 22 19:00",
        "Tue 27 19:00",
        "Thu 29 19:00",
    ]
    assert [o.start.hour for o in found] == [18, 18, 19, 19]


def test_until_is_the_last_day_a_group_meets() -> None:
    group = _group(Schedule("weekly", 1, time(19, 0), 90, until=date(2026, 1, 20)))

    assert _starts(group, _utc(2026, 1, 1), 10) == [
        _utc(2026, 1, 6, 19),
        _utc(2026, 1, 13, 19),
        _utc(2026, 1, 20, 19),
    ]
    assert occurrences(group, _utc(2026, 1, 21), 3) == []


def test_a_counted_rule_ends_after_its_count() -> None:
    rule = "FREQ=WEEKLY;BYDAY=TH;COUNT=2"
    group = _group(Schedule("weekly", 3, time(19, 0), 60, starts_on=date(2026, 1, 8), rrule=rule))
    assert _starts(group, _utc(2026, 1, 1), 5) == [_utc(2026, 1, 8, 19), _utc(2026, 1, 15, 19)]


def test_a_meeting_in_progress_still_counts() -> None:
    found = occurrences(_group(TUESDAY_7PM), _utc(2026, 1, 6, 20), 1)
    assert [o.start for o in found] == [_utc(2026, 1, 6, 19)]  # ends at 20:30


def test_an_online_meeting_is_at_its_link() -> None:
    link = "https://meet.example.org/circle"
    group = _group(Schedule("weekly", 1, time(19, 0), 90, link=link))
    [meeting] = occurrences(group, _utc(2026, 1, 1), 1)
    assert meeting.place == link


# --- exceptions --------------------------------------------------------------------

JAN_6, JAN_13, JAN_20 = _utc(2026, 1, 6, 19), _utc(2026, 1, 13, 19), _utc(2026, 1, 20, 19)


def test_a_cancelled_meeting_keeps_its_place_with_its_reason_and_no_reminders() -> None:
    changes = {JAN_13: OccurrenceChange(JAN_13, cancelled=True, reason="snow")}

    found = occurrences(_group(TUESDAY_7PM), _utc(2026, 1, 1), 3, changes)

    assert [(o.key, o.status, o.reason) for o in found] == [
        (JAN_6, OccurrenceStatus.SCHEDULED, ""),
        (JAN_13, OccurrenceStatus.CANCELLED, "snow"),
        (JAN_20, OccurrenceStatus.SCHEDULED, ""),
    ]
    assert reminder_times(found[1], (HOUR, 24 * HOUR)) == []
    without = occurrences(
        _group(TUESDAY_7PM), _utc(2026, 1, 1), 3, changes, include_cancelled=False
    )
    assert [o.key for o in without] == [JAN_6, JAN_20, _utc(2026, 1, 27, 19)]


def test_a_meeting_moved_past_the_next_one_is_reordered() -> None:
    moved_to = _utc(2026, 1, 15, 18, 30)
    changes = {JAN_6: OccurrenceChange(JAN_6, new_start=moved_to, new_place="Room 2")}

    found = occurrences(_group(TUESDAY_7PM), _utc(2026, 1, 1), 3, changes)

    assert [(o.key, o.start) for o in found] == [
        (JAN_13, JAN_13),
        (JAN_6, moved_to),
        (JAN_20, JAN_20),
    ]
    moved = found[1]
    assert moved.status is OccurrenceStatus.MOVED
    assert moved.place == "Room 2"
    assert found[0].place == "Room 1"
    assert reminder_times(moved, (HOUR,)) == [moved_to - HOUR]


def test_a_meeting_moved_from_before_the_window_into_it_is_found() -> None:
    moved_to = _utc(2026, 1, 16, 19)
    changes = {JAN_6: OccurrenceChange(JAN_6, new_start=moved_to)}

    found = occurrences(_group(TUESDAY_7PM), _utc(2026, 1, 14), 2, changes)

    assert [(o.key, o.start) for o in found] == [(JAN_6, moved_to), (JAN_20, JAN_20)]
