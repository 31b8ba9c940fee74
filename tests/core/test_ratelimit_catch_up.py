"""At 100 messages a second or more, the limiter in all chats makes up for late
wake-ups, so a fan-out reaches its limit: the event loop wakes in whole milliseconds,
and 3.3 ms between messages (300 a second) used to become 4 ms (250 a second). It never
lets a sliding second hold more than the limit."""

from __future__ import annotations

import asyncio
import bisect
import random
import time

from bot.ratelimit import PlatformLimiter, RateLimits


def _now() -> float:
    return asyncio.get_running_loop().time()


def _busiest_second(times: list[float], window: float = 0.995) -> int:
    """The most grants in any ``window`` seconds (a hair under one: the loop clock is
    read just after each grant, never before it)."""
    return max(i - bisect.bisect_right(times, t - window) + 1 for i, t in enumerate(times))


async def test_no_second_holds_more_than_the_limit_from_idle_or_after_stalls() -> None:
    limiter = PlatformLimiter(RateLimits(messages_per_second=400))
    rng = random.Random(3)
    times = []
    for n in range(560):  # from idle (the most it may let out at once), then flat out
        await limiter.proactive(str(n))
        times.append(_now())
        if n > 450 and rng.random() < 0.1:
            time.sleep(rng.uniform(0.002, 0.03))  # noqa: ASYNC251 (the loop busy elsewhere)

    assert _busiest_second(times) <= 400 - 8  # room for the network's jitter
    assert times[-1] - times[0] >= 559 / 400 - 0.05  # no faster than the limit, either


async def test_a_late_wake_up_is_made_up_for_at_a_high_rate() -> None:
    limiter = PlatformLimiter(RateLimits(messages_per_second=300))
    for n in range(20):  # settle into the pace
        await limiter.proactive(str(n))
    time.sleep(0.015)  # noqa: ASYNC251 (the loop busy: four messages' worth of time)
    began = _now()
    for n in range(4):
        await limiter.proactive(f"after-{n}")
    # Made up at once; without catching up, each would wait its 3.3 ms (4 ms on epoll).
    assert _now() - began < 0.004


async def test_below_100_a_second_there_is_no_catching_up() -> None:
    limiter = PlatformLimiter(RateLimits(messages_per_second=50))
    await limiter.proactive("a")
    time.sleep(0.1)  # noqa: ASYNC251 (the loop busy elsewhere)
    await limiter.proactive("b")
    began = _now()
    await limiter.proactive("c")
    assert _now() - began >= 1 / 50 - 0.005  # evenly spaced, as before
