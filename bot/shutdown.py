"""The order of a clean stop (SIGTERM), for ``BotApp.serve``.

1. The delivery worker takes no new outbox row, at once.
2. Its sends in flight finish (for a grace period at most) while the adapters still run:
   an adapter closes its connection to the platform as it stops, which would cut a send
   in flight (it would then go again after its lease, at the next start: twice).
3. The adapters are told to stop: no new updates; replies in hand are delivered.
4. The database is closed (by the caller, after ``serve`` returns).

A message the platform accepted is recorded as sent before the database closes.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Awaitable, Callable

logger = logging.getLogger(__name__)

__all__ = ["finish_worker", "relay_stop"]


async def relay_stop(
    stop: asyncio.Event,
    done: asyncio.Event,
    drain: Callable[[], Awaitable[None]],
    adapters_stop: asyncio.Event,
) -> None:
    """Once ``stop`` is set: ``done`` (the worker takes no new row), then ``drain()`` (its
    sends in flight finish), then ``adapters_stop`` (even if draining failed)."""
    await stop.wait()
    done.set()
    try:
        await drain()
    finally:
        adapters_stop.set()


async def finish_worker(worker: asyncio.Task[None], grace: float) -> None:
    """Let sends in flight finish for ``grace`` seconds, then cancel them: a cancelled
    send's row is tried again after its lease (it may arrive twice; it is never lost)."""
    try:
        await asyncio.wait_for(asyncio.shield(worker), grace)
    except TimeoutError:
        worker.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await worker
        logger.warning("outbox: sends still in flight at stop were cancelled")
