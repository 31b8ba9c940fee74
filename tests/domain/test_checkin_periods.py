"""Check-in periods: local wall-clock times across clock changes, and retention."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, time, timedelta
from pathlib import Path

import pytest

from groups.checkin_periods import latest_period, next_boundary, next_period
from tests.domain.checkin_helpers import check_in, close_period, join_all, open_harness, people
from tests.harness import Harness, write_config

pytestmark = pytest.mark.both_engines


async def _circle(tmp_path: Path) -> Harness:
    return await Harness.open(write_config(tmp_path))


async def test_a_sunday_1800_opening_stays_1800_local_across_the_clock_change(
    tmp_path: Path,
) -> None:
    harness = await _circle(tmp_path)
    try:
        circle = harness.app.directory.get("circle")
        assert circle is not None
        # Europe/London: BST ends on Sunday 25 October 2026.
        before = latest_period(circle, datetime(2026, 10, 20, tzinfo=UTC))
        after = next_period(circle, datetime(2026, 10, 20, tzinfo=UTC))
        assert before.opens == datetime(2026, 10, 18, 17, 0, tzinfo=UTC)  # 18:00 BST
        assert after.opens == datetime(2026, 10, 25, 18, 0, tzinfo=UTC)  # 18:00 GMT
        assert after.closes - after.opens == timedelta(days=3)
        tuesday = datetime(2026, 10, 27, 12, 0, tzinfo=UTC)
        assert latest_period(circle, tuesday).is_open(tuesday)
        assert next_boundary(circle, tuesday) == after.closes
    finally:
        await harness.close()


async def test_a_group_may_open_on_its_own_day_and_time(tmp_path: Path) -> None:
    harness = await _circle(tmp_path)
    try:
        circle = harness.app.directory.get("circle")
        assert circle is not None
        own = replace(circle, checkins=replace(circle.checkins, weekday=2, opens_at=time(9)))
        period = latest_period(own, datetime(2026, 11, 27, tzinfo=UTC))
        assert period.name == "2026-11-25"  # a Wednesday
        assert period.opens == datetime(2026, 11, 25, 9, 0, tzinfo=UTC)
    finally:
        await harness.close()


async def test_answers_and_notes_go_after_retention_and_totals_stay(tmp_path: Path) -> None:
    harness = await open_harness(tmp_path)
    try:
        crowd = people(10)
        await join_all(harness, crowd)
        for member in crowd:
            await check_in(harness, member, 4, "a note")
        await close_period(harness)
        assert await harness.app.checkins.purge() == 0  # not old yet
        harness.clock.advance(days=91)
        assert await harness.app.checkins.purge() == 10
        rows = await harness.app.database.fetch_all("SELECT * FROM checkins")
        assert rows == []
        circle = harness.app.directory.get("circle")
        assert circle is not None
        [kept] = await harness.app.checkins.releases(circle)
        assert kept.respondents == 10
        assert kept.notes == ()
    finally:
        await harness.close()
