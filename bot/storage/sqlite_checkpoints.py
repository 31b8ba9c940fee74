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
land while it copies), so another pass copies what landed during the one before, and so
on: the bot's writes come in bursts, and a pass that finds nothing landed meanwhile lets
the next write start the ``-wal`` again. Only writes so steady that the ``-wal`` grows
past ``max_frames`` (64 MB) are held back, once, while a last pass copies what landed
during the one before (``hold``, the writer's lock): the ``-wal`` then starts again. A
clean close ends with a TRUNCATE checkpoint (:func:`empty_the_wal`): the ``-wal`` is
left empty.

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
HELD_BACK = (sqlite3.SQLITE_BUSY, sqlite3.SQLITE_LOCKED)  # a checkpoint kept from finishing
"""``journal_size_limit``: a ``-wal`` that grew past this in a burst (a migration) is cut
back to it when it starts again, instead of keeping its largest size on disk."""


@dataclass(frozen=True, slots=True)
class CheckpointPolicy:
    """When the background checkpoint runs: ``every`` seconds if anything was written,
    or as soon as ``after_writes`` writes (transactions or statements) were made; and
    how it ends (see ``Checkpointer.checkpoint``)."""

    every: float = 1.0
    after_writes: int = 200
    passes: int = 4  # beside the writes, at most, in one round
    max_frames: int = 16384  # a -wal this long (64 MB of 4 KB pages) is cut even so

    def __post_init__(self) -> None:
        if self.every <= 0 or min(self.after_writes, self.passes, self.max_frames) < 1:
            raise ValueError("a checkpoint policy needs every > 0 and counts of at least 1")


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
        # A checkpoint copies frames from the -wal to the file: no page cache to speak of.
        await (await self._conn.execute("PRAGMA cache_size = 16")).close()
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
        """PASSIVE checkpoints now, beside the writes, each copying what landed during
        the one before, until one finds nothing landed meanwhile (the next write then
        starts the ``-wal`` again). If writes went on through every pass and the
        ``-wal`` has grown past ``max_frames``, one more with the writes held back, for
        just what landed during the last pass (see the module)."""
        for _ in range(self._policy.passes):
            done = await self._passive()
            if not self._writes:
                return done
        if done.frames < self._policy.max_frames:
            return done  # tried again at the next round
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
        if getattr(error, "sqlite_errorcode", 0) & 0xFF in HELD_BACK:
            # Kept from finishing (another process's reader or writer, or a statement of
            # this connection's cut off at stop): safe, the rest waits for a later one.
            log.info("SQLite checkpoint at close left for later: %s", error)
            return
        log.warning("SQLite checkpoint at close failed: %s", error)
