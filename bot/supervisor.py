"""Runs every adapter in one event loop and keeps them running.

An adapter that crashes is logged (type and stack, never text) and started again after
a pause that doubles up to a ceiling, so a platform outage neither takes the others down
nor hammers the platform. On stop, every adapter is asked to stop (new work stops, replies
in flight finish); any that has not finished within the grace period is cancelled.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Protocol

from bot.errors import log_incident, new_incident_id
from bot.events import Actor, Incoming, Place
from bot.replies import Reply
from bot.roles import Role

logger = logging.getLogger(__name__)


class Handler(Protocol):
    """What adapters hand incoming messages to: the dispatcher, or a wrapper of it."""

    async def handle(self, incoming: Incoming) -> list[Reply]: ...

    async def role_here(self, actor: Actor, place: Place) -> Role: ...

    def is_urgent(self, incoming: Incoming) -> bool: ...


class Supervised(Protocol):
    @property
    def platform(self) -> str: ...

    async def start(self, inbox: Handler) -> None:
        """Serve until stopped; raising means crashed; returning means finished."""
        ...

    async def stop(self) -> None: ...


@dataclass(frozen=True, slots=True)
class Backoff:
    """Pauses between restarts: ``first``, doubling up to ``longest``. A run that lasted
    ``healthy_after`` seconds counts as healthy and resets the pause."""

    first: float = 1.0
    longest: float = 60.0
    healthy_after: float = 60.0


class Supervisor:
    def __init__(
        self,
        inbox: Handler,
        adapters: Sequence[Supervised],
        *,
        backoff: Backoff | None = None,
        stop_grace: float = 8.0,
    ) -> None:
        self._inbox = inbox
        self._adapters = tuple(adapters)
        self._backoff = backoff or Backoff()
        self._stop_grace = stop_grace
        self.restarts: dict[str, int] = {adapter.platform: 0 for adapter in self._adapters}

    async def run(self, stop: asyncio.Event) -> None:
        """Run until ``stop`` is set (then stop everything) or every adapter has finished."""
        runs = [asyncio.create_task(self._keep_running(a, stop)) for a in self._adapters]
        stopping = asyncio.create_task(stop.wait())
        try:
            while not stop.is_set() and (running := [run for run in runs if not run.done()]):
                await asyncio.wait([*running, stopping], return_when=asyncio.FIRST_COMPLETED)
        finally:
            stopping.cancel()
            await self._stop_all(runs)

    async def _keep_running(self, adapter: Supervised, stop: asyncio.Event) -> None:
        loop = asyncio.get_running_loop()
        pause = self._backoff.first
        while not stop.is_set():
            began = loop.time()
            try:
                await adapter.start(self._inbox)
                return  # finished: stopped, or (the console) nothing more to read
            except Exception as error:
                log_incident(logger, new_incident_id(), f"adapter {adapter.platform}", error)
            if loop.time() - began >= self._backoff.healthy_after:
                pause = self._backoff.first
            self.restarts[adapter.platform] += 1
            logger.warning(
                "%s adapter stopped unexpectedly; restarting in %.1f s", adapter.platform, pause
            )
            if await _wait(stop, pause):
                return
            pause = min(pause * 2, self._backoff.longest)

    async def _stop_all(self, runs: Sequence[asyncio.Task[None]]) -> None:
        stops = [asyncio.create_task(_stop_quietly(a)) for a in self._adapters]
        pending = [*stops, *(run for run in runs if not run.done())]
        if pending:
            _, late = await asyncio.wait(pending, timeout=self._stop_grace)
            for task in late:
                task.cancel()
            if late:
                logger.warning("%d adapter task(s) did not stop in time; cancelled", len(late))
                await asyncio.wait(late, timeout=1.0)


async def _wait(event: asyncio.Event, seconds: float) -> bool:
    """Wait up to ``seconds`` for ``event``; True if it was set."""
    try:
        await asyncio.wait_for(event.wait(), timeout=seconds)
    except TimeoutError:
        return False
    return True


async def _stop_quietly(adapter: Supervised) -> None:
    try:
        await adapter.stop()
    except Exception as error:
        log_incident(logger, new_incident_id(), f"stopping {adapter.platform}", error)
