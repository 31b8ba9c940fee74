"""``peercircle schedule`` and ``peercircle calendar`` as an organizer runs them: no
token, no running bot, the changes recorded in the config's database."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import recurring_ical_events  # type: ignore[import-untyped]
from icalendar import Calendar

from bot.config import load_settings
from groups.directory import GroupDirectory
from groups.models import Group
from groups.recurrence import OccurrenceChange, occurrences
from tests.process.cli import example_copy, peercircle
from tests.schedule_db import record_changes

ACROSS_THE_AUTUMN_CHANGE = [
    "Tuesday Recovery Circle (tuesday-recovery): every Tuesday, 19:00–20:30 (Europe/London)",
    "Reminders: 24h and 1h before each meeting",
    "Tue 20 Oct 2026 19:00 BST   2026-10-20T18:00:00Z  scheduled",
    "    reminder 24h before     2026-10-19T18:00:00Z",
    "    reminder 1h before      2026-10-20T17:00:00Z",
    "Tue 27 Oct 2026 19:00 GMT   2026-10-27T19:00:00Z  scheduled",
    "    reminder 24h before     2026-10-26T19:00:00Z",
    "    reminder 1h before      2026-10-27T18:00:00Z",
    "Tue 3 Nov 2026 19:00 GMT    2026-11-03T19:00:00Z  scheduled",
    "    reminder 24h before     2026-11-02T19:00:00Z",
    "    reminder 1h before      2026-11-03T18:00:00Z",
]
SCHEDULE = ("schedule", "--group", "tuesday-recovery", "--from", "2026-10-20", "--count", "3")


def _tuesday_recovery(config: Path) -> Group:
    group = GroupDirectory.from_settings(load_settings(config, environ={})).get("tuesday-recovery")
    assert group is not None
    return group


def test_schedule_prints_local_and_utc_times_across_the_autumn_change(tmp_path: Path) -> None:
    config = example_copy(tmp_path)

    run = peercircle("--config", str(config), *SCHEDULE)

    assert (run.code, run.err) == (0, "")
    assert run.out.splitlines() == ACROSS_THE_AUTUMN_CHANGE
    assert not (tmp_path / "data").exists()  # asking created no database


def test_schedule_shows_a_cancellation_recorded_in_the_database(tmp_path: Path) -> None:
    config = example_copy(tmp_path)
    key = datetime(2026, 10, 27, 19, tzinfo=UTC)
    change = OccurrenceChange(key, cancelled=True, reason="half-term break")
    asyncio.run(record_changes(config, "tuesday-recovery", [change]))

    run = peercircle(*SCHEDULE, "--config", str(config))

    assert run.code == 0, run.err
    expected = [*ACROSS_THE_AUTUMN_CHANGE]
    expected[5:8] = ["Tue 27 Oct 2026 19:00 GMT   2026-10-27T19:00:00Z  cancelled: half-term break"]
    assert run.out.splitlines() == expected


def test_an_unknown_group_exits_1_listing_the_groups(tmp_path: Path) -> None:
    config = example_copy(tmp_path)
    for command in (("schedule", "--group", "carers"), ("calendar", "youth")):
        run = peercircle(*command, "--config", str(config))

        assert run.code == 1
        assert run.out == ""
        assert "tuesday-recovery, carers-circle, youth-space" in run.err
        assert "Traceback" not in run.err


def test_a_bad_day_or_count_is_a_usage_error(tmp_path: Path) -> None:
    config = example_copy(tmp_path)
    day = peercircle("schedule", "--from", "20/10/2026", "--config", str(config))
    count = peercircle("schedule", "--count", "0", "--config", str(config))

    assert (day.code, count.code) == (2, 2)
    assert "write the day like 2026-10-20, not '20/10/2026'" in day.err
    assert "a whole number from 1 to 100, not '0'" in count.err


def _expanded(ics: str, now: datetime, count: int) -> list[tuple[datetime, str]]:
    calendar = Calendar.from_ical(ics)
    events: list[Any] = recurring_ical_events.of(calendar).between(now, now + timedelta(days=800))
    found = [(e.start.astimezone(UTC), str(e.get("LOCATION", ""))) for e in events if e.end > now]
    return sorted(found)[:count]


def test_the_calendar_gives_the_engines_next_20_meetings_with_its_changes(tmp_path: Path) -> None:
    config = example_copy(tmp_path)
    group = _tuesday_recovery(config)
    now = datetime.now(UTC)
    upcoming = occurrences(group, now, 5)
    cancelled, moved = upcoming[1].key, upcoming[3].key
    changes = {
        cancelled: OccurrenceChange(cancelled, cancelled=True, reason="snow"),
        moved: OccurrenceChange(moved, new_start=moved + timedelta(days=9), new_place="Room 2"),
    }
    asyncio.run(record_changes(config, "tuesday-recovery", changes.values()))

    run = peercircle("calendar", "tuesday-recovery", "--config", str(config))

    assert (run.code, run.err) == (0, "")
    events: list[Any] = list(Calendar.from_ical(run.out).walk("VEVENT"))
    series, override = events
    assert [d.dt for d in series["EXDATE"].dts] == [cancelled]
    assert override["RECURRENCE-ID"].dt == moved
    assert series["UID"] == override["UID"] == "tuesday-recovery@peercircle"
    expected = occurrences(group, now, 20, changes, include_cancelled=False)
    assert _expanded(run.out, now, 20) == [(o.start, o.place) for o in expected]
    assert (moved + timedelta(days=9), "Room 2") in _expanded(run.out, now, 20)


def test_the_schedule_tools_need_no_platform_token(tmp_path: Path) -> None:
    config = example_copy(tmp_path)
    text = config.read_text(encoding="utf-8")
    config.write_text(text.replace("enabled = false", "enabled = true"), encoding="utf-8")

    schedule = peercircle("--config", str(config), "schedule", "--count", "1")
    calendar = peercircle("--config", str(config), "calendar", "tuesday-recovery")
    run = peercircle("--config", str(config), "run")  # the service still needs them

    assert schedule.code == 0, schedule.err
    assert "Tuesday Recovery Circle" in schedule.out
    assert calendar.code == 0, calendar.err
    assert "BEGIN:VCALENDAR" in calendar.out
    assert run.code == 1
    assert "PEERCIRCLE_TELEGRAM__TOKEN" in run.err
