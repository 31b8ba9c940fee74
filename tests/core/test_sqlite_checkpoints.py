"""SQLite checkpoints beside the writes (bot.storage.sqlite_checkpoints): no automatic
checkpoint inside a COMMIT, a -wal kept small by the background ones under steady
writes, an empty -wal after a clean close, and a crash at any moment reopens whole."""

from __future__ import annotations

import asyncio
import logging
import signal
import sqlite3
import subprocess
import sys
from collections.abc import AsyncIterator
from pathlib import Path

import aiosqlite
import pytest

from bot.storage import SqliteDatabase, load_migrations
from bot.storage.sqlite_checkpoints import CheckpointPolicy, empty_the_wal

NOTES = "CREATE TABLE notes (id INTEGER PRIMARY KEY, body BLOB NOT NULL);\n"
BODY = b"x" * 3000  # about a page of its own in every commit
KB = 1024


def wal_of(path: Path) -> Path:
    return path.with_name(path.name + "-wal")


def wal_size(path: Path) -> int:
    wal = wal_of(path)
    return wal.stat().st_size if wal.exists() else 0


@pytest.fixture
def migrations(tmp_path: Path) -> Path:
    folder = tmp_path / "migrations"
    folder.mkdir()
    (folder / "0001_notes.sql").write_text(NOTES, encoding="utf-8")
    return folder


async def opened(path: Path, migrations: Path, policy: CheckpointPolicy) -> SqliteDatabase:
    database = SqliteDatabase(path, load_migrations(migrations), checkpoints=policy)
    await database.connect()
    return database


@pytest.fixture
async def db(tmp_path: Path, migrations: Path) -> AsyncIterator[SqliteDatabase]:
    never = CheckpointPolicy(every=3600, after_writes=10**9)
    database = await opened(tmp_path / "bot.db", migrations, never)
    yield database
    await database.close()


async def write_notes(db: SqliteDatabase, count: int, *, pause_every: int = 0) -> int:
    """``count`` commits of a page each; the largest the -wal grew meanwhile."""
    assert db.path is not None
    largest = 0
    for n in range(count):
        async with db.transaction() as tx:
            await tx.execute("INSERT INTO notes (body) VALUES (:body)", {"body": BODY})
        largest = max(largest, wal_size(db.path))
        if pause_every and n % pause_every == 0:
            await asyncio.sleep(0.001)  # as between commands: the checkpoint gets a turn
    return largest


async def test_the_writer_never_checkpoints_inside_a_commit(db: SqliteDatabase) -> None:
    async with db.transaction() as tx:
        assert await tx.fetch_one("PRAGMA wal_autocheckpoint") == {"wal_autocheckpoint": 0}
    # With SQLite's automatic checkpoint, 1,000 pages would have started the -wal over.
    assert await write_notes(db, 1500) > 1500 * 4 * KB


async def test_background_checkpoints_keep_the_wal_small_under_steady_writes(
    tmp_path: Path, migrations: Path
) -> None:
    path = tmp_path / "bot.db"
    often = CheckpointPolicy(every=0.05, after_writes=50, max_frames=100)
    db = await opened(path, migrations, often)
    try:
        largest = await write_notes(db, 3000, pause_every=10)
        assert largest < 4096 * KB  # 3,000 commits of 12 KB would be 36 MB
        async with db.transaction() as tx:
            row = await tx.fetch_one("SELECT COUNT(*) AS n FROM notes")
        assert row == {"n": 3000}
    finally:
        await db.close()


async def test_a_checkpoint_copies_the_wal_into_the_file(db: SqliteDatabase) -> None:
    await write_notes(db, 20)
    done = await db.checkpoint()
    assert done is not None
    assert done.complete
    assert done.frames >= 20
    assert db.path is not None
    with sqlite3.connect(f"file:{db.path}?mode=ro", uri=True) as reader:
        assert reader.execute("SELECT COUNT(*) FROM notes").fetchone() == (20,)
    reader.close()


async def test_a_clean_close_leaves_the_wal_empty(tmp_path: Path, migrations: Path) -> None:
    path = tmp_path / "bot.db"
    db = await opened(path, migrations, CheckpointPolicy(every=3600))
    other = sqlite3.connect(path)  # another process's connection: SQLite keeps the -wal
    try:
        await write_notes(db, 50)
        assert wal_size(path) > 50 * 4 * KB
        await db.close()
        assert wal_size(path) == 0
        assert other.execute("SELECT COUNT(*) FROM notes").fetchone() == (50,)
    finally:
        other.close()
        await db.close()


WRITER = """
import asyncio, sys
from pathlib import Path
from bot.storage import SqliteDatabase, load_migrations
from bot.storage.sqlite_checkpoints import CheckpointPolicy

async def main() -> None:
    policy = CheckpointPolicy(every=0.005, after_writes=5)
    db = SqliteDatabase(Path(sys.argv[1]), load_migrations(Path(sys.argv[2])), checkpoints=policy)
    await db.connect()
    n = 0
    while True:
        n += 1
        async with db.transaction() as tx:
            await tx.execute("INSERT INTO notes VALUES (:n, :b)", {"n": n, "b": b"y" * 3000})
        print(n, flush=True)  # committed
        await asyncio.sleep(0)

asyncio.run(main())
"""


def test_a_crash_amid_writes_and_checkpoints_reopens_with_every_commit(
    tmp_path: Path, migrations: Path
) -> None:
    path = tmp_path / "bot.db"
    root = Path(__file__).parents[2]
    env = {"PYTHONPATH": str(root)}
    args = [sys.executable, "-c", WRITER, str(path), str(migrations)]
    with subprocess.Popen(args, stdout=subprocess.PIPE, text=True, env=env) as writer:
        assert writer.stdout is not None
        committed = 0
        for line in writer.stdout:
            committed = int(line)
            if committed >= 400:
                break
        writer.send_signal(signal.SIGKILL)  # no close, no final checkpoint
        writer.wait(timeout=10)
    assert committed >= 400
    conn = sqlite3.connect(path)
    try:
        assert conn.execute("PRAGMA integrity_check").fetchone() == ("ok",)
        [(count, highest)] = conn.execute("SELECT COUNT(*), MAX(id) FROM notes").fetchall()
        assert highest >= committed  # every commit
        assert count == highest  # and no gap
    finally:
        conn.close()


async def test_a_checkpoint_at_close_kept_from_finishing_is_left_for_later_quietly(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    """A statement of the connection's still open (one cut off at stop) keeps the
    TRUNCATE from running: safe, so no warning in the operator's log."""
    path = tmp_path / "held.db"
    async with aiosqlite.connect(path, isolation_level=None) as conn:
        for pragma in ("journal_mode = WAL", "wal_autocheckpoint = 0"):
            await conn.execute(f"PRAGMA {pragma}")
        await conn.execute("CREATE TABLE t (x INTEGER)")
        await conn.execute("INSERT INTO t VALUES (1), (2)")
        open_statement = await conn.execute("SELECT x FROM t")
        assert await open_statement.fetchone() == (1,)  # one row read: still running
        caplog.set_level(logging.INFO, logger="bot.storage.sqlite_checkpoints")
        await empty_the_wal(conn)
        await open_statement.close()
    assert [r for r in caplog.records if r.levelno >= logging.WARNING] == []
    assert any("left for later" in r.getMessage() for r in caplog.records)
