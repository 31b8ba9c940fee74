"""SQLite implementation of the storage seam, on aiosqlite.

Two connections per file, both in autocommit mode. The *writer* runs every write:
``transaction()`` issues BEGIN IMMEDIATE / COMMIT / ROLLBACK itself, and an
``asyncio.Lock`` gives it to one transaction (or ``execute``) at a time. The *reader*
answers ``fetch_one``/``fetch_all`` outside a transaction: WAL lets it read committed data
alongside a writer, so a read is never stuck behind a write waiting on another process's
lock. ``sqlite:///:memory:`` has a single connection (a second one would be another
database), so there reads wait for the lock too.

A file also has two plain ``sqlite3`` connections used on the event loop's own thread
(``bot.storage.sqlite_inline``): single statements outside a transaction and quick
transactions run there when they finish at once, sparing the round trip to a thread;
whatever would take long or wait for another process runs on the threads as above.

The task that owns the open transaction must use the executor it was given; calling back
into the database object (or nesting ``transaction()``) raises RuntimeError instead of
deadlocking or reading around its own uncommitted changes.

A claim written for several PostgreSQL workers (``SELECT ... FOR UPDATE SKIP LOCKED``)
runs here without its row-lock clause: every transaction already holds the file's write
lock (``BEGIN IMMEDIATE``), which is stronger.

Storage trouble (locked, read-only, full, damaged, deleted) is raised as
``StorageUnavailable``; programming errors such as ``sqlite3.IntegrityError`` propagate as
they are.
"""

from __future__ import annotations

import asyncio
import logging
import random
import sqlite3
import time
from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

import aiosqlite

from bot.storage.database import (
    Executor,
    Migration,
    Params,
    Row,
    StorageError,
    StorageKind,
    StorageUnavailable,
)
from bot.storage.migrations import apply_migrations, read_schema_version
from bot.storage.sqlite_checkpoints import (
    WAL_LIMIT_BYTES,
    Checkpoint,
    Checkpointer,
    CheckpointPolicy,
    empty_the_wal,
)
from bot.storage.sqlite_errors import open_failure
from bot.storage.sqlite_files import FileGuard, check_location
from bot.storage.sqlite_inline import InlineReader, InlineWriter
from bot.storage.sqlite_scripts import run_sqlite_script
from bot.storage.sqlite_scripts import split_sqlite_script as split_sqlite_script
from bot.storage.sqlite_threaded import (
    ThreadExecutor,
    connect_thread,
    execute_on,
    fetch_all_on,
    fetch_one_on,
    threaded_transaction,
)

log = logging.getLogger(__name__)

BUSY_TIMEOUT_MS = 5000
MAX_BUSY_TIMEOUT_MS = 60000
# Every connection but the writer's keeps 512 KB of pages instead of SQLite's 2 MB: the
# file's pages are in the system's cache anyway, and four full caches took the scale
# benchmark's resident memory past its 150 MB goal (python -m bench, part 5).
SIDE_CACHE = "PRAGMA cache_size = -512"


