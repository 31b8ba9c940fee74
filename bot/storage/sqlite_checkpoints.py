"""Checkpoints of a SQLite database in WAL mode, off the path of the writes.

A commit appends its pages to the ``-wal``; a checkpoint copies them back into the
database file. SQLite's automatic checkpoint runs inside whichever COMMIT takes the
``-wal`` past 1,000 pages, so now and then one write (a check-in release, a /join) waits
while a few megabytes are copied: the scale benchmark saw a release's p99 at 17 ms with
it, 3 ms without. So the writer turns it off (``PRAGMA wal_autocheckpoint = 0``) and a
:class:`Checkpointer` runs PASSIVE checkpoints on a connection of its own (in a thread
of its own): every ``every`` seconds when something was written, sooner after
``after_writes`` writes. A PASSIVE checkpoint waits for no reader and no writer; the
first write after one that copied *everything* starts the ``-wal`` again from its
beginning. Under steady writes a checkpoint beside them never copies everything (commits
land while it copies), so when one falls short a second one copies the few pages written
meanwhile while the database holds its writes back (``hold``, the writer's lock): short,
as it copies only those, and the ``-wal`` then starts again, holding a few seconds of
changes at most. A clean close ends with a TRUNCATE checkpoint (:func:`empty_the_wal`):
the ``-wal`` is left empty.

Crash safety is SQLite's own and unchanged: a commit is in the ``-wal`` when COMMIT
returns, the next open plays the ``-wal`` back, and a checkpoint cut short by a crash
leaves the ``-wal`` whole (it is only started again after a complete one).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import sqlite3
from dataclasses import dataclass
from pathlib import Path

import aiosqlite

from bot.storage.database import StorageUnavailable

log = logging.getLogger(__name__)

WAL_LIMIT_BYTES = 64 * 1024 * 1024
"""``journal_size_limit``: a ``-wal`` that grew past this in a burst (a migration) is cut
back to it when it starts again, instead of keeping its largest size on disk."""


@dataclass(frozen=True, slots=True)
class CheckpointPolicy:
    """When the background checkpoint runs: ``every`` seconds if anything was written,
    or as soon as ``after_writes`` writes (transactions or statements) were made."""

    every: float = 2.0
    after_writes: int = 500

    def __post_init__(self) -> None:
        if self.every <= 0 or self.after_writes < 1:
            raise ValueError("a checkpoint policy needs every > 0 and after_writes >= 1")


@dataclass(frozen=True, slots=True)
class Checkpoint:
    """One checkpoint's answer: whether it was kept from finishing (another checkpoint
    ran, or a reader still needs the pages), the ``-wal``'s frames and how many of them
    are in the database file now."""

    busy: bool
    frames: int
    copied: int

    @property
    def complete(self) -> bool:
        return not self.busy and self.copied == self.frames


class Checkpointer:
    """PASSIVE checkpoints of the database at ``path``, in the background."""

    def __init__(self, path: Path, policy: CheckpointPolicy, hold: asyncio.Lock) -> None:
        self._path = path
        self._policy = policy
        self._hold = hold
        self._conn: aiosqlite.Connection | None = None
        self._task: asyncio.Task[None] | None = None
        self._writes = 0
        self._wake = asyncio.Event()
        self._failing = False
        self._stopping = False

    async def start(self) -> None:
        """Open the checkpoint connection and begin. Safe to call once only."""
        self._conn = await aiosqlite.connect(str(self._path), isolation_level=None)
        self._task = asyncio.create_task(self._run(), name="sqlite checkpoints")

    def wrote(self) -> None:
        """Note one write; wakes the checkpoint early after ``after_writes`` of them."""
        self._writes += 1
        if self._writes >= self._policy.after_writes:
            self._wake.set()

    async def close(self) -> None:
        """Stop, after the checkpoint under way if there is one, and close. Call it
        without holding ``hold`` (that checkpoint may be waiting for it)."""
        self._stopping = True
        self._wake.set()
        task, self._task = self._task, None
        if task is not None:
            await task
        conn, self._conn = self._conn, None
        if conn is not None:
            await conn.close()

    async def checkpoint(self) -> Checkpoint:
        """A PASSIVE checkpoint now, beside the writes; if commits landed meanwhile, a
        second one for just those, with the writes held back (see the module)."""
        done = await self._passive()
        if done.complete and not self._writes:  # else commits landed while it copied
            return done
        async with self._hold:
            return await self._passive()

    async def _passive(self) -> Checkpoint:
        if self._conn is None:
            raise RuntimeError("The checkpointer is not started.")
        self._writes = 0
        cursor = await self._conn.execute("PRAGMA wal_checkpoint(PASSIVE)")
        row = await cursor.fetchone()
        await cursor.close()
        busy, frames, copied = row if row is not None else (1, -1, -1)
        return Checkpoint(bool(busy), int(frames), int(copied))

    async def _run(self) -> None:
        while not self._stopping:
            # Stopped by a flag, not cancelled: on Python 3.11, wait_for can swallow a
            # cancellation that arrives as the event is set.
            with contextlib.suppress(TimeoutError):
                async with asyncio.timeout(self._policy.every):
                    await self._wake.wait()
            self._wake.clear()
            if self._writes and not self._stopping:
                await self._checkpoint_quietly()

    async def _checkpoint_quietly(self) -> None:
        try:
            await self.checkpoint()
        except (sqlite3.Error, StorageUnavailable, ValueError) as error:
            # Tried again after the next writes; SQLite checkpoints at close regardless.
            if not self._failing:
                log.warning("SQLite checkpoint of %s failed: %s", self._path, error)
            self._failing = True
        else:
            self._failing = False


async def empty_the_wal(conn: aiosqlite.Connection) -> None:
    """At a clean close: copy the whole ``-wal`` into the database file and leave it
    empty (TRUNCATE). It does not wait: a reader or a writer in another process that
    keeps it from finishing leaves the rest to a later checkpoint, as it safely can."""
    try:
        await (await conn.execute("PRAGMA busy_timeout = 0")).close()
        cursor = await conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        await cursor.close()
    except sqlite3.Error as error:
        log.warning("SQLite checkpoint at close failed: %s", error)
