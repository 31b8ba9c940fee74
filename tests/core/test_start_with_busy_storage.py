"""Start-up work that meets a locked database postpones itself instead of crashing."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.adapters.write_lock import WriteLock
from tests.harness import Harness, person, write_config

alice, bob = person("alice"), person("bob")


async def test_filling_seats_at_start_waits_for_a_later_chance(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    database = tmp_path / "bot.sqlite3"
    first = await Harness.open(write_config(tmp_path, capacity=1, database_path=database))
    await first.say("/join circle", as_=alice)
    await first.say("/join circle", as_=bob)
    await first.close()

    roomier = write_config(tmp_path, capacity=2, database_path=database, busy_timeout_ms=50)
    second = await Harness.open(roomier)
    try:
        with WriteLock(database):
            await second.app.start()  # must not raise
        mine = await second.text("/mygroups", as_=bob)
    finally:
        await second.close()

    assert "open seats not filled at start: storage unavailable (busy)" in caplog.text
    assert "waiting list, number 1" in mine  # nothing half-done; filled on a later start
