"""Rows recorded as sent, written together: a group commit.

A slot that has sent its row waits until the row is recorded before it takes another
(so a crash can double at most one message per slot, as before). A record asked for
while no write is under way is written at once, alone; those asked for while one is
under way wait for it and then go together, in one statement. A quiet worker writes
each row as soon as it is sent; a busy one (or one on a busy machine) writes several
at once instead of queueing one write behind another.
"""

from __future__ import annotations

import asyncio
import contextlib

from bot.clock import Clock
from bot.outbox.claims import Claimed, finish_sent
from bot.storage.database import Database


class SentRecorder:
    def __init__(self, db: Database, clock: Clock) -> None:
        self._db = db
        self._clock = clock
        self._asked: list[tuple[Claimed, asyncio.Future[None]]] = []
        self._writing: asyncio.Task[None] | None = None

    async def sent(self, row: Claimed) -> None:
        """Record ``row`` as sent; returns once it is written (raises if it failed)."""
        recorded = asyncio.get_running_loop().create_future()
        self._asked.append((row, recorded))
        if self._writing is None:
            self._writing = asyncio.create_task(self._write())
        await asyncio.shield(recorded)

    async def close(self) -> None:
        """Wait for the write under way, if any."""
        if self._writing is not None:
            with contextlib.suppress(Exception):
                await asyncio.shield(self._writing)

    async def _write(self) -> None:
        try:
            while self._asked:
                batch, self._asked = self._asked, []
                try:
                    await finish_sent(self._db, [row for row, _ in batch], self._clock.now())
                except Exception as error:
                    _settle(batch, error)
                else:
                    _settle(batch, None)
        finally:
            self._writing = None


def _settle(batch: list[tuple[Claimed, asyncio.Future[None]]], error: Exception | None) -> None:
    for _, recorded in batch:
        if recorded.done():
            continue
        if error is None:
            recorded.set_result(None)
        else:
            recorded.set_exception(error)
