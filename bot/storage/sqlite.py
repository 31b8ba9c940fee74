"""SQLite implementation of the storage seam, on aiosqlite.

One connection per process, in autocommit mode; ``transaction()`` issues BEGIN IMMEDIATE /
COMMIT / ROLLBACK itself. An ``asyncio.Lock`` makes transactions one at a time: statements
issued through the database object while a transaction is open wait for it to finish. The
task that owns the open transaction must use the executor it was given; calling back into
the database object (or nesting ``transaction()``) raises RuntimeError instead of deadlocking.
"""

from __future__ import annotations

import asyncio
import logging
import sqlite3
from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager
from pathlib import Path
from types import MappingProxyType
from typing import Any

import aiosqlite

from bot.storage.database import Executor, Migration, Params, Row, StorageError
from bot.storage.migrations import apply_migrations, read_schema_version, run_statements

log = logging.getLogger(__name__)

BUSY_TIMEOUT_MS = 5000


def _row(row: sqlite3.Row) -> Row:
    return MappingProxyType(dict(row))


async def _execute(conn: aiosqlite.Connection, sql: str, params: Params | None) -> int:
    # One round trip to the database thread: a statement that changes rows has finished
    # when execute returns, so its cursor holds nothing and needs no (awaited) close.
    cursor = await conn.execute(sql, None if params is None else dict(params))
    return max(cursor.rowcount, 0)


async def _fetch_all(conn: aiosqlite.Connection, sql: str, params: Params | None) -> list[Row]:
    rows = await conn.execute_fetchall(sql, None if params is None else dict(params))
    return [_row(row) for row in rows]


async def _fetch_one(conn: aiosqlite.Connection, sql: str, params: Params | None) -> Row | None:
    # One round trip instead of three (execute, fetchone, close). Callers use fetch_one
    # for keyed or LIMIT-ed queries, so reading every row costs nothing extra.
    rows = await conn.execute_fetchall(sql, None if params is None else dict(params))
    return _row(next(iter(rows))) if rows else None


class _ConnectionExecutor:
    """Statements straight on the connection (no lock); a transaction's executor.

    ``finish()`` makes it unusable, so a transaction's executor cannot outlive it.
    """

    def __init__(self, conn: aiosqlite.Connection) -> None:
        self._conn: aiosqlite.Connection | None = conn

    def _live(self) -> aiosqlite.Connection:
        if self._conn is None:
            raise RuntimeError("This transaction has already finished; start a new one.")
        return self._conn

    def finish(self) -> None:
        self._conn = None

    async def execute(self, sql: str, params: Params | None = None) -> int:
        return await _execute(self._live(), sql, params)

    async def fetch_all(self, sql: str, params: Params | None = None) -> list[Row]:
        return await _fetch_all(self._live(), sql, params)

    async def fetch_one(self, sql: str, params: Params | None = None) -> Row | None:
        return await _fetch_one(self._live(), sql, params)


async def _run_sqlite_script(executor: Executor, script: str) -> None:
    """Run a migration, then refuse it if it left rows that break a foreign key.

    Migrations run with ``foreign_keys=OFF`` (SQLite ignores that pragma inside a
    transaction, so it is set around them) so that rebuilding a table cannot cascade-delete
    the rows that refer to it; this check puts the guarantee back before COMMIT.
    """
    await run_statements(executor, script)
    problems = await executor.fetch_all("PRAGMA foreign_key_check")
    if problems:
        tables = sorted({str(row["table"]) for row in problems})
        raise StorageError(
            f"it leaves {len(problems)} row(s) violating a foreign key in: {', '.join(tables)}"
        )


def _open_failure(path: Path | None, exc: BaseException) -> StorageError:
    where = "the in-memory database" if path is None else f"the database file {path}"
    text = str(exc)
    if isinstance(exc, sqlite3.DatabaseError) and "not a database" in text:
        reason = (
            "the file exists but is not a SQLite database (is storage.url pointing at the "
            "right file?)"
        )
    elif "unable to open" in text or isinstance(exc, OSError):
        reason = "it cannot be opened (check that the path exists and the bot may write there)"
    elif "readonly" in text:
        reason = "it is read-only (the bot needs to write to the file and its directory)"
    else:
        reason = text
    return StorageError(f"Cannot use {where}: {reason}. (SQLite said: {text})")


