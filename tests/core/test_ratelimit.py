"""bot.ratelimit: the limits are kept, replies go before notices, idle chats are forgotten.

Times are read from the event loop's clock (the one aiolimiter uses). Rates are small
and bounds generous: a slow machine makes sends later, never earlier, so every
"at least" bound holds however busy it is, and "at most" bounds leave wide room.
"""

from __future__ import annotations

import asyncio
import itertools
from collections.abc import Awaitable, Callable

import pytest

from bot.ratelimit import PlatformLimiter, RateLimiters, RateLimits

EPSILON = 0.005  # the loop clock's float arithmetic; aiolimiter never releases early


def _now() -> float:
    return asyncio.get_running_loop().time()


async def _times(count: int, acquire: Callable[[int], Awaitable[None]]) -> list[float]:
    """When each of ``count`` acquisitions, made one after another, was granted."""
    granted = []
    for n in range(count):
        await acquire(n)
        granted.append(_now())
    return granted


def _gaps(times: list[float]) -> list[float]:
    return [later - earlier for earlier, later in itertools.pairwise(times)]


async def test_all_chats_together_are_spaced_evenly_at_the_rate() -> None:
    limiter = PlatformLimiter(RateLimits(messages_per_second=50))
    start = _now()
    times = await _times(11, lambda n: limiter.proactive(str(n)))

    assert min(_gaps(times)) >= 1 / 50 - EPSILON  # no burst, even at the start
    assert times[-1] - start >= 10 / 50 - EPSILON
    assert times[-1] - start < 2.0


async def test_replies_share_the_same_rate() -> None:
    limiter = PlatformLimiter(RateLimits(messages_per_second=50))
    times = await _times(6, lambda n: limiter.interactive(str(n)))
    assert min(_gaps(times)) >= 1 / 50 - EPSILON


async def test_one_chat_gets_its_burst_then_its_own_pace_and_others_are_not_held_up() -> None:
    limiter = PlatformLimiter(RateLimits(per_chat_per_second=10, per_chat_burst=2))
    start = _now()
    same_chat = await _times(4, lambda n: limiter.interactive("alex"))
    other_chat = _now()
    await limiter.interactive("sam")

    assert same_chat[1] - start < 0.05  # the burst of two goes at once
    assert same_chat[2] - start >= 0.1 - EPSILON  # then one every tenth of a second
    assert same_chat[3] - start >= 0.2 - EPSILON
    assert _now() - other_chat < 0.05  # another chat has a bucket of its own


async def test_a_group_chat_is_spaced_by_its_per_minute_limit_too() -> None:
    limits = RateLimits(per_chat_per_second=100, per_chat_burst=5, per_group_chat_per_minute=600)
    limiter = PlatformLimiter(limits)
    start = _now()
    in_group = await _times(3, lambda n: limiter.proactive("-100", group_chat=True))
    assert in_group[1] - in_group[0] >= 0.1 - EPSILON  # 600 a minute: 0.1 s apart
    assert in_group[2] - start >= 0.2 - EPSILON

    private_start = _now()
    await _times(3, lambda n: limiter.proactive("42"))  # a private chat: only its burst
    assert _now() - private_start < 0.05


async def test_drained_chat_limiters_are_forgotten_and_undrained_ones_kept() -> None:
    limits = RateLimits(per_chat_per_second=20, per_group_chat_per_minute=6)
    limiter = PlatformLimiter(limits, forget_every=0.1)
    for n in range(50):
        await limiter.interactive(f"person-{n}")
    await limiter.interactive("-100", group_chat=True)
    assert limiter.tracked_chats == 52  # 50 people, the group chat and its group limiter

    await asyncio.sleep(0.15)  # every chat's bucket drains in 1/20 s; the group's in 10 s
    await limiter.interactive("newcomer")  # the sweep is due

    assert limiter.tracked_chats == 2  # the newcomer, and the group limiter still full


async def test_a_forgotten_chat_still_keeps_its_pace() -> None:
    limiter = PlatformLimiter(RateLimits(per_chat_per_second=10), forget_every=0.0)
    times = await _times(4, lambda n: limiter.interactive("alex"))  # sweeps before each
    assert min(_gaps(times)) >= 0.1 - EPSILON


async def test_a_reply_waits_for_at_most_one_notice_of_a_fan_out() -> None:
    limiter = PlatformLimiter(RateLimits(messages_per_second=20))  # a slot is 50 ms
    granted: list[str] = []

    async def notice(n: int) -> None:
        await limiter.proactive(f"member-{n}")
        granted.append(f"notice {n}")

    fan_out = [asyncio.create_task(notice(n)) for n in range(30)]
    await asyncio.sleep(0.12)  # a few notices are out, the rest are queued
    queued_before = len(granted)
    asked = _now()
    await limiter.interactive("someone-asking")
    waited = _now() - asked
    granted.append("reply")

    assert granted.index("reply") - queued_before <= 1  # at most one notice went first
    assert waited < 0.3  # about one slot, not the 1.3 s the queued notices take
    await asyncio.gather(*fan_out)
    assert len(granted) == 31


async def test_replies_in_a_row_all_go_before_the_queued_notices() -> None:
    limiter = PlatformLimiter(RateLimits(messages_per_second=20))
    order: list[str] = []

    async def send(kind: str, n: int) -> None:
        if kind == "notice":
            await limiter.proactive(f"member-{n}")
        else:
            await limiter.interactive(f"asker-{n}")
        order.append(kind)

    fan_out = [asyncio.create_task(send("notice", n)) for n in range(20)]
    await asyncio.sleep(0.03)
    before = len(order)
    await asyncio.gather(*(send("reply", n) for n in range(3)))

    assert order[before:].count("notice") <= 1  # one notice at most slipped in first
    assert order[before:].count("reply") == 3
    await asyncio.gather(*fan_out)


async def test_a_platform_without_limits_never_waits() -> None:
    limiters = RateLimiters({"telegram": RateLimits(messages_per_second=1)})
    console = limiters.for_platform("console")
    start = _now()
    for n in range(200):
        await console.proactive("you")
        await console.interactive(str(n), group_chat=True)
    assert _now() - start < 0.5
    assert console.tracked_chats == 0
    assert limiters.for_platform("console") is console
    assert limiters.for_platform("telegram").limits.messages_per_second == 1
    assert RateLimiters().for_platform("telegram").limits.unlimited


@pytest.mark.parametrize(
    "bad",
    [
        {"messages_per_second": 0},
        {"per_chat_per_second": -1},
        {"per_group_chat_per_minute": float("nan")},
        {"messages_per_second": float("inf")},
        {"per_chat_burst": 0},
    ],
)
def test_limits_must_be_positive(bad: dict[str, float]) -> None:
    with pytest.raises(ValueError, match="must be"):
        RateLimits(**bad)  # type: ignore[arg-type]
