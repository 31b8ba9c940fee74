"""Storage failures told apart: each SQLite failure becomes StorageUnavailable with its
kind, while programming errors (constraints, bad SQL) propagate unchanged."""

from __future__ import annotations

import logging
import os
import sqlite3
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from bot.config import ConfigError, load_settings
from bot.storage import (
    Migration,
    SqliteDatabase,
    StorageError,
    StorageKind,
    StorageUnavailable,
)
from bot.storage.sqlite_errors import storage_kind
from tests.harness import Harness, write_config

NOTES = Migration(1, "notes", "CREATE TABLE notes (id INTEGER PRIMARY KEY, body TEXT UNIQUE);")
EXAMPLE = Path(__file__).parents[2] / "config.example.toml"


@pytest.fixture
def path(tmp_path: Path) -> Path:
    return tmp_path / "notes.sqlite3"


@pytest.fixture
async def db(path: Path) -> AsyncIterator[SqliteDatabase]:
    database = SqliteDatabase(path, [NOTES], busy_timeout_ms=100)
    await database.connect()
    yield database
    await database.close()


def coded(cls: type[sqlite3.Error], code: int | None, message: str = "x") -> sqlite3.Error:
    error = cls(message)
    if code is not None:
        error.sqlite_errorcode = code
    return error


@pytest.mark.parametrize(
    ("error", "kind"),
    [
        (coded(sqlite3.OperationalError, 5), StorageKind.BUSY),
        (coded(sqlite3.OperationalError, 6), StorageKind.BUSY),
        (coded(sqlite3.OperationalError, 5 | (1 << 8)), StorageKind.BUSY),  # BUSY_RECOVERY
        (coded(sqlite3.OperationalError, 8), StorageKind.READ_ONLY),
        (coded(sqlite3.OperationalError, 8 | (4 << 8)), StorageKind.GONE),  # DBMOVED
        (coded(sqlite3.OperationalError, 13), StorageKind.FULL),
        (coded(sqlite3.DatabaseError, 11), StorageKind.CORRUPT),
        (coded(sqlite3.DatabaseError, 26), StorageKind.CORRUPT),
        (coded(sqlite3.OperationalError, 10 | (3 << 8)), StorageKind.IO),  # IOERR_WRITE
        (coded(sqlite3.OperationalError, 14), StorageKind.IO),
        (coded(sqlite3.OperationalError, 7), StorageKind.OTHER),  # NOMEM
        (coded(sqlite3.OperationalError, 1, "no such table: t"), None),
        (coded(sqlite3.OperationalError, 21), None),  # MISUSE
        (coded(sqlite3.IntegrityError, 2067), None),
        (coded(sqlite3.ProgrammingError, None, "Cannot operate on a closed database."), None),
        (coded(sqlite3.OperationalError, None, "database is locked"), StorageKind.BUSY),
        (coded(sqlite3.OperationalError, None, "database or disk is full"), StorageKind.FULL),
        (coded(sqlite3.OperationalError, None, "near 'x': syntax error"), None),
    ],
    ids=lambda value: type(value).__name__ if isinstance(value, Exception) else str(value),
)
def test_sqlite_errors_are_sorted_into_kinds(
    error: sqlite3.Error, kind: StorageKind | None
) -> None:
    assert storage_kind(error) is kind


async def test_a_full_database_is_reported_as_full_without_the_data(db: SqliteDatabase) -> None:
    await db.execute("PRAGMA max_page_count = 3")
    with pytest.raises(StorageUnavailable) as caught:
        async with db.transaction() as tx:
            await tx.execute("INSERT INTO notes (body) VALUES (:b)", {"b": "secret " * 5000})
    assert caught.value.kind is StorageKind.FULL
    assert isinstance(caught.value.__cause__, sqlite3.OperationalError)
    assert str(caught.value).startswith("storage unavailable (full): the disk")
    assert "secret" not in str(caught.value)
    assert "INSERT" not in str(caught.value)
    assert "[SQLITE_FULL]" in str(caught.value)
    assert await db.fetch_all("SELECT * FROM notes") == []


