"""The Telegram adapter under the process's rate limiter: answers wait for interactive
turns, notices are paced once (by the Messenger), a 429 on a notice comes back at once
as a failed delivery that says how long to wait, and a fan-out of 600 private messages
stays under Telegram's limits as the fake Bot API enforces them.

The limits are the shipped defaults (``[telegram.limits]``) unless a test needs small
ones; times are the fake's own records of when each call arrived, so they carry the
jitter of the way there (unpaced, the same messages arrive milliseconds apart).
"""

from __future__ import annotations

import asyncio
import itertools
import time
from collections import deque
from collections.abc import AsyncIterator

import pytest

from adapters.telegram.pacing import Pacing
from bot.config import Settings
from bot.events import Actor
from bot.messenger import Delivery, DeliveryOutcome, Messenger
from bot.ratelimit import PlatformLimiter, RateLimiters, RateLimits
from bot.replies import Audience, Reply
from tests.adapters.conformance import long_text
from tests.adapters.telegram_driver import TelegramDriver
from tests.fakes.telegram_api import FakeTelegramApi
from tests.fakes.telegram_updates import RecordedCall

NOTICE = Reply("Reminder: the circle meets tonight at 7.", audience=Audience.PRIVATE_MESSAGE)
TELEGRAM = Settings().telegram.limits.rate_limits()  # what `peercircle run` uses
JITTER = 0.05  # arrivals at the fake may bunch up by this much on a busy machine
FAN_OUT = 600


def _arrivals(fake: FakeTelegramApi, chat_id: int | None = None) -> list[float]:
    """When each message the fake accepted arrived (seconds, wall clock)."""
    return [call.received_at for call in _accepted(fake, chat_id)]


def _accepted(fake: FakeTelegramApi, chat_id: int | None = None) -> list[RecordedCall]:
    return [
        call
        for call in fake.calls_to("sendMessage")
        if call.ok and (chat_id is None or call.params.get("chat_id") == chat_id)
    ]


def _gaps(times: list[float]) -> list[float]:
    return [later - earlier for earlier, later in itertools.pairwise(times)]


def _busiest_second(times: list[float]) -> int:
    """The most messages that arrived within any one second."""
    window: deque[float] = deque()
    busiest = 0
    for arrived in sorted(times):
        window.append(arrived)
        while window[0] <= arrived - 1.0:
            window.popleft()
        busiest = max(busiest, len(window))
    return busiest


@pytest.fixture
async def limited() -> AsyncIterator[FakeTelegramApi]:
    """The fake Bot API answering 429 past Telegram's limits, as Telegram does."""
    async with FakeTelegramApi(enforce_limits=True) as api:
        yield api


def _messenger(driver: TelegramDriver, limiters: RateLimiters) -> Messenger:
    return Messenger(driver.platforms, limiters)


# -- answers --------------------------------------------------------------------------------


async def test_an_answer_in_several_parts_waits_for_its_chats_turns(fake: FakeTelegramApi) -> None:
    limiter = PlatformLimiter(RateLimits(per_chat_per_second=5))  # one every 0.2 s
    driver = TelegramDriver(fake, limiter=limiter)
    await driver.start()
    try:
        parts = await driver.say("alice", "/long", shared=False)
    finally:
        await driver.close()
    assert len(parts) == 3
    assert min(_gaps(_arrivals(fake, driver.user("alice").id))) >= 0.2 - JITTER


async def test_an_answer_in_a_group_chat_keeps_the_groups_pace(fake: FakeTelegramApi) -> None:
    limiter = PlatformLimiter(RateLimits(per_group_chat_per_minute=300))  # every 0.2 s
    driver = TelegramDriver(fake, limiter=limiter)
    await driver.start()
    try:
        parts = await driver.say("alice", "/long", shared=True)
    finally:
        await driver.close()
    assert [seen.where for seen in parts] == ["chat"] * 3
    assert min(_gaps(_arrivals(fake, driver.group.id))) >= 0.2 - JITTER


# -- notices --------------------------------------------------------------------------------


async def test_a_notice_waits_for_one_turn_only_the_messengers(fake: FakeTelegramApi) -> None:
    limiters = RateLimiters({"telegram": RateLimits(messages_per_second=2)})  # 0.5 s apart
    driver = TelegramDriver(fake, limiter=limiters.for_platform("telegram"))
    messenger = _messenger(driver, limiters)
    loop = asyncio.get_running_loop()
    began = loop.time()
    for person in ("alice", "bob"):
        assert (await messenger.deliver(driver.actor(person), NOTICE)).outcome is (
            DeliveryOutcome.SENT
        )
    took = loop.time() - began
    await driver.adapter.stop()
    assert 0.5 - JITTER <= took < 0.9  # two turns in all; waiting twice each takes 1.5 s


async def test_a_long_notice_paces_its_further_parts(fake: FakeTelegramApi) -> None:
    limiters = RateLimiters({"telegram": RateLimits(per_group_chat_per_minute=300)})
    driver = TelegramDriver(fake, limiter=limiters.for_platform("telegram"))
    announcement = Reply(long_text(4096), audience=Audience.HERE)
    delivery = await _messenger(driver, limiters).deliver(driver.shared_place(), announcement)
    await driver.adapter.stop()
    assert delivery.outcome is DeliveryOutcome.SENT
    arrivals = _arrivals(fake, driver.group.id)
    assert len(arrivals) == 3
    assert min(_gaps(arrivals)) >= 0.2 - JITTER


