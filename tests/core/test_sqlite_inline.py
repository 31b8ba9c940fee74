"""SQLite statements on the event loop's thread (``bot.storage.sqlite_inline``): small
ones run there; a big one, or one that would wait for another process's lock, is run
by aiosqlite's threads instead, so the loop never stalls (a ticker task measures it)."""

from __future__ import annotations

import asyncio
import logging
import sqlite3
import threading
import time
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager
from pathlib import Path

import pytest

from bot.storage import Migration, SqliteDatabase, StorageKind, StorageUnavailable
from bot.storage.sqlite_inline import SLOW_TRANSACTION

NOTES = Migration(1, "notes", "CREATE TABLE notes (id INTEGER PRIMARY KEY, body TEXT UNIQUE);")
# A statement SQLite needs far longer than READ_BUDGET for (about a second here).
BIG_COUNT = (
    "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 3000000)"
    " SELECT count(*) AS c FROM n"
)
BIG_INSERT = (
    "INSERT INTO notes (body) WITH RECURSIVE n(i) AS"
    " (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 300000) SELECT 'b' || i FROM n"
)
STALL = 0.1  # seconds: the longest the loop may go without running the ticker


@pytest.fixture
async def db(tmp_path: Path) -> AsyncIterator[SqliteDatabase]:
    database = SqliteDatabase(tmp_path / "notes.sqlite3", [NOTES], busy_timeout_ms=3000)
    await database.connect()
    yield database
    await database.close()


@asynccontextmanager
async def longest_stall() -> AsyncIterator[list[float]]:
    """The longest gap between the ticks of a task that ticks every millisecond."""
    found = [0.0]

    async def tick() -> None:
        last = time.perf_counter()
        while True:
            await asyncio.sleep(0.001)
            now = time.perf_counter()
            found[0] = max(found[0], now - last)
            last = now

    ticker = asyncio.create_task(tick())
    await asyncio.sleep(0.01)
    try:
        yield found
        await asyncio.sleep(0.01)  # the ticker's turn, to see a stall that just ended
    finally:
        ticker.cancel()


@pytest.fixture
def blocker(db: SqliteDatabase) -> Iterator[sqlite3.Connection]:
    assert db.path is not None
    other = sqlite3.connect(db.path, isolation_level=None, check_same_thread=False)
    yield other
    if other.in_transaction:
        other.execute("ROLLBACK")
    other.close()


def hold_write_lock(other: sqlite3.Connection, seconds: float) -> threading.Thread:
    """Another process's writer, in effect: holds the file's write lock a while."""
    other.execute("BEGIN IMMEDIATE")
    release = threading.Timer(seconds, lambda: other.execute("COMMIT"))
    release.start()
    return release


async def _insert_then_fail(db: SqliteDatabase) -> None:
    async with db.transaction(quick=True) as tx:
        await tx.execute("INSERT INTO notes (body) VALUES ('undone')")
        _ = 1 / 0


async def _insert_twice(db: SqliteDatabase) -> None:
    async with db.transaction(quick=True) as tx:
        await tx.execute("INSERT INTO notes (body) VALUES ('twice')")
        await tx.execute("INSERT INTO notes (body) VALUES ('twice')")


async def test_a_quick_transaction_commits_and_rolls_back(db: SqliteDatabase) -> None:
    async with db.transaction(quick=True) as tx:
        await tx.execute("INSERT INTO notes (body) VALUES ('kept')")
        assert await tx.fetch_one("SELECT body FROM notes") == {"body": "kept"}
    with pytest.raises(ZeroDivisionError):
        await _insert_then_fail(db)
    with pytest.raises(sqlite3.IntegrityError):  # a bug still propagates as it is
        await _insert_twice(db)
    assert await db.fetch_all("SELECT body FROM notes") == [{"body": "kept"}]
    with pytest.raises(RuntimeError, match="already finished"):
        await tx.execute("INSERT INTO notes (body) VALUES ('late')")


