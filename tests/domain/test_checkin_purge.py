"""The daily purge takes exactly what is past retention: answers and the keyed markers
of periods that closed before it, released or not, and nothing of a later period. It
starts from the periods that still hold answers, so a year of long-purged periods
costs it nothing."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

from tests.domain.checkin_helpers import PERIOD, check_in, join_all, open_harness, people


async def test_the_purge_takes_old_answers_and_markers_and_keeps_the_open_weeks(
    tmp_path: Path,
) -> None:
    harness = await open_harness(tmp_path)
    try:
        crowd = people(5)
        await join_all(harness, crowd)
        for member in crowd[:3]:  # this week: never released (the bot was down, say)
            await check_in(harness, member, 3)
        harness.clock.advance(weeks=14)  # a Sunday again, just after the check-in opened
        for member in crowd[3:]:
            await check_in(harness, member, 4)
        db = harness.app.database
        later = (harness.clock.now() - timedelta(minutes=1)).date().isoformat()

        removed = await harness.app.checkins.purge()
        answers = await db.fetch_all("SELECT period FROM checkins")
        markers = await db.fetch_all("SELECT period FROM checkin_markers")
        again = await harness.app.checkins.purge()
    finally:
        await harness.close()

    assert later != PERIOD
    assert removed == 3
    assert sorted(row["period"] for row in answers) == [later, later]
    assert sorted(row["period"] for row in markers) == [later, later]
    assert again == 0
