"""Update ids recorded in the database: a webhook delivery repeated to another process
is dropped there, on both engines; and the webhook's own memory still answers when the
database does not."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest

from adapters.telegram.webhook import RecentUpdates
from bot.clock import SystemClock
from bot.storage.database import StorageKind, StorageUnavailable
from bot.update_ledger import PURGE_EVERY, SqlUpdateLedger
from tests.fakes.clock import FakeClock
from tests.harness import Harness, write_config

pytestmark = pytest.mark.both_engines


async def test_the_first_process_to_record_an_update_handles_it(tmp_path: Path) -> None:
    harness = await Harness.open(write_config(tmp_path, storage_url="sqlite:///bot.db"))
    try:
        one = RecentUpdates(ledger=SqlUpdateLedger(harness.app.database, SystemClock()))
        two = RecentUpdates(ledger=SqlUpdateLedger(harness.app.database, SystemClock()))
        assert await one.first_anywhere(1001)
        assert not await two.first_anywhere(1001)  # the repeat reached the other process
        assert not await one.first_anywhere(1001)
        assert await two.first_anywhere(1002)
        rows = await harness.app.database.fetch_all(
            "SELECT platform, update_id FROM platform_updates ORDER BY update_id"
        )
        assert [(r["platform"], r["update_id"]) for r in rows] == [
            ("telegram", 1001),
            ("telegram", 1002),
        ]
    finally:
        await harness.close()


class _Down:
    async def first_time(self, platform: str, update_id: int) -> bool:
        raise StorageUnavailable(StorageKind.BUSY)


async def test_without_the_database_its_own_memory_decides(
    caplog: pytest.LogCaptureFixture,
) -> None:
    seen = RecentUpdates(ledger=_Down())
    assert await seen.first_anywhere(7)
    assert not await seen.first_anywhere(7)
    assert await seen.first_anywhere(8)
    warnings = [r for r in caplog.records if "this process only" in r.getMessage()]
    assert len(warnings) == 1


async def test_ids_older_than_a_day_are_purged_every_few_hundred_records(
    tmp_path: Path,
) -> None:
    clock = FakeClock(datetime(2026, 11, 28, 12, 0, tzinfo=UTC))
    harness = await Harness.open(write_config(tmp_path, storage_url="sqlite:///bot.db"))
    database = harness.app.database
    try:
        ledger = SqlUpdateLedger(database, clock)
        for update_id in range(3):
            assert await ledger.first_time("telegram", update_id)
        clock.advance(hours=25)
        for update_id in range(100, 100 + PURGE_EVERY - 4):
            assert await ledger.first_time("telegram", update_id)
        assert len(await database.fetch_all("SELECT update_id FROM platform_updates")) == (
            PURGE_EVERY - 1
        )
        assert await ledger.first_time("telegram", 99)  # the 500th: the day-old go
        kept = await database.fetch_all("SELECT update_id FROM platform_updates")
    finally:
        await harness.close()
    assert len(kept) == PURGE_EVERY - 3
    assert {0, 1, 2}.isdisjoint(int(r["update_id"]) for r in kept)
