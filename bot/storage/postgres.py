"""PostgreSQL implementation of the storage seam, on asyncpg: for several bot processes
sharing one database (``storage.url = "postgresql://user@host:5432/database"``).

A pool of connections; each ``transaction()`` gets one of its own, so transactions run
side by side (SQLite runs them one at a time). They are READ COMMITTED: every statement
sees what was committed before it began, and a row one transaction changed is locked
until it ends. That is what the repositories rely on:

- the seat lock (``UPDATE groups SET seat_version = ...``) makes joins and leaves of one
  group wait for each other, and what they read after it is up to date;
- ``INSERT ... ON CONFLICT`` on a unique key makes every outbox message, reminder and
  check-in exist once, however many processes write it at the same moment;
- a claim selects its row ``FOR UPDATE SKIP LOCKED``, so workers in several processes
  each take a different row, and an UPDATE guarded by the state it read owns it.

Reads through the database object (``fetch_one``/``fetch_all``) run on their own,
read-only (the pool's sessions are ``default_transaction_read_only``), so a statement that
writes outside ``transaction()`` is refused as the bug it is, as on SQLite; ``execute``
outside a transaction is its own short write transaction. A write that waits for another
one's lock longer than ``storage.busy_timeout_ms`` (PostgreSQL's ``lock_timeout``) fails
with ``StorageUnavailable(BUSY)``; a server that cannot be reached, ``UNREACHABLE``.

Migrations run at connect, each in a transaction that first takes a PostgreSQL advisory
lock, so processes starting together apply each migration once, one after the other.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator, Sequence
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from decimal import Decimal
from types import MappingProxyType
from typing import Any

import asyncpg

from bot.storage.database import (
    Executor,
    Migration,
    Params,
    Row,
    StorageError,
    StorageUnavailable,
)
from bot.storage.migrations import apply_migrations, read_schema_version
from bot.storage.postgres_errors import open_failure, translated
from bot.storage.sql_text import numbered_parameters
from bot.storage.until_finished import UntilFinished
from bot.storage.urls import PostgresAddress

log = logging.getLogger(__name__)

POOL_SIZE = 10
CONNECT_TIMEOUT_SECONDS = 10.0
CLOSE_GRACE_SECONDS = 10.0
IDLE_IN_TRANSACTION = "60s"  # no transaction of ours waits on anything but the database
MIGRATION_LOCK_WAIT = "300s"  # another process applying a long migration: wait for it
# pg_advisory_xact_lock key shared by every PeerCircle process: "PCMIGRAT" in ASCII.
MIGRATION_LOCK_KEY = int.from_bytes(b"PCMIGRAT", "big")
_BEGIN = "BEGIN ISOLATION LEVEL READ COMMITTED READ WRITE"
_CHANGES = frozenset({"INSERT", "UPDATE", "DELETE", "MERGE", "COPY"})

Connection = Any  # asyncpg's pool hands out proxies of asyncpg.Connection


def bind(sql: str, params: Params | None) -> tuple[str, list[Any]]:
    """The statement with ``$n`` for each ``:name``, and the values in that order."""
    text, names = numbered_parameters(sql)
    if not names:
        return text, []
    given = params or {}
    missing = [name for name in names if name not in given]
    if missing:
        raise ValueError(f"no value was given for the parameter(s) :{', :'.join(missing)}")
    return text, [given[name] for name in names]


def _plain(value: Any) -> Any:
    """As SQLite would give it: a SUM or an AVG (``numeric``) as int or float."""
    if isinstance(value, Decimal):
        return int(value) if value == value.to_integral_value() else float(value)
    return value


def _row(record: asyncpg.Record) -> Row:
    return MappingProxyType({key: _plain(value) for key, value in record.items()})


def _changed(status: str) -> int:
    """Rows changed, from a command tag like ``INSERT 0 3`` or ``UPDATE 2``."""
    words = status.split()
    if words and words[0] in _CHANGES and words[-1].isdigit():
        return int(words[-1])
    return 0


class _ConnectionExecutor:
    """Statements on one connection: a transaction's executor, unusable once it ends."""

    def __init__(self, conn: Connection) -> None:
        self._held = UntilFinished(conn)

    def finish(self) -> None:
        self._held.finish()

    async def execute(self, sql: str, params: Params | None = None) -> int:
        text, values = bind(sql, params)
        conn = self._held.get()
        with translated():
            return _changed(await conn.execute(text, *values))

    async def fetch_all(self, sql: str, params: Params | None = None) -> list[Row]:
        text, values = bind(sql, params)
        conn = self._held.get()
        with translated():
            records = await conn.fetch(text, *values)
        return [_row(record) for record in records]

    async def fetch_one(self, sql: str, params: Params | None = None) -> Row | None:
        text, values = bind(sql, params)
        conn = self._held.get()
        with translated():
            record = await conn.fetchrow(text, *values)
        return None if record is None else _row(record)


