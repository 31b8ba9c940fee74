"""The delivery worker: takes due outbox rows, sends them through the ``Messenger`` and
records what happened.

Per row: claim (a lease) -> check not_after -> send (the lease renewed while it lasts)
-> record. The running worker (``run``) claims rows a batch at a time, the next batch
while its slots still send (``feed.py``); each slot sends one row and records it before
it takes the next. A crash between the send and the record leaves the lease to run out,
and the row goes again: a message can be doubled only if it was in flight at the crash,
at most one per delivery slot.

Outcomes:
- sent: done.
- unreachable (blocked, private messages closed): done, and the person's other waiting
  messages of the same kind end the same way, untried.
- failed: tried again after an exponential pause with jitter (at least the platform's
  ``retry_after``); after ``max_attempts`` it ends as failed, logged.
- no route (that platform is not running here): kept, looked at again later, not counted
  as an attempt.
- expired: past its not_after when its turn came; dropped.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import random
from dataclasses import dataclass, field
from datetime import timedelta

from bot.clock import Clock
from bot.errors import log_incident, new_incident_id
from bot.events import Actor
from bot.messenger import Delivery, DeliveryOutcome, Messenger
from bot.metrics import Metrics, NoMetrics
from bot.outbox.claims import Claimed, still_ours
from bot.outbox.feed import ClaimFeed
from bot.outbox.message import reply_for
from bot.outbox.recorder import SentRecorder
from bot.outbox.store import OutboxStore
from bot.storage.database import Database, StorageUnavailable

logger = logging.getLogger(__name__)


# Seconds after a wake-up to look again, for a row whose transaction was still open.
WAKE_AGAIN_AFTER = (0.05, 0.5)


@dataclass(frozen=True, slots=True)
class DeliveryPolicy:
    slots: int = 4  # rows sent at once; also the most that a crash can double
    claim_batch: int = 16  # rows the running worker claims at once (never sent at once)
    recheck_after: float = 1.0  # seconds a claimed row may wait before it is read again
    lease: timedelta = timedelta(seconds=120)  # longer than any one send with its retries
    first_pause: timedelta = timedelta(seconds=10)  # after the first failure; doubles
    longest_pause: timedelta = timedelta(hours=1)
    max_attempts: int = 12
    no_route_pause: timedelta = timedelta(seconds=30)
    idle_poll: float = 2.0  # seconds between looks when nothing is due and nobody wakes us
    keep_finished: timedelta = timedelta(days=30)


@dataclass
class DeliveryWorker:
    db: Database
    messenger: Messenger
    clock: Clock
    policy: DeliveryPolicy = field(default_factory=DeliveryPolicy)
    rng: random.Random = field(default_factory=random.Random)
    store: OutboxStore = field(default_factory=OutboxStore)
    metrics: Metrics = field(default_factory=NoMetrics)
    _wake: asyncio.Event = field(default_factory=asyncio.Event, init=False)

    def wake(self) -> None:
        """Something new may be due: look now instead of at the next poll, and again a
        moment later. The caller is inside the transaction that queues the row, and a
        look on another connection (SQLite's reader, PostgreSQL's pool) only finds it
        once that transaction has committed."""
        self._wake.set()
        with contextlib.suppress(RuntimeError):  # no running loop: the next poll finds it
            loop = asyncio.get_running_loop()
            for delay in WAKE_AGAIN_AFTER:
                loop.call_later(delay, self._wake.set)

    async def deliver_due(self, limit: int | None = None) -> int:
        """Send what is due now (at most ``limit`` rows), one row after another; how many
        rows were handled."""
        if await self._until_due() > 0:  # a read: nothing due costs no write lock
            return 0
        handled = 0
        while (limit is None or handled < limit) and await self.deliver_one():
            handled += 1
        return handled

    async def deliver_one(self) -> bool:
        """Claim, send and record one due row; False if none was due."""
        now = self.clock.now()
        claimed = await self.store.claim(self.db, now, self.policy.lease)
        if claimed is None:
            return False
        if claimed.not_after is not None and now >= claimed.not_after:
            await self.store.finish(self.db, claimed, "expired", now, None)
            self.metrics.delivery_finished("expired")
            return True
        delivery = await self._send_holding_lease(claimed)
        self.metrics.delivery_finished(await self._record(claimed, delivery))
        return True

    async def _send_holding_lease(self, claimed: Claimed) -> Delivery:
        """Send, renewing the claim every third of a lease while the send lasts (a rate
        limit or a platform's flood wait can outlast one lease), so a slow send is never
        taken over and sent again by another slot while it is still going."""
        renewing = asyncio.create_task(self._renew(claimed))
        try:
            reply = reply_for(claimed.target, claimed.text, claimed.buttons)
            return await self.messenger.deliver(claimed.target, reply)
        finally:
            renewing.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await renewing

    async def _renew(self, claimed: Claimed) -> None:
        every = max(self.policy.lease.total_seconds() / 3, 0.01)
        while True:
            await asyncio.sleep(every)
            try:
                until = self.clock.now() + self.policy.lease
                if not await self.store.extend(self.db, claimed, until):
                    logger.warning("outbox: a claim was lost during a slow send")
                    return
            except Exception as error:  # storage trouble: the send goes on regardless
                log_incident(logger, new_incident_id(), "outbox lease renewal", error)

    async def run(self, stop: asyncio.Event) -> None:
        """Deliver until ``stop`` is set: ``slots`` loops side by side, each sending one
        row at a time from a shared ``ClaimFeed``, plus an hourly clean-up of
        long-finished rows."""
        policy = self.policy
        slots = max(policy.slots, 1)
        feed = ClaimFeed(
            self.db, self.clock, policy.lease, policy.claim_batch, slots, policy.recheck_after
        )
        recorder = SentRecorder(self.db, self.clock)
        try:
            loops = [self._loop(stop, feed, recorder) for _ in range(slots)]
            await asyncio.gather(*loops, feed.renew(stop), self._tidy(stop))
        finally:
            await recorder.close()
            await feed.close()

    async def _loop(self, stop: asyncio.Event, feed: ClaimFeed, recorder: SentRecorder) -> None:
        delivered = False  # the last row went: take the next at once, without a read first
        woken = False  # something was queued: claim at once (on SQLite the claim waits for
        # the queueing transaction to commit; a read first would not see its rows yet)
        while not stop.is_set():
            self._wake.clear()  # before looking, so a wake-up during the look is kept
            try:
                ready = delivered or woken or feed.waiting > 0
                wait = 0.0 if ready else await self._until_due()
                delivered = wait <= 0 and await self._deliver_from(feed, recorder)
                if delivered:
                    continue
            except StorageUnavailable as error:  # already logged loudly by storage
                logger.warning("outbox: storage unavailable (%s); trying later", error.kind.value)
                wait = self.policy.idle_poll * 5
            except Exception as error:
                log_incident(logger, new_incident_id(), "outbox delivery", error)
                wait = self.policy.idle_poll
            delivered = False
            woken = await self._pause(stop, max(wait, 0.05))

    async def _deliver_from(self, feed: ClaimFeed, recorder: SentRecorder) -> bool:
        """Send and record the feed's next row (the feed renews its claim meanwhile);
        False if none was due."""
        claimed = await feed.next()
        if claimed is None:
            return False
        try:
            if feed.stale(claimed) and not await still_ours(self.db, claimed):
                return True  # withdrawn, erased or taken over while it waited: not ours
            now = self.clock.now()
            if claimed.not_after is not None and now >= claimed.not_after:
                await self.store.finish(self.db, claimed, "expired", now, None)
                self.metrics.delivery_finished("expired")
                return True
            reply = reply_for(claimed.target, claimed.text, claimed.buttons)
            delivery = await self.messenger.deliver(claimed.target, reply)
            if delivery.outcome is DeliveryOutcome.SENT:
                await recorder.sent(claimed)  # with others sent meanwhile: one write
                self.metrics.delivery_finished(DeliveryOutcome.SENT.value)
            else:
                self.metrics.delivery_finished(await self._record(claimed, delivery, feed))
        finally:
            feed.done(claimed)
        return True

    async def _until_due(self) -> float:
        """Seconds until the next row is due (0 if one is), at most ``idle_poll``. A read,
        so an idle worker never takes the write lock."""
        due = await self.store.next_due(self.db)
        if due is None:
            return self.policy.idle_poll
        return min((due - self.clock.now()).total_seconds(), self.policy.idle_poll)

    async def _pause(self, stop: asyncio.Event, wait: float) -> bool:
        """Until ``stop``, a wake-up or ``wait`` seconds; True if woken."""
        stopped = asyncio.ensure_future(stop.wait())
        woken = asyncio.ensure_future(self._wake.wait())
        try:
            await asyncio.wait({stopped, woken}, timeout=wait, return_when="FIRST_COMPLETED")
        finally:
            stopped.cancel()
            woken.cancel()
        return self._wake.is_set()

    async def _tidy(self, stop: asyncio.Event) -> None:
        while not stop.is_set():
            try:
                before = self.clock.now() - self.policy.keep_finished
                await self.store.forget_finished(self.db, before)
            except Exception as error:
                log_incident(logger, new_incident_id(), "outbox clean-up", error)
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(stop.wait(), timeout=3600)

    async def _record(
        self, claimed: Claimed, delivery: Delivery, feed: ClaimFeed | None = None
    ) -> str:
        """Write down what became of the send; how it ended (``bot.metrics``' words)."""
        now = self.clock.now()
        outcome = delivery.outcome
        if outcome is DeliveryOutcome.SENT:
            await self.store.finish(self.db, claimed, "sent", now, None)
        elif outcome is DeliveryOutcome.UNREACHABLE:
            await self.store.finish(self.db, claimed, "unreachable", now, delivery.error)
            if feed is not None:  # what the feed holds for them is ended below, untried
                await feed.release_where(lambda row: _same_kind_to(row, claimed))
            await self.store.give_up_on(self.db, claimed, now)
        elif outcome is DeliveryOutcome.NO_ROUTE:
            later = now + self.policy.no_route_pause
            await self.store.retry_at(self.db, claimed, later, "no_route", counts=False)
        elif claimed.attempts + 1 >= self.policy.max_attempts:
            logger.warning(
                "outbox: a %s message gave up after %d attempts (%s)",
                claimed.kind,
                claimed.attempts + 1,
                delivery.error,
            )
            await self.store.finish(self.db, claimed, "failed", now, delivery.error)
        else:
            later = now + self.pause_after(claimed.attempts + 1, delivery.retry_after)
            await self.store.retry_at(
                self.db, claimed, later, delivery.error or "failed", counts=True
            )
            return "retry"
        return outcome.value

    def pause_after(self, attempts: int, retry_after: float | None) -> timedelta:
        """Exponential (first_pause, doubled per attempt, capped), with "equal jitter"
        (between half and all of it), never shorter than the platform's retry_after."""
        policy = self.policy
        ceiling: timedelta = min(policy.first_pause * 2 ** (attempts - 1), policy.longest_pause)
        pause = ceiling * self.rng.uniform(0.5, 1.0)
        if retry_after is not None:
            pause = max(pause, timedelta(seconds=retry_after))
        return pause


def _same_kind_to(row: Claimed, other: Claimed) -> bool:
    """``row`` is of ``other``'s kind, to the same person (``give_up_on``'s rule)."""
    return isinstance(other.target, Actor) and (row.kind, row.target) == (other.kind, other.target)
