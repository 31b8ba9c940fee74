"""The messenger waits for the platform's proactive turn before every message: the
right chat, a group chat's own limit, and no wait where a platform has no limits."""

from __future__ import annotations

import asyncio

from bot.app import BotApp
from bot.config import Settings
from bot.events import Actor, Place
from bot.messenger import DeliveryOutcome, Messenger
from bot.platforms import MessageRef, Platforms
from bot.ratelimit import RateLimiters, RateLimits
from bot.replies import Audience, Reply
from tests.fakes.outbound import RecordingOutbound

NOTE = Reply("A reminder: the circle meets tonight.", audience=Audience.PRIVATE_MESSAGE)
EPSILON = 0.005


class TimedOutbound(RecordingOutbound):
    """Records when each message reached the platform."""

    def __init__(self, platform: str) -> None:
        super().__init__(platform)
        self.times: list[float] = []

    async def send_private(self, actor: Actor, reply: Reply) -> MessageRef:
        self.times.append(asyncio.get_running_loop().time())
        return await super().send_private(actor, reply)

    async def send(self, place: Place, reply: Reply) -> MessageRef:
        self.times.append(asyncio.get_running_loop().time())
        return await super().send(place, reply)


def _messenger(limits: RateLimits | None) -> tuple[Messenger, TimedOutbound]:
    channel = TimedOutbound("telegram")
    platforms = Platforms()
    platforms.attach(channel)
    rate_limits = RateLimiters({"telegram": limits}) if limits is not None else None
    return Messenger(platforms, rate_limits), channel


def _spread(times: list[float]) -> float:
    return times[-1] - times[0]


async def test_private_messages_are_paced_by_the_platforms_rate() -> None:
    messenger, channel = _messenger(RateLimits(messages_per_second=40))
    people = [Actor("telegram", str(100 + n), f"P{n}") for n in range(9)]
    outcomes = [(await messenger.deliver(person, NOTE)).outcome for person in people]
    assert outcomes == [DeliveryOutcome.SENT] * 9
    assert _spread(channel.times) >= 8 / 40 - EPSILON


async def test_a_persons_private_chat_is_their_user_id() -> None:
    messenger, channel = _messenger(RateLimits(per_chat_per_second=10))
    tina = Actor("telegram", "777", "Tina")
    for _ in range(3):
        await messenger.deliver(tina, NOTE)
    await messenger.deliver(Place("telegram", "777", private=True), NOTE)  # the same chat
    assert _spread(channel.times) >= 3 / 10 - EPSILON


async def test_a_group_chat_is_paced_by_its_own_limit_and_a_private_place_is_not() -> None:
    limits = RateLimits(per_chat_per_second=1000, per_chat_burst=9, per_group_chat_per_minute=600)
    messenger, channel = _messenger(limits)
    group = Place("telegram", "-100", private=False)
    for _ in range(3):
        await messenger.deliver(group, NOTE)
    assert _spread(channel.times) >= 2 / 10 - EPSILON

    channel.times.clear()
    private = Place("telegram", "555", private=True)
    for _ in range(3):
        await messenger.deliver(private, NOTE)
    assert _spread(channel.times) < 0.05


async def test_without_limits_nothing_waits() -> None:
    messenger, channel = _messenger(None)
    for n in range(50):
        await messenger.deliver(Actor("telegram", str(n + 1), "P"), NOTE)
    assert _spread(channel.times) < 0.5
    assert len(channel.sent) == 50


async def test_the_app_paces_with_the_configured_limits() -> None:
    settings = Settings.model_validate(
        {
            "storage": {"url": "sqlite:///:memory:"},
            "telegram": {"limits": {"messages_per_second": 12}},
        }
    )
    app = await BotApp.open(settings)
    try:
        telegram = app.rate_limits.for_platform("telegram").limits
        assert telegram.messages_per_second == 12
        assert telegram.per_group_chat_per_minute == 20
        assert app.rate_limits.for_platform("discord").limits.messages_per_second == 45
        assert app.rate_limits.for_platform("console").limits.unlimited
    finally:
        await app.close()