async def test_a_database_refusing_writes_is_reported_as_read_only(db: SqliteDatabase) -> None:
    # SQLite's own "this may not be written", on the writer thread's connection (a
    # PRAGMA through the database object is run there), which an ordinary transaction uses
    await db.execute("PRAGMA query_only = ON")
    with pytest.raises(StorageUnavailable) as caught:
        async with db.transaction() as tx:
            await tx.execute("INSERT INTO notes (body) VALUES ('a')")
    assert caught.value.kind is StorageKind.READ_ONLY


async def test_another_connections_lock_is_reported_as_busy(db: SqliteDatabase, path: Path) -> None:
    blocker = sqlite3.connect(path, isolation_level=None)
    blocker.execute("BEGIN IMMEDIATE")
    try:
        with pytest.raises(StorageUnavailable) as caught:
            await db.execute("INSERT INTO notes (body) VALUES ('a')")
        with pytest.raises(StorageUnavailable) as in_transaction:
            async with db.transaction() as tx:
                await tx.execute("INSERT INTO notes (body) VALUES ('b')")
        assert await db.fetch_all("SELECT * FROM notes") == []  # reads still work
    finally:
        blocker.execute("ROLLBACK")
        blocker.close()
    assert caught.value.kind is in_transaction.value.kind is StorageKind.BUSY
    async with db.transaction() as tx:  # usable again
        await tx.execute("INSERT INTO notes (body) VALUES ('c')")
    assert await db.fetch_all("SELECT body FROM notes") == [{"body": "c"}]


async def test_a_lock_held_at_start_is_refused_with_what_to_do(
    db: SqliteDatabase, path: Path
) -> None:
    blocker = sqlite3.connect(path, isolation_level=None)
    blocker.execute("BEGIN IMMEDIATE")
    try:
        with pytest.raises(StorageError) as caught:
            await SqliteDatabase(path, [NOTES], busy_timeout_ms=100).connect()
    finally:
        blocker.execute("ROLLBACK")
        blocker.close()
    message = str(caught.value)
    assert f"Cannot use the database file {path}: another program holds its write lock" in message
    assert "storage.busy_timeout_ms" in message


async def test_programming_errors_propagate_unchanged(db: SqliteDatabase) -> None:
    await db.execute("INSERT INTO notes (body) VALUES ('a')")
    with pytest.raises(sqlite3.IntegrityError):
        await db.execute("INSERT INTO notes (body) VALUES ('a')")
    with pytest.raises(sqlite3.IntegrityError):
        async with db.transaction() as tx:
            await tx.execute("INSERT INTO notes (body) VALUES ('a')")
    with pytest.raises(sqlite3.OperationalError, match="no such table"):
        await db.fetch_all("SELECT * FROM no_such_table")
    with pytest.raises(sqlite3.OperationalError, match="syntax error"):
        await db.execute("INSER INTO notes VALUES (1)")


# -- damaged files ---------------------------------------------------------------------


async def filled(path: Path) -> None:
    database = SqliteDatabase(path, [NOTES])
    await database.connect()
    async with database.transaction() as tx:
        for n in range(200):
            await tx.execute("INSERT INTO notes (body) VALUES (:b)", {"b": f"{n:04d}" * 100})
    await database.close()


def unlink(path: Path) -> None:
    path.unlink()


def size(path: Path) -> int:
    return path.stat().st_size


def damage(path: Path, offset: int, length: int) -> None:
    with path.open("r+b") as file:
        file.seek(offset)
        file.write(b"\xff" * length)


async def test_a_damaged_file_is_refused_at_start_as_damaged(path: Path) -> None:
    await filled(path)
    damage(path, 100, 3000)  # the schema page, just after the 100-byte header
    with pytest.raises(StorageError) as caught:
        await SqliteDatabase(path, [NOTES]).connect()
    message = str(caught.value)
    assert f"Cannot use the database file {path}: the file is damaged" in message
    assert "restore it from a backup" in message


