"""SQLite statements on aiosqlite's threads: what ``SqliteDatabase`` runs there (every
statement that might take long or wait; see ``bot.storage.sqlite_inline`` for the rest).
"""

from __future__ import annotations

import logging
import sqlite3
from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager

import aiosqlite

from bot.storage.database import Executor, Params, Row, StorageUnavailable
from bot.storage.sql_text import without_row_locks
from bot.storage.sqlite_errors import translated
from bot.storage.sqlite_inline import as_row
from bot.storage.until_finished import UntilFinished

log = logging.getLogger(__name__)


async def execute_on(conn: aiosqlite.Connection, sql: str, params: Params | None) -> int:
    # One round trip to the database thread: a statement that changes rows has finished
    # when execute returns, so its cursor holds nothing and needs no (awaited) close.
    with translated():
        cursor = await conn.execute(
            without_row_locks(sql), None if params is None else dict(params)
        )
    return max(cursor.rowcount, 0)


async def fetch_all_on(conn: aiosqlite.Connection, sql: str, params: Params | None) -> list[Row]:
    with translated():
        rows = await conn.execute_fetchall(
            without_row_locks(sql), None if params is None else dict(params)
        )
    return [as_row(row) for row in rows]


async def fetch_one_on(conn: aiosqlite.Connection, sql: str, params: Params | None) -> Row | None:
    # One round trip instead of three (execute, fetchone, close). Callers use fetch_one
    # for keyed or LIMIT-ed queries, so reading every row costs nothing extra.
    rows = await fetch_all_on(conn, sql, params)
    return rows[0] if rows else None


class ThreadExecutor:
    """Statements straight on the connection (no lock); a transaction's executor.

    ``finish()`` makes it unusable, so a transaction's executor cannot outlive it.
    """

    def __init__(self, conn: aiosqlite.Connection) -> None:
        self._held = UntilFinished(conn)

    def finish(self) -> None:
        self._held.finish()

    async def execute(self, sql: str, params: Params | None = None) -> int:
        return await execute_on(self._held.get(), sql, params)

    async def fetch_all(self, sql: str, params: Params | None = None) -> list[Row]:
        return await fetch_all_on(self._held.get(), sql, params)

    async def fetch_one(self, sql: str, params: Params | None = None) -> Row | None:
        return await fetch_one_on(self._held.get(), sql, params)


async def connect_thread(target: str, pragmas: Sequence[str]) -> aiosqlite.Connection:
    """A connection in autocommit mode with ``pragmas`` run; closed again if one fails."""
    conn = await aiosqlite.connect(target, isolation_level=None)
    try:
        conn.row_factory = sqlite3.Row
        for pragma in pragmas:
            await execute_on(conn, pragma, None)
    except BaseException:
        await conn.close()
        raise
    return conn


@asynccontextmanager
async def threaded_transaction(conn: aiosqlite.Connection) -> AsyncIterator[Executor]:
    executor = ThreadExecutor(conn)
    try:
        await execute_on(conn, "BEGIN IMMEDIATE", None)
        try:
            yield executor
            await execute_on(conn, "COMMIT", None)
        except BaseException:
            # Also after a failed COMMIT (e.g. a deferred foreign key), which SQLite
            # leaves open.
            await rollback_quietly(conn)
            raise
    finally:
        executor.finish()


async def rollback_quietly(conn: aiosqlite.Connection) -> None:
    try:
        await execute_on(conn, "ROLLBACK", None)
    except (sqlite3.Error, StorageUnavailable) as exc:
        if "no transaction is active" in str(exc):
            # Nothing to undo: a COMMIT cancelled at stop had run already, or SQLite had
            # rolled back on its own (after SQLITE_BUSY or SQLITE_FULL, say).
            log.debug("ROLLBACK: no transaction was open")
            return
        log.warning("ROLLBACK failed: %s", exc)
