"""A call to Discord's REST API tried again when its connection closed with no answer.

discord.py waits out a 429 and retries a 5xx itself, but a connection that closes
before any answer (``aiohttp.ServerDisconnectedError``, a reset) reaches the caller: the
answer to a member's command would be lost. ``again_when_cut`` tries such a call again
after a short pause (doubling), a few times, then raises.

A cut connection leaves open whether Discord acted. Retrying is right for an interaction
response (a second one is refused, 40060: ``answer.py`` counts it as given) and for a
message posted in a channel (sent with a nonce Discord enforces, so it is made once);
a follow-up whose first try did reach Discord may show twice — rare, and better than an
answer never given. ``call`` builds its request afresh on every try (a file is read
from the start again).
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from typing import TypeVar

import aiohttp

logger = logging.getLogger(__name__)

Result = TypeVar("Result")
ATTEMPTS = 3
FIRST_PAUSE = 0.2  # seconds; Discord wants an interaction's first response within 3


async def again_when_cut(
    call: Callable[[], Awaitable[Result]],
    *,
    attempts: int = ATTEMPTS,
    pause: float = FIRST_PAUSE,
) -> Result:
    """``call()``, tried up to ``attempts`` times while its connection is cut."""
    for attempt in range(1, attempts + 1):
        try:
            return await call()
        except aiohttp.ClientConnectionError as cut:
            if attempt == attempts:
                raise
            logger.warning(
                "discord: the connection closed before Discord answered (%s); trying again",
                type(cut).__name__,
            )
            await asyncio.sleep(pause)
            pause *= 2
    raise AssertionError("unreachable: the last attempt returns or raises")
