"""``peercircle schedule`` and ``peercircle calendar`` in-process: the example config and
the changes recorded in its database, written to a terminal of strings."""

from __future__ import annotations

import shutil
import sqlite3
from datetime import UTC, date, datetime
from io import StringIO
from pathlib import Path
from typing import Any

import pytest
from icalendar import Calendar

from bot.config import load_settings
from groups.recurrence import OccurrenceChange
from groups.schedule_cli import Terminal, print_calendar, print_schedule
from tests.schedule_db import record_changes

EXAMPLE = Path(__file__).parents[2] / "config.example.toml"
NOW = datetime(2026, 10, 15, 12, tzinfo=UTC)
OCT_27, NOV_3, NOV_17 = (
    datetime(2026, m, d, 19, tzinfo=UTC) for m, d in ((10, 27), (11, 3), (11, 17))
)
CHANGES = [
    OccurrenceChange(OCT_27, cancelled=True, reason="half-term break"),
    OccurrenceChange(NOV_3, new_start=datetime(2026, 11, 12, 19, tzinfo=UTC)),
    OccurrenceChange(NOV_17, new_place="Riverside Library", reason="a day in person"),
]

WITH_CHANGES = [
    "Tuesday Recovery Circle (tuesday-recovery): every Tuesday, 19:00–20:30 (Europe/London)",
    "Reminders: 24h and 1h before each meeting",
    "Tue 20 Oct 2026 19:00 BST   2026-10-20T18:00:00Z  scheduled",
    "    reminder 24h before     2026-10-19T18:00:00Z",
    "    reminder 1h before      2026-10-20T17:00:00Z",
    "Tue 27 Oct 2026 19:00 GMT   2026-10-27T19:00:00Z  cancelled: half-term break",
    "Tue 10 Nov 2026 19:00 GMT   2026-11-10T19:00:00Z  scheduled",
    "    reminder 24h before     2026-11-09T19:00:00Z",
    "    reminder 1h before      2026-11-10T18:00:00Z",
    "Tue 3 Nov 2026 19:00 GMT    2026-11-03T19:00:00Z  "
    "moved to Thu 12 Nov 2026 19:00 GMT (2026-11-12T19:00:00Z)",
    "    reminder 24h before     2026-11-11T19:00:00Z",
    "    reminder 1h before      2026-11-12T18:00:00Z",
    "Tue 17 Nov 2026 19:00 GMT   2026-11-17T19:00:00Z  "
    "moved, at Riverside Library: a day in person",
    "    reminder 24h before     2026-11-16T19:00:00Z",
    "    reminder 1h before      2026-11-17T18:00:00Z",
]


@pytest.fixture
def config(tmp_path: Path) -> Path:
    target = tmp_path / "config.toml"
    shutil.copy(EXAMPLE, target)
    return target


def _terminal() -> Terminal:
    return Terminal(out=StringIO(), err=StringIO())


def _out(terminal: Terminal) -> str:
    assert isinstance(terminal.out, StringIO)
    return terminal.out.getvalue()


def _err(terminal: Terminal) -> str:
    assert isinstance(terminal.err, StringIO)
    return terminal.err.getvalue()


async def test_cancelled_and_moved_meetings_are_shown_in_the_order_they_happen(
    config: Path,
) -> None:
    await record_changes(config, "tuesday-recovery", CHANGES)
    terminal = _terminal()

    code = await print_schedule(
        load_settings(config, environ={}),
        terminal,
        slug="tuesday-recovery",
        first_day=date(2026, 10, 20),
        count=5,
        now=NOW,
    )

    assert (code, _err(terminal)) == (0, "")
    assert _out(terminal).splitlines() == WITH_CHANGES


async def test_without_a_database_nothing_is_created(config: Path) -> None:
    terminal = _terminal()

    code = await print_schedule(
        load_settings(config, environ={}), terminal, slug=None, first_day=None, count=2, now=NOW
    )

    assert code == 0
    assert not (config.parent / "data").exists()
    blocks = _out(terminal).split("\n\n")
    assert [block.splitlines()[0].split(" (")[0] for block in blocks] == [
        "Tuesday Recovery Circle",
        "Carers' Circle",
        "Youth Space",
    ]
    assert "Thu 15 Oct 2026 18:30 BST   2026-10-15T17:30:00Z  scheduled" in blocks[1]


@pytest.fixture
def without_reminders(config: Path) -> Path:
    """The example, with no reminders for youth-space."""
    text = config.read_text(encoding="utf-8")
    assert text.count('time = "15:00"\n') == 1
    config.write_text(text.replace('time = "15:00"\n', 'time = "15:00"\nreminders = []\n'))
    return config


async def test_a_group_with_no_reminders_says_so(without_reminders: Path) -> None:
    config = without_reminders
    terminal = _terminal()

    await print_schedule(
        load_settings(config, environ={}),
        terminal,
        slug="youth-space",
        first_day=date(2026, 10, 20),
        count=1,
        now=NOW,
    )

    assert _out(terminal).splitlines()[1:] == [
        "Reminders: none",
        "Sat 24 Oct 2026 15:00 BST   2026-10-24T14:00:00Z  scheduled",
    ]


@pytest.mark.parametrize("command", ["schedule", "calendar"])
async def test_an_unknown_group_is_refused_with_the_slugs(config: Path, command: str) -> None:
    settings = load_settings(config, environ={})
    terminal = _terminal()

    if command == "schedule":
        code = await print_schedule(
            settings, terminal, slug="tuesday", first_day=None, count=5, now=NOW
        )
    else:
        code = await print_calendar(settings, terminal, "tuesday", NOW)

    assert code == 1
    assert _out(terminal) == ""
    assert _err(terminal) == (
        "There is no group 'tuesday' in the config. Did you mean tuesday-recovery? "
        "The groups are: tuesday-recovery, carers-circle, youth-space\n"
    )


async def test_the_calendar_carries_the_recorded_changes(config: Path) -> None:
    await record_changes(config, "tuesday-recovery", CHANGES)
    terminal = _terminal()

    code = await print_calendar(
        load_settings(config, environ={}), terminal, "tuesday-recovery", NOW
    )

    assert code == 0
    calendar = Calendar.from_ical(_out(terminal))
    events: list[Any] = list(calendar.walk("VEVENT"))
    series, *moved = events
    assert [d.dt for d in series["EXDATE"].dts] == [OCT_27]
    assert sorted(event["RECURRENCE-ID"].dt for event in moved) == [NOV_3, NOV_17]


async def test_a_database_from_a_newer_release_is_reported(config: Path) -> None:
    await record_changes(config, "tuesday-recovery", [])
    with sqlite3.connect(config.parent / "data" / "peercircle.sqlite3") as db:
        db.execute("INSERT INTO schema_migrations VALUES (99, 'from the future', '2030-01-01')")
    terminal = _terminal()

    code = await print_calendar(
        load_settings(config, environ={}), terminal, "tuesday-recovery", NOW
    )

    assert code == 1
    assert _err(terminal).startswith(
        "Cannot open the database: This database uses schema version 99"
    )
