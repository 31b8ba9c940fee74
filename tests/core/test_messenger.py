"""Proactive private messages: one way out, with an honest outcome for each."""

from __future__ import annotations

import logging

import pytest

from bot.events import Actor, Place
from bot.messenger import DeliveryOutcome, Messenger
from bot.platforms import MessageRef, PlatformBusy, Platforms
from bot.replies import Audience, Reply
from bot.roles import Role
from tests.fakes.outbound import RecordingOutbound

NOTE = Reply("A seat is yours — a private detail.", audience=Audience.PRIVATE_MESSAGE)
tina = Actor("telegram", "777", "Tina")


class BrokenPlatform(RecordingOutbound):
    async def send_private(self, actor: Actor, reply: Reply) -> MessageRef:
        raise ConnectionError("platform down: " + reply.text)

    async def platform_role(self, actor: Actor, place: Place) -> Role:
        raise TimeoutError("no answer")


def _messenger(channel: RecordingOutbound) -> Messenger:
    platforms = Platforms()
    platforms.attach(channel)
    return Messenger(platforms)


async def test_a_delivered_message_is_sent() -> None:
    channel = RecordingOutbound("telegram")
    assert (await _messenger(channel).deliver(tina, NOTE)).outcome is DeliveryOutcome.SENT
    assert channel.inbox(tina) == [NOTE]


async def test_a_person_who_blocked_the_bot_is_unreachable_not_an_incident(
    caplog: pytest.LogCaptureFixture,
) -> None:
    channel = RecordingOutbound("telegram")
    channel.unreachable.add(tina.key)

    with caplog.at_level(logging.INFO):
        outcome = (await _messenger(channel).deliver(tina, NOTE)).outcome

    assert outcome is DeliveryOutcome.UNREACHABLE
    assert "incident" not in caplog.text
    assert "unreachable" in caplog.text


async def test_a_platform_failure_is_logged_without_the_text(
    caplog: pytest.LogCaptureFixture,
) -> None:
    with caplog.at_level(logging.INFO):
        outcome = (await _messenger(BrokenPlatform("telegram")).deliver(tina, NOTE)).outcome

    assert outcome is DeliveryOutcome.FAILED
    assert "incident INC-" in caplog.text
    assert "private detail" not in caplog.text


async def test_no_adapter_for_the_platform_is_no_route() -> None:
    outcome = (await _messenger(RecordingOutbound("discord")).deliver(tina, NOTE)).outcome
    assert outcome is DeliveryOutcome.NO_ROUTE


async def test_a_platform_that_cannot_say_grants_nothing() -> None:
    platforms = Platforms()
    platforms.attach(BrokenPlatform("telegram"))
    place = Place("telegram", "-1", private=False)
    assert await platforms.platform_role(tina, place) is Role.MEMBER
    assert await Platforms().platform_role(tina, place) is Role.MEMBER


async def test_a_message_for_a_chat_is_posted_there() -> None:
    channel = RecordingOutbound("telegram")
    place = Place("telegram", "-100", private=False)
    delivery = await _messenger(channel).deliver(place, NOTE)
    assert delivery.outcome is DeliveryOutcome.SENT
    assert channel.posted == [(place, NOTE)]
    assert channel.sent == []


async def test_a_platform_asking_to_wait_is_a_failure_that_says_how_long() -> None:
    class Busy(RecordingOutbound):
        async def send_private(self, actor: Actor, reply: Reply) -> MessageRef:
            raise PlatformBusy(7.5)

    delivery = await _messenger(Busy("telegram")).deliver(tina, NOTE)
    assert delivery.outcome is DeliveryOutcome.FAILED
    assert delivery.retry_after == 7.5
    assert delivery.error == "PlatformBusy"
