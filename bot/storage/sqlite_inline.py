"""SQLite statements run on the event loop's own thread, when they cannot wait.

Every statement through aiosqlite is a round trip to the connection's thread: a queue,
a wake-up of the loop through its self-pipe, and the two threads taking turns at the
GIL. SQLite answers a keyed read or write in microseconds, so that round trip costs
many times the statement. Measured with ``python -m bench.telegram_profile`` (November
2026, 2 cores), a Telegram command took 2.1 ms of CPU with every statement on the
threads and 1.0 ms with the statements below run inline. So ``SqliteDatabase`` runs
these on the loop, through the two connections here, and keeps its aiosqlite threads
for what might take long or wait:

- **Single statements** outside a transaction (``fetch_one``, ``fetch_all`` on
  ``InlineReader``, ``execute`` on ``InlineWriter``) run inline under a budget: a
  progress handler looks at the clock every ``PROGRESS_STEPS`` steps of SQLite's
  virtual machine and interrupts a statement that has run ``READ_BUDGET`` seconds.
  SQLite rolls an interrupted statement back, so it had no effect; it then runs on the
  thread instead, as does one refused because the file is busy (another process
  holds the write lock; a WAL reader waits only while the WAL index is recovered) and
  one failing in any way SQLite calls storage trouble, which the thread meets again and
  waits for or reports as before. A statement that overran twice always goes to the
  thread (its text is remembered), so a big one costs the loop its budget twice per
  process. (Not once: the budget is wall time, which a collection of Python's garbage
  or the system running another process midway may use up for a statement that is
  small.) PRAGMAs always go to the thread: they are about a connection, and the
  thread's connections are the database's own.
- **Quick transactions** (``transaction(quick=True)``: a command's few keyed writes)
  begin on ``InlineWriter`` without waiting. BEGIN IMMEDIATE either takes the write
  lock at once or fails with SQLITE_BUSY (another process holds it), and the
  transaction then runs on the writer thread as any other, waiting the busy timeout
  there. Once the lock is held, nothing in it waits on another process: a commit in WAL
  mode needs no further lock, and with ``synchronous = NORMAL`` no fsync. A transaction
  that holds the loop longer than ``SLOW_TRANSACTION`` is logged (the first words of its
  statements, never their values), so one that should not be quick is found.

Both connections are used only by the loop's thread, and never inside another
transaction: ``SqliteDatabase`` holds its lock around a quick transaction, as around
any other.
"""

from __future__ import annotations

import logging
import math
import sqlite3
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from types import MappingProxyType
from typing import Any

from bot.storage.database import Params, Row
from bot.storage.sql_text import without_row_locks
from bot.storage.sqlite_errors import storage_kind, translated
from bot.storage.until_finished import UntilFinished

__all__ = ["InlineExecutor", "InlineReader", "InlineWriter", "as_row"]

log = logging.getLogger(__name__)

READ_BUDGET = 0.002  # seconds a read may hold the loop before the thread takes it over
PROGRESS_STEPS = 2000  # virtual-machine steps between looks at the clock (~50 µs)
SLOW_TRANSACTION = 0.05  # seconds: a quick transaction holding the loop longer is logged
_INTERRUPTED = 9  # SQLITE_INTERRUPT: the progress handler stopped a read
_WOULD_WAIT = frozenset({5, 6, _INTERRUPTED})  # and SQLITE_BUSY, SQLITE_LOCKED


def _open(path: Path, pragmas: Sequence[str]) -> sqlite3.Connection:
    conn = sqlite3.connect(str(path), isolation_level=None)
    try:
        conn.row_factory = sqlite3.Row
        # busy_timeout last, so it wins over any the caller's pragmas set: a connection
        # on the loop must never wait for a lock.
        for pragma in (*pragmas, "PRAGMA busy_timeout = 0"):
            conn.execute(pragma).close()
    except BaseException:
        conn.close()
        raise
    return conn


def _parameters(params: Params | None) -> dict[str, Any] | tuple[()]:
    return () if params is None else dict(params)


def _waits(error: sqlite3.Error) -> bool:
    return getattr(error, "sqlite_errorcode", 0) & 0xFF in _WOULD_WAIT