def test_a_notice_meets_flood_control_as_busy_until_part_of_it_is_out() -> None:
    notice, answer = Pacing.notice(None), Pacing.answer(None)
    assert not notice.waits_out_flood_control  # the outbox will try it later
    notice.sent()
    assert notice.waits_out_flood_control  # half a notice is finished, not resent
    assert answer.waits_out_flood_control


async def test_a_429_to_a_notice_is_a_failed_delivery_that_says_how_long(
    fake: FakeTelegramApi,
) -> None:
    limiters = RateLimiters({"telegram": TELEGRAM})
    driver = TelegramDriver(fake, limiter=limiters.for_platform("telegram"))
    messenger = _messenger(driver, limiters)
    bob = driver.actor("bob")
    fake.fault_retry_after(7, chat_id=driver.user("bob"))
    loop = asyncio.get_running_loop()
    began = loop.time()
    delivery = await messenger.deliver(bob, NOTICE)
    took = loop.time() - began

    assert delivery == Delivery(DeliveryOutcome.FAILED, retry_after=7.0, error="PlatformBusy")
    assert took < 2  # not the 7 s Telegram asked for: the outbox waits, not the adapter
    assert [call.status for call in fake.calls_to("sendMessage")] == [429]

    fake.enforce_rate_limits(burst_in_chat=1)  # now Telegram's own per-chat limit
    unpaced = Messenger(driver.platforms)  # a messenger that does not pace: refused
    assert (await unpaced.deliver(bob, NOTICE)).outcome is DeliveryOutcome.SENT
    again = await unpaced.deliver(bob, NOTICE)
    assert (again.outcome, again.retry_after) == (DeliveryOutcome.FAILED, 1.0)
    assert fake.too_many_requests_count == 2
    await driver.adapter.stop()


# -- a fan-out under Telegram's limits ------------------------------------------------------


async def test_a_fan_out_of_600_stays_under_telegrams_limits_and_replies_still_go_first(
    limited: FakeTelegramApi,
) -> None:
    """600 private reminders, all handed to the Messenger at once, through the real
    adapter to a fake Bot API that answers 429 past 30 messages in any second. One
    member blocked the bot. Meanwhile another member writes a command."""
    fake = limited
    limiters = RateLimiters({"telegram": TELEGRAM})
    driver = TelegramDriver(fake, limiter=limiters.for_platform("telegram"))
    messenger = _messenger(driver, limiters)
    members = [fake.user(f"Member{n}") for n in range(FAN_OUT)]
    for member in members:
        fake.private_chat(member)
    blocked = members[FAN_OUT // 3]
    fake.set_blocked(blocked)
    retried = 0

    async def remind(member_id: int) -> Delivery:
        nonlocal retried
        actor = Actor("telegram", str(member_id), "Member")
        delivery = await messenger.deliver(actor, NOTICE)
        if delivery.retry_after is not None:  # what the outbox would do, had it to
            retried += 1
            await asyncio.sleep(delivery.retry_after)
            delivery = await messenger.deliver(actor, NOTICE)
        return delivery

    await driver.start()
    began = time.monotonic()
    fan_out = asyncio.gather(*(remind(member.id) for member in members))
    try:
        await asyncio.sleep(5)  # well into the fan-out, with hundreds still queued
        asked = time.monotonic()
        seen = await driver.say("carol", "/echo are we meeting tonight?", shared=False)
        reply_took = time.monotonic() - asked
        deliveries = await fan_out
        duration = time.monotonic() - began
    finally:
        fan_out.cancel()  # only if the test failed before it finished
        await asyncio.gather(fan_out, return_exceptions=True)
        await driver.close()

    outcomes = {member.id: d.outcome for member, d in zip(members, deliveries, strict=True)}
    tries_to_blocked = [
        call for call in fake.calls_to("sendMessage") if call.params["chat_id"] == blocked.id
    ]
    reminders = [
        call for call in _accepted(fake) if call.params["chat_id"] != driver.user("carol").id
    ]
    arrivals = [call.received_at for call in reminders]
    rate = (len(arrivals) - 1) / (arrivals[-1] - arrivals[0])
    print(
        f"\nfan-out of {FAN_OUT} through the Telegram adapter: "
        f"{fake.too_many_requests_count} x 429, {rate:.1f} msgs/s achieved, "
        f"busiest second {_busiest_second(_arrivals(fake))} msgs, {duration:.1f} s in all, "
        f"{retried} retried; a reply during it took {reply_took:.2f} s"
    )

    assert outcomes.pop(blocked.id) is DeliveryOutcome.UNREACHABLE
    assert len(tries_to_blocked) == 1  # tried once, never again
    assert set(outcomes.values()) == {DeliveryOutcome.SENT}
    assert len(reminders) == FAN_OUT - 1
    assert fake.too_many_requests_count <= 2
    assert retried == fake.too_many_requests_count
    assert rate <= 31
    # The fake's own clock is the judge (it refuses a 31st message in a second: the
    # 429s above); the arrival stamps read here are taken a moment earlier, hence 31.
    assert _busiest_second(_arrivals(fake)) <= 31
    assert duration >= (FAN_OUT - 2) / 30  # paced, not refused: it cannot go faster
    assert [s.text for s in seen if s.person == "carol"] == ["You said: are we meeting tonight?"]
    assert reply_took < 2  # not behind the ~400 reminders still queued (~13 s of them)
