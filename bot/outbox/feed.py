"""The running worker's supply of due rows: claimed a batch at a time, and the next batch
claimed while the slots still send the last, so a fan-out never waits for the writer
between messages and takes it once a batch instead of once a message.

Every row the feed holds (waiting for a slot, or being sent) is claimed; the feed renews
the claims of all of them every third of a lease, so a row that waits long for its turn
(a slow platform, a chat's own limit) is never taken over and sent twice. What is still
waiting when the worker stops is released, due again at once for any worker; after a
crash its lease runs out as usual. Nothing waiting for a slot has been sent, so holding
rows ahead changes nothing about doubles: those are only the rows a slot was sending.

A row handed to a slot more than ``recheck_after`` seconds after it was claimed is
``stale``: the slot reads whether it is still pending under its claim before sending it
(a meeting cancelled meanwhile withdraws its reminders; /forgetme erases a person's
rows). In a fan-out rows wait milliseconds, and none is read again.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections import deque
from collections.abc import Callable
from datetime import timedelta

from bot.clock import Clock
from bot.errors import log_incident, new_incident_id
from bot.outbox.claims import Claimed, claim_batch, extend_all, release
from bot.storage.database import Database

logger = logging.getLogger(__name__)


class ClaimFeed:
    def __init__(
        self,
        db: Database,
        clock: Clock,
        lease: timedelta,
        batch: int,
        low: int,
        recheck_after: float = 1.0,
    ) -> None:
        """``batch``: rows claimed at once; ``low``: claim the next batch once no more
        than this many are left waiting; ``recheck_after``: see ``stale``."""
        self._db = db
        self._clock = clock
        self._lease = lease
        self._batch = max(batch, 1)
        self._low = low
        self._waiting: deque[Claimed] = deque()
        self._held: dict[int, Claimed] = {}  # waiting or being sent
        self._claiming: asyncio.Task[None] | None = None
        self._more = False  # the last claim was full: more may be due
        self._recheck_after = recheck_after
        self._claimed_at: dict[str, float] = {}  # token -> loop time of its claim

    @property
    def waiting(self) -> int:
        return len(self._waiting)

    async def next(self) -> Claimed | None:
        """The next row to send, claiming a batch first if none is waiting; None when
        nothing is due."""
        if not self._waiting:
            await self._claim()
        if not self._waiting:
            return None
        row = self._waiting.popleft()
        if self._more and len(self._waiting) <= self._low and self._claiming is None:
            self._claiming = asyncio.create_task(self._claim_ahead())
        return row

    def stale(self, row: Claimed) -> bool:
        """Whether ``row`` was claimed long enough ago to be read again before it goes."""
        claimed_at = self._claimed_at.get(row.token)
        now = asyncio.get_running_loop().time()
        return claimed_at is None or now - claimed_at > self._recheck_after

    def done(self, row: Claimed) -> None:
        """A slot is through with ``row`` (its outcome is recorded)."""
        self._held.pop(row.id, None)

    async def release_where(self, matches: Callable[[Claimed], bool]) -> int:
        """Release the waiting rows that ``matches`` (their claims end unsent)."""
        chosen = [row for row in self._waiting if matches(row)]
        if not chosen:
            return 0
        self._waiting = deque(row for row in self._waiting if not matches(row))
        for row in chosen:
            self._held.pop(row.id, None)
        return await release(self._db, chosen)

    async def renew(self, stop: asyncio.Event) -> None:
        """Until ``stop``: every third of a lease, extend the claim on every held row."""
        every = max(self._lease.total_seconds() / 3, 0.01)
        while not stop.is_set():
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(stop.wait(), timeout=every)
            held = list(self._held.values())
            if stop.is_set() or not held:
                continue
            try:
                kept = await extend_all(self._db, held, self._clock.now() + self._lease)
            except Exception as error:  # storage trouble: the sends go on regardless
                log_incident(logger, new_incident_id(), "outbox lease renewal", error)
                continue
            if kept < sum(1 for row in held if row.id in self._held):
                logger.warning("outbox: a claim was lost while its row waited or was sent")

    async def close(self) -> None:
        """Release what no slot has taken, once a claim under way has ended (it is a
        short transaction; cancelled midway it could not tell what it had claimed)."""
        if self._claiming is not None:
            await asyncio.wait({self._claiming})  # its rows are released with the rest
        left = list(self._waiting)
        self._waiting.clear()
        for row in left:
            self._held.pop(row.id, None)
        try:
            await release(self._db, left)
        except Exception as error:  # their leases run out instead
            log_incident(logger, new_incident_id(), "outbox release", error)

    async def _claim(self) -> None:
        """Claim now, or wait for the claim already under way."""
        if self._claiming is None:
            self._claiming = asyncio.create_task(self._claim_now())
        claiming = self._claiming
        await asyncio.shield(claiming)

    async def _claim_now(self) -> None:
        try:
            rows = await claim_batch(self._db, self._clock.now(), self._lease, self._batch)
            self._take(rows)
        finally:
            self._claiming = None

    async def _claim_ahead(self) -> None:
        """The next batch, while the slots send; a failure is left to the next claim."""
        try:
            await self._claim_now()
        except Exception as error:  # StorageUnavailable is already logged by storage
            self._more = False
            log_incident(logger, new_incident_id(), "outbox claim ahead", error)

    def _take(self, rows: list[Claimed]) -> None:
        self._more = len(rows) == self._batch
        if rows:
            held = {row.token for row in self._held.values()}
            self._claimed_at = {t: at for t, at in self._claimed_at.items() if t in held}
            self._claimed_at[rows[0].token] = asyncio.get_running_loop().time()
        self._waiting.extend(rows)
        self._held.update((row.id, row) for row in rows)