class SqliteDatabase:
    """A ``Database`` backed by one SQLite file (or memory, when ``path`` is None)."""

    def __init__(self, path: Path | None, migrations: Sequence[Migration]) -> None:
        self._path = path
        self._migrations = tuple(migrations)
        self._conn: aiosqlite.Connection | None = None
        self._lock = asyncio.Lock()
        self._owner: asyncio.Task[Any] | None = None

    @property
    def path(self) -> Path | None:
        return self._path

    # -- lifecycle -------------------------------------------------------------------------

    async def connect(self) -> None:
        """Open the database (creating file and parent directories) and apply migrations.

        Does nothing if already connected. Raises ``StorageError`` when the file cannot be
        used and ``SchemaTooNewError`` when a newer PeerCircle wrote it.
        """
        if self._conn is not None:
            return
        conn = await self._open()
        self._conn = conn
        try:
            await apply_migrations(self, self._migrations, run_script=_run_sqlite_script)
            await self.execute("PRAGMA foreign_keys = ON")
        except BaseException as exc:
            self._conn = None
            await conn.close()
            if isinstance(exc, sqlite3.Error):
                raise _open_failure(self._path, exc) from exc
            raise

    async def _open(self) -> aiosqlite.Connection:
        path = self._path
        if path is not None:
            try:
                path.parent.mkdir(parents=True, exist_ok=True)
            except OSError as exc:
                raise StorageError(
                    f"Cannot create the directory {path.parent} for the database: "
                    f"{exc.strerror or exc}."
                ) from exc
            if path.exists() and not path.is_file():
                raise StorageError(f"Cannot use {path} as the database: it is not a file.")
        try:
            conn = await aiosqlite.connect(
                ":memory:" if path is None else str(path), isolation_level=None
            )
        except (sqlite3.Error, OSError) as exc:
            raise _open_failure(path, exc) from exc
        try:
            conn.row_factory = sqlite3.Row
            await _execute(conn, f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}", None)
            if path is not None:
                # Touches the file first, so "not a database" surfaces here.
                row = await _fetch_one(conn, "PRAGMA journal_mode = WAL", None)
                mode = str(next(iter(row.values()))) if row else "?"
                if mode.lower() != "wal":
                    log.warning("SQLite refused WAL mode for %s (journal mode is %s)", path, mode)
            await _execute(conn, "PRAGMA synchronous = NORMAL", None)
            # Off while migrations run; switched on once they are applied (see connect).
            await _execute(conn, "PRAGMA foreign_keys = OFF", None)
        except BaseException as exc:
            await conn.close()
            if isinstance(exc, sqlite3.Error):
                raise _open_failure(path, exc) from exc
            raise
        return conn

    async def close(self) -> None:
        """Close the connection after any open transaction finishes. Safe to call twice."""
        if self._conn is None:
            return
        self._refuse_reentry("close()")
        async with self._lock:
            conn, self._conn = self._conn, None
            if conn is not None:
                await conn.close()

    # -- statements outside a transaction --------------------------------------------------

    def _refuse_reentry(self, what: str) -> None:
        task = asyncio.current_task()
        if task is not None and task is self._owner:
            raise RuntimeError(
                f"{what} was called on the database from inside a transaction() in the same "
                "task, which would wait for itself forever; use the executor yielded by "
                "transaction() instead."
            )

    def _connection(self) -> aiosqlite.Connection:
        if self._conn is None:
            raise RuntimeError("The database is not connected; call connect() first.")
        return self._conn

    async def execute(self, sql: str, params: Params | None = None) -> int:
        self._refuse_reentry("execute()")
        async with self._lock:
            return await _execute(self._connection(), sql, params)

    async def fetch_all(self, sql: str, params: Params | None = None) -> list[Row]:
        self._refuse_reentry("fetch_all()")
        async with self._lock:
            return await _fetch_all(self._connection(), sql, params)

    async def fetch_one(self, sql: str, params: Params | None = None) -> Row | None:
        self._refuse_reentry("fetch_one()")
        async with self._lock:
            return await _fetch_one(self._connection(), sql, params)

    async def schema_version(self) -> int:
        self._refuse_reentry("schema_version()")
        async with self._lock:
            return await read_schema_version(_ConnectionExecutor(self._connection()))

    # -- transactions ----------------------------------------------------------------------

    @asynccontextmanager
    async def transaction(self) -> AsyncIterator[Executor]:
        """BEGIN IMMEDIATE ... COMMIT, or ROLLBACK (and re-raise) if the body raises."""
        self._refuse_reentry("transaction()")
        async with self._lock:
            conn = self._connection()
            self._owner = asyncio.current_task()
            executor = _ConnectionExecutor(conn)
            try:
                await _execute(conn, "BEGIN IMMEDIATE", None)
                try:
                    yield executor
                    await _execute(conn, "COMMIT", None)
                except BaseException:
                    # Also after a failed COMMIT (e.g. a deferred foreign key), which SQLite
                    # leaves open.
                    await _rollback_quietly(conn)
                    raise
            finally:
                executor.finish()
                self._owner = None


async def _rollback_quietly(conn: aiosqlite.Connection) -> None:
    try:
        await _execute(conn, "ROLLBACK", None)
    except sqlite3.Error as exc:  # e.g. "no transaction is active" after a cancelled COMMIT
        log.warning("ROLLBACK failed: %s", exc)
