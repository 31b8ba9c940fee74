"""The transactional outbox: every message the bot sends on its own initiative.

A service *enqueues* a message in the same transaction as the change that causes it
(``Outbox.enqueue(tx, message)``), so the change and its message commit together or not
at all; the ``DeliveryWorker`` sends it later, through the ``Messenger``, and records the
outcome. A unique ``dedupe_key`` makes each logical message exist once.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from bot.clock import Clock
from bot.events import Actor
from bot.outbox.message import OutboxMessage, Target
from bot.outbox.store import OutboxStore, PersonMessage
from bot.outbox.worker import DeliveryPolicy, DeliveryWorker
from bot.storage.database import Executor


class Outbox:
    """What services see of the outbox: enqueue, and who could not be reached."""

    def __init__(self, clock: Clock, worker: DeliveryWorker | None = None) -> None:
        self._clock = clock
        self._store = OutboxStore()
        self._worker = worker

    async def enqueue(self, tx: Executor, message: OutboxMessage) -> bool:
        """Add ``message`` inside the caller's transaction ``tx``; False if a message with
        its dedupe_key already exists (nothing is added). Wakes the worker, which finds
        the row once the transaction has committed."""
        added = await self._store.enqueue(tx, message, self._clock.now())
        if added and self._worker is not None:
            self._worker.wake()
        return added

    async def enqueue_many(self, tx: Executor, messages: Sequence[OutboxMessage]) -> int:
        """``enqueue`` for many messages at once, in a few statements; how many were new
        (those whose dedupe_key existed are left as they were)."""
        added = await self._store.enqueue_many(tx, messages, self._clock.now())
        if added and self._worker is not None:
            self._worker.wake()
        return added

    async def withdraw(self, tx: Executor, key_prefix: str) -> int:
        """Inside ``tx``: messages under ``key_prefix`` still waiting are not sent."""
        return await self._store.withdraw(tx, key_prefix, self._clock.now())

    async def undelivered(self, db: Executor, key_prefix: str) -> int:
        """How many messages under ``key_prefix`` ended without arriving."""
        return await self._store.undelivered(db, key_prefix)

    async def keys_under(self, db: Executor, key_prefix: str) -> set[str]:
        """The dedupe keys already used under ``key_prefix``."""
        return await self._store.keys_under(db, key_prefix)

    async def keys_under_each(self, db: Executor, prefixes: Sequence[str]) -> list[set[str]]:
        """``keys_under`` for many prefixes at once (a few queries, not one each)."""
        return await self._store.keys_under_each(db, prefixes)

    async def unreachable_among(self, db: Executor, people: Iterable[Actor]) -> set[str]:
        """Member keys whose latest private message could not be delivered."""
        return await self._store.unreachable_among(db, people)

    async def about_person(self, db: Executor, person: Actor) -> list[PersonMessage]:
        """Every message to ``person``, or whose dedupe key names them, sent or not."""
        return await self._store.about_person(db, person)

    async def erase_person(self, tx: Executor, person: Actor) -> int:
        """Inside ``tx``: delete every message to ``person`` or naming them (``/forgetme``)."""
        return await self._store.erase_person(tx, person)


__all__ = [
    "DeliveryPolicy",
    "DeliveryWorker",
    "Outbox",
    "OutboxMessage",
    "OutboxStore",
    "PersonMessage",
    "Target",
]
