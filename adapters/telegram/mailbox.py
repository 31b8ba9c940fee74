"""One mailbox per person: their updates in order, different people side by side.

python-telegram-bot hands the adapter updates one at a time, in Telegram's order (its
default, ``concurrent_updates(False)``); all the adapter does with each is post it
here, which takes no time. Each person with something in their mailbox has one worker
task that handles their updates one after another, so:

- someone's slow command never delays anyone else's ``/crisis`` (another worker), and
- one person's messages are answered in the order they sent them (one worker each),
  by construction, not by the fairness of a lock or a semaphore.

A worker ends when its mailbox is empty, so only people with work in flight cost a task.
"""

from __future__ import annotations

import asyncio
import logging
from collections import deque
from collections.abc import Awaitable, Callable
from typing import Generic, TypeVar

from bot.errors import log_incident, new_incident_id

logger = logging.getLogger(__name__)

Item = TypeVar("Item")


class Mailboxes(Generic[Item]):
    def __init__(self, work: Callable[[Item], Awaitable[None]]) -> None:
        self._work = work
        self._boxes: dict[str, deque[Item]] = {}
        self._workers: set[asyncio.Task[None]] = set()
        self._idle = asyncio.Event()
        self._idle.set()

    def post(self, key: str, item: Item) -> None:
        """Queue ``item`` behind everything else ``key`` has posted."""
        box = self._boxes.get(key)
        if box is not None:
            box.append(item)
            return
        self._boxes[key] = deque([item])
        self._idle.clear()
        worker = asyncio.create_task(self._empty(key), name="telegram mailbox")
        self._workers.add(worker)
        worker.add_done_callback(self._finished)

    async def drain(self, grace: float) -> bool:
        """Wait until every mailbox is empty; after ``grace`` seconds cancel what is
        left (logged) and return False."""
        try:
            await asyncio.wait_for(self._idle.wait(), grace)
        except TimeoutError:
            left = list(self._workers)
            for worker in left:
                worker.cancel()
            await asyncio.gather(*left, return_exceptions=True)
            logger.warning("telegram: %d conversation(s) still busy at stop; cancelled", len(left))
            return False
        return True

    async def _empty(self, key: str) -> None:
        box = self._boxes[key]
        try:
            while box:
                item = box.popleft()
                try:
                    await self._work(item)
                except Exception as error:  # one bad update never stops the mailbox
                    log_incident(logger, new_incident_id(), "telegram update", error)
        finally:
            del self._boxes[key]

    def _finished(self, worker: asyncio.Task[None]) -> None:
        self._workers.discard(worker)
        if not self._workers:
            self._idle.set()