async def test_a_damaged_table_is_reported_as_corrupt_when_read(path: Path) -> None:
    await filled(path)
    damage(path, 4096 * 3, 4096 * 5)  # pages of the notes table
    database = SqliteDatabase(path, [NOTES])
    await database.connect()
    try:
        with pytest.raises(StorageUnavailable) as caught:
            await database.fetch_all("SELECT * FROM notes")
    finally:
        await database.close()
    assert caught.value.kind is StorageKind.CORRUPT


# -- deleted, replaced or moved aside ------------------------------------------------------


async def test_after_the_file_is_deleted_every_write_is_refused_for_good(
    db: SqliteDatabase, path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    await db.execute("INSERT INTO notes (body) VALUES ('kept')")
    unlink(path)
    for _ in range(2):
        with pytest.raises(StorageUnavailable) as caught:
            await db.execute("INSERT INTO notes (body) VALUES ('lost')")
        assert caught.value.kind is StorageKind.GONE
        with pytest.raises(StorageUnavailable, match=r"\(gone\)"):
            async with db.transaction():
                pytest.fail("the transaction must not start")
    assert await db.fetch_all("SELECT body FROM notes") == [{"body": "kept"}]
    sqlite3.connect(path).close()  # even a new file at the path does not lift the refusal
    with pytest.raises(StorageUnavailable):
        await db.execute("INSERT INTO notes (body) VALUES ('lost')")
    criticals = [r for r in caplog.records if r.levelno == logging.CRITICAL]
    assert len(criticals) == 1
    assert "was deleted or moved away while PeerCircle was running" in criticals[0].getMessage()

    unlink(path)
    await db.close()
    await db.connect()  # a restart opens whatever is at the path now
    await db.execute("INSERT INTO notes (body) VALUES ('new')")
    assert await db.fetch_all("SELECT body FROM notes") == [{"body": "new"}]


async def test_a_file_moved_aside_keeps_its_last_changes(db: SqliteDatabase, path: Path) -> None:
    for n in range(5):
        await db.execute("INSERT INTO notes (body) VALUES (:b)", {"b": f"note {n}"})
    aside = path.with_name("aside.sqlite3")
    os.rename(path, aside)
    with pytest.raises(StorageUnavailable):
        await db.execute("INSERT INTO notes (body) VALUES ('late')")
    await db.close()
    with sqlite3.connect(aside) as conn:
        count = conn.execute("SELECT COUNT(*) FROM notes").fetchone()
    conn.close()
    assert count == (5,)
    # Nothing is left to be played into a file that is later put at the old path.
    assert size(path.with_name("notes.sqlite3-wal")) == 0


# -- the busy timeout setting ----------------------------------------------------------------


async def test_busy_timeout_comes_from_the_config(tmp_path: Path) -> None:
    assert load_settings(EXAMPLE, environ={}).storage.busy_timeout_ms == 5000
    harness = await Harness.open(
        write_config(tmp_path, storage_url="sqlite:///bot.sqlite3", busy_timeout_ms=250)
    )
    try:
        assert await harness.app.database.fetch_one("PRAGMA busy_timeout") == {"timeout": 250}
    finally:
        await harness.close()


@pytest.mark.parametrize("value", [-1, 60001])
def test_busy_timeout_out_of_range_is_a_config_error(tmp_path: Path, value: int) -> None:
    with pytest.raises(ConfigError) as caught:
        load_settings(write_config(tmp_path, busy_timeout_ms=value), environ={})
    assert "storage.busy_timeout_ms" in str(caught.value)


@pytest.mark.parametrize("value", [-1, 60001])
def test_busy_timeout_out_of_range_is_refused_by_the_database(value: int) -> None:
    with pytest.raises(ValueError, match="busy_timeout_ms"):
        SqliteDatabase(None, [], busy_timeout_ms=value)