class SqliteDatabase:
    """A ``Database`` backed by one SQLite file (or memory, when ``path`` is None)."""

    dialect = "sqlite"

    def __init__(
        self,
        path: Path | None,
        migrations: Sequence[Migration],
        *,
        busy_timeout_ms: int = BUSY_TIMEOUT_MS,
        checkpoints: CheckpointPolicy | None = None,
    ) -> None:
        if not 0 <= busy_timeout_ms <= MAX_BUSY_TIMEOUT_MS:
            raise ValueError(f"busy_timeout_ms must be 0..{MAX_BUSY_TIMEOUT_MS}")
        self._path = path
        self._migrations = tuple(migrations)
        self._busy_timeout_ms = busy_timeout_ms
        self._conn: aiosqlite.Connection | None = None
        self._reader: aiosqlite.Connection | None = None
        self._inline_reader: InlineReader | None = None
        self._inline_writer: InlineWriter | None = None
        self._guard: FileGuard | None = None
        self._checkpoints = checkpoints or CheckpointPolicy()
        self._checkpointer: Checkpointer | None = None
        self._lock = asyncio.Lock()
        self._owner: asyncio.Task[Any] | None = None

    @property
    def path(self) -> Path | None:
        return self._path

    # -- lifecycle -------------------------------------------------------------------------

    async def connect(self) -> None:
        """Open the database (creating file and parent directories) and apply migrations.

        Does nothing if already connected. Raises ``StorageError`` when the file cannot be
        used (checked before SQLite opens it, so a refusal leaves no file behind) and
        ``SchemaTooNewError`` when a newer PeerCircle wrote it.
        """
        if self._conn is not None:
            return
        if self._path is not None:
            check_location(self._path)
        deadline = time.monotonic() + self._busy_timeout_ms / 1000
        while True:
            try:
                await self._connect_once()
                return
            except StorageError as error:
                # Processes starting together on a new file: SQLite may answer "locked"
                # at once (WAL switch, a read upgraded to a write) without waiting the
                # busy timeout; try again until that timeout has passed.
                if error.kind is not StorageKind.BUSY or time.monotonic() >= deadline:
                    raise
            await asyncio.sleep(random.uniform(0.02, 0.08))

    async def _connect_once(self) -> None:
        try:
            self._conn = await self._open_writer()
            if self._path is not None:
                self._guard = FileGuard(self._path)
            await apply_migrations(self, self._migrations, run_script=run_sqlite_script)
            await self.execute("PRAGMA foreign_keys = ON")
            if self._path is not None:
                self._reader = await connect_thread(str(self._path), self._pragmas(reader=True))
                self._inline_reader = InlineReader(self._path, self._pragmas(reader=True))
                writing = [*self._pragmas(reader=False), "PRAGMA foreign_keys = ON"]
                self._inline_writer = InlineWriter(self._path, [*writing, SIDE_CACHE])
                self._checkpointer = Checkpointer(self._path, self._checkpoints, self._lock)
                await self._checkpointer.start()
        except BaseException as exc:
            await self._disconnect()
            if isinstance(exc, sqlite3.Error | StorageUnavailable | OSError):
                raise open_failure(self._path, exc) from exc
            raise

    def _pragmas(self, *, reader: bool) -> list[str]:
        """Run on a new connection; busy_timeout first, so even the next one waits."""
        common = [f"PRAGMA busy_timeout = {self._busy_timeout_ms}", "PRAGMA synchronous = NORMAL"]
        if reader:  # a reader that tried to write would be a bug: make SQLite refuse it
            return [*common, "PRAGMA foreign_keys = ON", "PRAGMA query_only = ON", SIDE_CACHE]
        # foreign_keys is off while migrations run; switched on once they are applied.
        # secure_delete: a deleted or replaced row (an erased member, a replaced check-in
        # note) is overwritten in the file, not left in free pages for a disk reader.
        # No automatic checkpoint inside a COMMIT: a Checkpointer runs them beside the
        # writes (bot.storage.sqlite_checkpoints).
        return [
            *common,
            "PRAGMA foreign_keys = OFF",
            "PRAGMA secure_delete = ON",
            "PRAGMA wal_autocheckpoint = 0",
            f"PRAGMA journal_size_limit = {WAL_LIMIT_BYTES}",
        ]

    async def _open_writer(self) -> aiosqlite.Connection:
        path = self._path
        pragmas = self._pragmas(reader=False)
        conn = await connect_thread(":memory:" if path is None else str(path), pragmas[:1])
        try:
            if path is not None:
                # Touches the file first, so "not a database" surfaces here.
                row = await fetch_one_on(conn, "PRAGMA journal_mode = WAL", None)
                mode = str(next(iter(row.values()))) if row else "?"
                if mode.lower() != "wal":
                    log.warning("SQLite refused WAL mode for %s (journal mode is %s)", path, mode)
            for pragma in pragmas[1:]:
                await execute_on(conn, pragma, None)
        except BaseException:
            await conn.close()
            raise
        return conn

    async def close(self) -> None:
        """Close the connections after any open transaction finishes. Safe to call twice."""
        if self._conn is None:
            return
        self._refuse_reentry("close()")
        if self._checkpointer is not None:  # before the lock: a checkpoint may wait for it
            await self._checkpointer.close()
        async with self._lock:
            await self._disconnect()

    async def _disconnect(self) -> None:
        conn, self._conn = self._conn, None
        reader, self._reader = self._reader, None
        guard, self._guard = self._guard, None
        checkpointer, self._checkpointer = self._checkpointer, None
        for inline in (self._inline_reader, self._inline_writer):
            if inline is not None:
                inline.close()
        self._inline_reader = self._inline_writer = None
        if checkpointer is not None:
            await checkpointer.close()
        if reader is not None:
            await reader.close()
        if conn is None:
            return
        if guard is not None and guard.gone:
            await _flush_into_the_old_file(conn)
        elif guard is not None:
            await empty_the_wal(conn)
        await conn.close()

    # -- statements outside a transaction --------------------------------------------------

    def _refuse_reentry(self, what: str) -> None:
        task = asyncio.current_task()
        if task is not None and task is self._owner:
            raise RuntimeError(
                f"{what} was called on the database from inside a transaction() in the same "
                "task, which would wait for itself forever (or read around its own changes); "
                "use the executor yielded by transaction() instead."
            )

    def _connection(self) -> aiosqlite.Connection:
        if self._conn is None:
            raise RuntimeError("The database is not connected; call connect() first.")
        return self._conn

    def _check_file(self) -> None:
        """Before a write: refuse it if the database file was deleted or replaced."""
        if self._guard is not None:
            self._guard.check()

    async def execute(self, sql: str, params: Params | None = None) -> int:
        self._refuse_reentry("execute()")
        async with self._lock:
            conn = self._connection()
            self._check_file()
            inline = self._inline_writer
            changed = None if inline is None else inline.execute_at_once(sql, params)
            if changed is None:
                changed = await execute_on(conn, sql, params)
            self._wrote()
            return changed

    async def fetch_all(self, sql: str, params: Params | None = None) -> list[Row]:
        return await self._fetch("fetch_all()", sql, params)

    async def fetch_one(self, sql: str, params: Params | None = None) -> Row | None:
        rows = await self._fetch("fetch_one()", sql, params)
        return rows[0] if rows else None

    async def _fetch(self, what: str, sql: str, params: Params | None) -> list[Row]:
        self._refuse_reentry(what)
        if self._inline_reader is not None:
            rows = self._inline_reader.read(sql, params)
            if rows is not None:
                return rows
        if self._reader is not None:
            return await _read(self._reader, sql, params)
        async with self._lock:
            return await fetch_all_on(self._connection(), sql, params)

    async def schema_version(self) -> int:
        self._refuse_reentry("schema_version()")
        if self._reader is not None:
            return await read_schema_version(ThreadExecutor(self._reader))
        async with self._lock:
            return await read_schema_version(ThreadExecutor(self._connection()))

    def _wrote(self) -> None:
        if self._checkpointer is not None:
            self._checkpointer.wrote()

    async def checkpoint(self) -> Checkpoint | None:
        """A PASSIVE checkpoint now (None for a database in memory, which has no -wal)."""
        self._refuse_reentry("checkpoint()")
        return None if self._checkpointer is None else await self._checkpointer.checkpoint()

    # -- transactions ----------------------------------------------------------------------

    @asynccontextmanager
    async def transaction(self, *, quick: bool = False) -> AsyncIterator[Executor]:
        """BEGIN IMMEDIATE ... COMMIT, or ROLLBACK (and re-raise) if the body raises.

        ``quick``: a few keyed statements, run on the loop's thread when the write lock
        is free at once (``bot.storage.sqlite_inline``); otherwise on the writer thread."""
        self._refuse_reentry("transaction()")
        async with self._lock:
            conn = self._connection()
            self._check_file()
            self._owner = asyncio.current_task()
            inline = self._inline_writer if quick else None
            try:
                if inline is not None and inline.begin_at_once():
                    with inline.transaction() as executor:
                        yield executor
                else:
                    async with threaded_transaction(conn) as threaded:
                        yield threaded
                self._wrote()
            finally:
                self._owner = None


async def _read(reader: aiosqlite.Connection, sql: str, params: Params | None) -> list[Row]:
    try:
        return await fetch_all_on(reader, sql, params)
    except StorageUnavailable as exc:
        if exc.kind is StorageKind.READ_ONLY:  # the reader is query_only
            raise RuntimeError(
                "fetch_one()/fetch_all() on the database object only read; run a statement "
                "that writes (INSERT ... RETURNING) inside transaction()."
            ) from exc
        raise


async def _flush_into_the_old_file(conn: aiosqlite.Connection) -> None:
    """Before closing on a file that was deleted or replaced: copy the committed changes
    still in the ``-wal`` into the old file (through the open handle) and empty the ``-wal``.

    SQLite leaves the ``-wal`` of a moved database alone on close, and the next start
    would then play that other database's pages into whatever file now has the name. A
    file that was moved aside (``mv bot.sqlite3 old.sqlite3``) keeps its last changes.
    """
    try:
        await execute_on(conn, "PRAGMA wal_checkpoint(TRUNCATE)", None)
    except (sqlite3.Error, StorageUnavailable) as exc:
        log.error("Could not empty the -wal of the deleted or replaced database: %s", exc)