class _Budgeted:
    """Statements in autocommit mode, each stopped once it has held the loop for
    ``READ_BUDGET``: one stopped so (or refused as busy) had no effect, as SQLite
    rolls an interrupted statement back, and is for the thread to run instead."""

    def __init__(self, conn: sqlite3.Connection) -> None:
        self._conn = conn
        self._deadline = math.inf
        self._thread_only: set[str] = set()  # statement texts: PRAGMAs, and any too big
        self._overran_before: set[str] = set()

    def _overran(self) -> int:
        return 1 if time.perf_counter() > self._deadline else 0

    def run(self, sql: str, params: Params | None) -> tuple[list[sqlite3.Row], int] | None:
        """The finished statement's rows and count of changed rows, or None: the
        thread's to run."""
        if sql in self._thread_only:
            return None
        if sql.lstrip()[:6].upper() == "PRAGMA":  # about a connection: the thread's one
            self._thread_only.add(sql)
            return None
        self._deadline = time.perf_counter() + READ_BUDGET
        self._conn.set_progress_handler(self._overran, PROGRESS_STEPS)
        try:
            cursor = self._conn.execute(without_row_locks(sql), _parameters(params))
            return cursor.fetchall(), max(cursor.rowcount, 0)
        except sqlite3.Error as error:
            if getattr(error, "sqlite_errorcode", 0) & 0xFF == _INTERRUPTED:
                self._overran_once(sql)
                return None
            if _waits(error) or storage_kind(error) is not None:
                return None  # the thread meets it again, and waits or reports as before
            raise
        finally:
            self._conn.set_progress_handler(None, 0)
            self._deadline = math.inf

    def _overran_once(self, sql: str) -> None:
        """A statement that overran twice always goes to the thread after that."""
        if sql in self._overran_before:
            self._thread_only.add(sql)
        self._overran_before.add(sql)


class InlineReader:
    """Reads on the loop, each within ``READ_BUDGET``; ``read`` answers None where the
    reader thread must answer instead."""

    def __init__(self, path: Path, pragmas: Sequence[str]) -> None:
        self._conn = _open(path, pragmas)
        self._budgeted = _Budgeted(self._conn)

    def read(self, sql: str, params: Params | None) -> list[Row] | None:
        done = self._budgeted.run(sql, params)
        return None if done is None else [as_row(row) for row in done[0]]

    def close(self) -> None:
        self._conn.close()


class InlineExecutor:
    """A quick transaction's statements, on the loop; unusable once it has ended."""

    def __init__(self, conn: sqlite3.Connection) -> None:
        self._held = UntilFinished(conn)
        self.statements: list[str] = []

    def finish(self) -> None:
        self._held.finish()

    def _run(self, sql: str, params: Params | None) -> sqlite3.Cursor:
        self.statements.append(sql)
        with translated():
            return self._held.get().execute(without_row_locks(sql), _parameters(params))

    async def execute(self, sql: str, params: Params | None = None) -> int:
        return max(self._run(sql, params).rowcount, 0)

    async def fetch_all(self, sql: str, params: Params | None = None) -> list[Row]:
        with translated():
            rows = self._run(sql, params).fetchall()
        return [as_row(row) for row in rows]

    async def fetch_one(self, sql: str, params: Params | None = None) -> Row | None:
        rows = await self.fetch_all(sql, params)
        return rows[0] if rows else None


def as_row(row: sqlite3.Row) -> Row:
    return MappingProxyType(dict(row))


class InlineWriter:
    """Quick transactions on the loop, for as long as no other process holds the lock."""

    def __init__(self, path: Path, pragmas: Sequence[str]) -> None:
        self._conn = _open(path, pragmas)
        self._budgeted = _Budgeted(self._conn)

    def execute_at_once(self, sql: str, params: Params | None) -> int | None:
        """One statement in its own transaction, as ``_Budgeted`` runs it: the rows it
        changed, or None where the writer thread must run it instead."""
        done = self._budgeted.run(sql, params)
        return None if done is None else done[1]

    def begin_at_once(self) -> bool:
        """BEGIN IMMEDIATE if the write lock is free now; False if it would wait."""
        try:
            self._conn.execute("BEGIN IMMEDIATE").close()
        except sqlite3.Error as error:
            if _waits(error):
                return False
            with translated():
                raise
        return True

    @contextmanager
    def transaction(self) -> Iterator[InlineExecutor]:
        """After ``begin_at_once``: COMMIT, or ROLLBACK (and re-raise) if the body or the
        COMMIT raises."""
        executor = InlineExecutor(self._conn)
        started = time.perf_counter()
        try:
            yield executor
            with translated():
                self._conn.execute("COMMIT").close()
        except BaseException:
            self._roll_back()
            raise
        finally:
            executor.finish()
            _tell_if_slow(executor.statements, time.perf_counter() - started)

    def _roll_back(self) -> None:
        if not self._conn.in_transaction:
            return  # SQLite rolled back on its own (after SQLITE_FULL, say)
        try:
            self._conn.execute("ROLLBACK").close()
        except sqlite3.Error as error:
            log.warning("ROLLBACK of a quick transaction failed: %s", type(error).__name__)

    def close(self) -> None:
        self._conn.close()


def _tell_if_slow(statements: Sequence[str], seconds: float) -> None:
    """Log a quick transaction that took the loop's thread too long (wall time, which
    includes any time the body awaited something else)."""
    if seconds <= SLOW_TRANSACTION:
        return
    openings = "; ".join(" ".join(sql.split()[:4]) for sql in statements[:5])
    log.warning(
        "A quick transaction took %.0f ms (%d statements: %s); if it often does, "
        "run it as an ordinary transaction",
        seconds * 1000,
        len(statements),
        openings,
    )
