"""A transaction that fails after SQLite already ended it (a COMMIT cancelled at stop
that had run, or SQLite's own rollback after SQLITE_BUSY): the ROLLBACK finds nothing
open, which is not a problem worth a warning in the operator's log."""

from __future__ import annotations

import logging
from pathlib import Path

import pytest

from bot.storage import SqliteDatabase, load_migrations


class Boom(Exception):
    pass


async def _commit_then_fail(database: SqliteDatabase) -> None:
    async with database.transaction() as tx:
        await tx.execute("INSERT INTO notes (n) VALUES (1)")
        await tx.execute("COMMIT")  # the transaction ends here, as a finished COMMIT
        raise Boom


async def test_a_rollback_with_no_transaction_open_warns_nobody(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    folder = tmp_path / "migrations"
    folder.mkdir()
    (folder / "0001_notes.sql").write_text("CREATE TABLE notes (n INTEGER);", encoding="utf-8")
    database = SqliteDatabase(tmp_path / "bot.db", load_migrations(folder))
    await database.connect()
    caplog.set_level(logging.DEBUG, logger="bot.storage.sqlite_threaded")
    try:
        with pytest.raises(Boom):
            await _commit_then_fail(database)
        assert await database.fetch_all("SELECT n FROM notes") == [{"n": 1}]
    finally:
        await database.close()
    assert [r for r in caplog.records if r.levelno >= logging.WARNING] == []
    assert any("no transaction was open" in r.getMessage() for r in caplog.records)