async def test_a_quick_transaction_waits_for_another_writer_off_the_loop(
    db: SqliteDatabase, blocker: sqlite3.Connection
) -> None:
    release = hold_write_lock(blocker, 0.4)
    started = time.perf_counter()
    async with longest_stall() as stall:
        async with db.transaction(quick=True) as tx:
            await tx.execute("INSERT INTO notes (body) VALUES ('after the lock')")
        assert await db.execute("INSERT INTO notes (body) VALUES ('single')") == 1
    release.join()
    assert time.perf_counter() - started >= 0.35  # it did wait for the lock...
    assert stall[0] < STALL  # ...on the writer thread, not on the loop
    assert len(await db.fetch_all("SELECT body FROM notes")) == 2


async def test_a_lock_held_past_the_busy_timeout_is_still_reported_as_busy(
    tmp_path: Path,
) -> None:
    database = SqliteDatabase(tmp_path / "n.sqlite3", [NOTES], busy_timeout_ms=100)
    await database.connect()
    assert database.path is not None
    other = sqlite3.connect(database.path, isolation_level=None)
    other.execute("BEGIN IMMEDIATE")
    try:
        with pytest.raises(StorageUnavailable) as caught:
            async with database.transaction(quick=True) as tx:
                await tx.execute("INSERT INTO notes (body) VALUES ('a')")
        assert caught.value.kind is StorageKind.BUSY
    finally:
        other.execute("ROLLBACK")
        other.close()
        await database.close()


async def test_a_big_read_is_answered_by_the_thread_without_stalling_the_loop(
    db: SqliteDatabase,
) -> None:
    async with longest_stall() as first:
        assert await db.fetch_one(BIG_COUNT) == {"c": 3000000}
    async with longest_stall() as second:
        assert await db.fetch_one(BIG_COUNT) == {"c": 3000000}  # straight to the thread
    assert first[0] < STALL
    assert second[0] < STALL


async def test_a_big_single_write_runs_once_on_the_thread(db: SqliteDatabase) -> None:
    async with longest_stall() as stall:
        assert await db.execute(BIG_INSERT) == 300000
    assert stall[0] < STALL
    assert await db.fetch_one("SELECT count(*) AS c FROM notes") == {"c": 300000}


async def test_small_statements_run_on_the_loop(db: SqliteDatabase) -> None:
    """Inline, a small read takes microseconds; through a thread it would yield to the
    loop at least once, which a task counting its turns would see."""
    await db.execute("INSERT INTO notes (body) VALUES ('x')")
    turns = 0

    async def count_turns() -> None:
        nonlocal turns
        while True:
            turns += 1
            await asyncio.sleep(0)

    counter = asyncio.create_task(count_turns())
    await asyncio.sleep(0)
    before = turns
    for _ in range(50):
        assert await db.fetch_one("SELECT body FROM notes WHERE id = 1") == {"body": "x"}
        assert await db.execute("UPDATE notes SET body = 'x' WHERE id = 1") == 1
        async with db.transaction(quick=True) as tx:
            await tx.execute("UPDATE notes SET body = 'x' WHERE id = 1")
    assert turns == before
    counter.cancel()


async def test_a_quick_transaction_that_holds_on_long_is_logged_without_values(
    db: SqliteDatabase, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.WARNING, logger="bot.storage.sqlite_inline")
    async with db.transaction(quick=True) as tx:
        await tx.execute("INSERT INTO notes (body) VALUES (:body)", {"body": "private words"})
        await asyncio.sleep(SLOW_TRANSACTION + 0.02)  # the write lock held meanwhile
    [told] = [r.getMessage() for r in caplog.records]
    assert "quick transaction took" in told
    assert "INSERT INTO notes (body)" in told
    assert "private words" not in told
    async with db.transaction(quick=True) as tx:
        await tx.execute("INSERT INTO notes (body) VALUES ('fast')")
    assert len(caplog.records) == 1