class PostgresDatabase:
    """A ``Database`` backed by one PostgreSQL database, through a pool of connections."""

    dialect = "postgres"

    def __init__(
        self,
        address: PostgresAddress,
        migrations: Sequence[Migration],
        *,
        busy_timeout_ms: int,
        pool_size: int = POOL_SIZE,
    ) -> None:
        if pool_size < 1:
            raise ValueError("pool_size must be at least 1")
        self._address = address
        self._migrations = tuple(migrations)
        self._busy_timeout_ms = busy_timeout_ms
        self._pool_size = pool_size
        self._pool: asyncpg.Pool | None = None
        self._owners: set[asyncio.Task[Any]] = set()

    @property
    def address(self) -> PostgresAddress:
        return self._address

    def __repr__(self) -> str:
        return f"PostgresDatabase({self._address.shown!r})"

    # -- lifecycle -------------------------------------------------------------------------

    async def connect(self) -> None:
        """Open the pool and apply pending migrations (under the migration lock).

        Does nothing if already connected. Raises ``StorageError`` saying what to fix
        (the server, the login, the database, the rights) and ``SchemaTooNewError`` when a
        newer PeerCircle wrote the database.
        """
        if self._pool is not None:
            return
        try:
            self._pool = await self._open_pool()
            await apply_migrations(_MigrationLock(self), self._migrations, dialect=self.dialect)
        except BaseException as exc:
            await self._disconnect()
            if isinstance(exc, StorageError | asyncio.CancelledError):
                raise
            if isinstance(exc, Exception):
                raise open_failure(self._address, exc) from exc
            raise

    async def _open_pool(self) -> asyncpg.Pool:
        # lock_timeout 0 would mean "wait forever": a busy timeout of 0 is "hardly at all".
        lock_timeout = max(self._busy_timeout_ms, 1)
        try:
            with translated():
                return await asyncpg.create_pool(
                    dsn=self._address.dsn,
                    min_size=1,
                    max_size=self._pool_size,
                    timeout=CONNECT_TIMEOUT_SECONDS,
                    server_settings={
                        "application_name": "peercircle",
                        "lock_timeout": f"{lock_timeout}ms",
                        "default_transaction_read_only": "on",
                        # A process that vanished (a host lost, not a kill: the server
                        # sees that at once) lets go of its row locks after this.
                        "idle_in_transaction_session_timeout": IDLE_IN_TRANSACTION,
                    },
                )
        except (ValueError, asyncpg.InterfaceError) as exc:  # never quote the address
            raise StorageError(
                f"Cannot use the PostgreSQL database {self._address.shown}: asyncpg cannot "
                f"read that address ({type(exc).__name__}); check storage.url."
            ) from None

    async def close(self) -> None:
        """Close the pool once open transactions end (at most ``CLOSE_GRACE_SECONDS``).
        Safe to call twice."""
        if self._pool is None:
            return
        self._refuse_reentry("close()")
        await self._disconnect()

    async def _disconnect(self) -> None:
        pool, self._pool = self._pool, None
        if pool is None:
            return
        try:
            await asyncio.wait_for(pool.close(), CLOSE_GRACE_SECONDS)
        except (TimeoutError, asyncpg.PostgresError, asyncpg.InterfaceError, OSError) as exc:
            log.warning("PostgreSQL pool closed abruptly (%s)", type(exc).__name__)
            pool.terminate()

    # -- statements outside a transaction --------------------------------------------------

    def _refuse_reentry(self, what: str) -> None:
        if asyncio.current_task() in self._owners:
            raise RuntimeError(
                f"{what} was called on the database from inside a transaction() in the same "
                "task, which would wait for itself (or read around its own changes); use "
                "the executor yielded by transaction() instead."
            )

    def _live_pool(self) -> asyncpg.Pool:
        if self._pool is None:
            raise RuntimeError("The database is not connected; call connect() first.")
        return self._pool

    async def execute(self, sql: str, params: Params | None = None) -> int:
        self._refuse_reentry("execute()")
        async with self._transaction() as tx:
            return await tx.execute(sql, params)

    async def fetch_all(self, sql: str, params: Params | None = None) -> list[Row]:
        self._refuse_reentry("fetch_all()")
        async with self._reading() as reader:
            return await reader.fetch_all(sql, params)

    async def fetch_one(self, sql: str, params: Params | None = None) -> Row | None:
        self._refuse_reentry("fetch_one()")
        async with self._reading() as reader:
            return await reader.fetch_one(sql, params)

    async def schema_version(self) -> int:
        self._refuse_reentry("schema_version()")
        async with self._reading() as reader:
            return await read_schema_version(reader)

    @asynccontextmanager
    async def _reading(self) -> AsyncIterator[Executor]:
        """A connection for one read (autocommit, read-only)."""
        pool = self._live_pool()
        with translated():
            conn = await pool.acquire()
        executor = _ConnectionExecutor(conn)
        try:
            yield executor
        except StorageUnavailable as exc:
            if exc.code_name == "SQLSTATE 25006":  # the session refuses writes
                raise RuntimeError(
                    "fetch_one()/fetch_all() on the database object only read; run a "
                    "statement that writes (INSERT ... RETURNING) inside transaction()."
                ) from exc
            raise
        finally:
            executor.finish()
            await _release(pool, conn)

    # -- transactions ----------------------------------------------------------------------

    def transaction(self, *, quick: bool = False) -> AbstractAsyncContextManager[Executor]:
        """BEGIN (read committed, read write) ... COMMIT, or ROLLBACK (and re-raise) if
        the body raises. Other transactions run meanwhile, each on its own connection
        (``quick`` changes nothing here: asyncpg has no thread to save)."""
        self._refuse_reentry("transaction()")
        return self._transaction()

    @asynccontextmanager
    async def _transaction(self, *first: str) -> AsyncIterator[Executor]:
        pool = self._live_pool()
        with translated():
            conn = await pool.acquire()
        task = asyncio.current_task()
        if task is not None:
            self._owners.add(task)
        executor = _ConnectionExecutor(conn)
        try:
            with translated():
                await conn.execute(_BEGIN)
            try:
                for statement in first:
                    await executor.execute(statement, {"key": MIGRATION_LOCK_KEY})
                yield executor
                with translated():
                    await conn.execute("COMMIT")
            except BaseException:
                await _rollback_quietly(conn)
                raise
        finally:
            executor.finish()
            if task is not None:
                self._owners.discard(task)
            await _release(pool, conn)

    def migration_transaction(self) -> AbstractAsyncContextManager[Executor]:
        """A transaction that first waits for the migration lock (held until it ends)."""
        return self._transaction(
            f"SET LOCAL lock_timeout = '{MIGRATION_LOCK_WAIT}'",
            "SELECT pg_advisory_xact_lock(:key)",
        )


