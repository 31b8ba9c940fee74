"""One lane per member: their work in order, different members side by side, urgent
work at once.

An adapter posts each thing a person does under that person's key (``Actor.key``) and
returns at once; the lanes decide when it runs:

- Each member with something in hand has one worker task that runs their items one
  after another, so one person's messages are answered in the order they sent them, by
  construction (not by the fairness of a lock). A worker ends when its lane is empty, so
  only members with work in flight cost a task.
- Different members' workers run side by side: one person's slow command (a write
  waiting on a locked database) never delays anyone else.
- An *urgent* item (``Inbox.is_urgent``: ``/crisis``, ``/help``, which answer from
  memory and touch no storage) runs at once in a task of its own, bypassing the lane:
  it never waits behind anything, not even the same member's earlier command.
- A member has at most ``limit`` items in hand (waiting or running). Beyond that an item
  is refused: ``refuse(item)`` runs instead of ``work(item)`` (adapters answer the person
  with ``SLOW_DOWN``). Only the first refusal is answered; later ones are dropped until
  that member has room again, so a flood grows neither memory nor the number of replies.
- A failing item is logged with an incident id (its type and stack, never member text)
  and never stops the lane.

``drain(grace)`` is for stopping: wait for everything in hand, cancel what is left.
"""

from __future__ import annotations

import asyncio
import logging
from collections import deque
from collections.abc import Awaitable, Callable, Coroutine
from enum import Enum
from typing import Any, Generic, TypeVar

from bot.errors import log_incident, new_incident_id

logger = logging.getLogger(__name__)

DEFAULT_LIMIT = 20
SLOW_DOWN = "core.slow_down"  # the catalog key adapters answer a refused item with

Item = TypeVar("Item")


class Posted(Enum):
    TAKEN = "taken"  # waiting in the member's lane, or (urgent) already running
    REFUSED = "refused"  # too much in hand: ``refuse(item)`` runs instead
    DROPPED = "dropped"  # too much in hand and the member was already told: nothing runs


class MemberLanes(Generic[Item]):
    def __init__(
        self,
        work: Callable[[Item], Awaitable[None]],
        refuse: Callable[[Item], Awaitable[None]],
        *,
        limit: int = DEFAULT_LIMIT,
        name: str = "lanes",
    ) -> None:
        if limit < 1:
            raise ValueError("a lane must take at least one item")
        self._work = work
        self._refuse = refuse
        self._limit = limit
        self._name = name
        self._lanes: dict[str, deque[Item]] = {}
        self._in_hand: dict[str, int] = {}  # waiting or running, urgent items included
        self._settled: dict[str, asyncio.Event] = {}  # per member with something in hand
        self._told: set[str] = set()  # refused once; later items dropped until there's room
        self._tasks: set[asyncio.Task[None]] = set()
        self._idle = asyncio.Event()
        self._idle.set()

    def post(self, key: str, item: Item, *, urgent: bool = False) -> Posted:
        """Hand ``item`` over for the member ``key``: behind everything they posted
        before, or (``urgent``) to run at once. Never waits."""
        if self._in_hand.get(key, 0) >= self._limit:
            return self._refused(key, item)
        self._in_hand[key] = self._in_hand.get(key, 0) + 1
        self._settled.setdefault(key, asyncio.Event())
        if urgent:
            self._start(self._run_one(key, item), "urgent")
            return Posted.TAKEN
        lane = self._lanes.get(key)
        if lane is not None:
            lane.append(item)
            return Posted.TAKEN
        lane = self._lanes[key] = deque([item])
        self._start(self._run_lane(key, lane), "lane")
        return Posted.TAKEN

    def in_hand(self, key: str) -> int:
        """How many of ``key``'s items are waiting or running."""
        return self._in_hand.get(key, 0)

    async def settled(self, key: str | None = None) -> None:
        """Wait until ``key`` (or, without a key, everyone) has nothing in hand."""
        if key is None:
            await self._idle.wait()
            return
        event = self._settled.get(key)
        if event is not None:
            await event.wait()

    async def drain(self, grace: float) -> bool:
        """Wait until nothing is in hand; after ``grace`` seconds cancel what is left
        (logged) and return False."""
        try:
            await asyncio.wait_for(self._idle.wait(), grace)
        except TimeoutError:
            left = list(self._tasks)
            for task in left:
                task.cancel()
            await asyncio.gather(*left, return_exceptions=True)
            logger.warning("%s: %d task(s) still busy at stop; cancelled", self._name, len(left))
            return False
        return True

    # -- running -------------------------------------------------------------------------

    def _refused(self, key: str, item: Item) -> Posted:
        if key in self._told:
            return Posted.DROPPED
        self._told.add(key)
        logger.warning("%s: a member has %d items in hand; refusing more", self._name, self._limit)
        self._start(self._attempt(self._refuse, item, "refusal"), "refusal")
        return Posted.REFUSED

    async def _run_lane(self, key: str, lane: deque[Item]) -> None:
        try:
            while lane:
                await self._run_one(key, lane.popleft())
        finally:
            del self._lanes[key]
            for _ in range(len(lane)):  # only when cancelled: nobody will run them now
                self._done_one(key)

    async def _run_one(self, key: str, item: Item) -> None:
        try:
            await self._attempt(self._work, item, "item")
        finally:
            self._done_one(key)

    async def _attempt(
        self, work: Callable[[Item], Awaitable[None]], item: Item, what: str
    ) -> None:
        try:
            await work(item)
        except Exception as error:  # one bad item never stops a lane
            log_incident(logger, new_incident_id(), f"{self._name} {what}", error)

    def _done_one(self, key: str) -> None:
        left = self._in_hand.get(key, 0) - 1
        if left < self._limit:
            self._told.discard(key)  # room again: the next refusal is answered
        if left > 0:
            self._in_hand[key] = left
            return
        self._in_hand.pop(key, None)
        event = self._settled.pop(key, None)
        if event is not None:
            event.set()

    def _start(self, work: Coroutine[Any, Any, None], what: str) -> None:
        task = asyncio.create_task(work, name=f"{self._name} {what}")
        self._tasks.add(task)
        self._idle.clear()
        task.add_done_callback(self._finished)

    def _finished(self, task: asyncio.Task[None]) -> None:
        self._tasks.discard(task)
        if not self._tasks:
            self._idle.set()


__all__ = ("DEFAULT_LIMIT", "SLOW_DOWN", "MemberLanes", "Posted")