class _MigrationLock:
    """What ``apply_migrations`` runs on: each of its transactions holds the advisory
    migration lock, so two processes never create or migrate the schema at once."""

    def __init__(self, database: PostgresDatabase) -> None:
        self._database = database

    def transaction(self) -> AbstractAsyncContextManager[Executor]:
        return self._database.migration_transaction()

    async def execute(self, sql: str, params: Params | None = None) -> int:
        return await self._database.execute(sql, params)

    async def fetch_all(self, sql: str, params: Params | None = None) -> list[Row]:
        return await self._database.fetch_all(sql, params)

    async def fetch_one(self, sql: str, params: Params | None = None) -> Row | None:
        return await self._database.fetch_one(sql, params)


async def _rollback_quietly(conn: Connection) -> None:
    """After a failure: end the transaction, if the connection is still there to end it
    on (the server rolls back whatever a lost connection had begun)."""
    try:
        if not conn.is_closed():
            await conn.execute("ROLLBACK")
    except Exception as exc:  # a connection the pool already took back, a dead socket
        log.warning("ROLLBACK failed (%s)", type(exc).__name__)


async def _release(pool: asyncpg.Pool, conn: Connection) -> None:
    """Give a connection back; one the server dropped is replaced by the pool."""
    try:
        await pool.release(conn)
    except Exception as exc:  # the pool closes a connection it cannot reset
        log.warning("a PostgreSQL connection could not be reset (%s)", type(exc).__name__)


__all__ = ["MIGRATION_LOCK_KEY", "POOL_SIZE", "PostgresDatabase", "bind"]
