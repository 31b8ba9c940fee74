"""The Discord adapter when a connection to Discord closes before any answer (found by
the fault soak, tests/soak): the call is tried again, so the member's answer is not
lost; and a slow command's deferral goes out early enough that a 500, which discord.py
waits out for a second, still lands inside Discord's 3 seconds, counted from when
Discord created the interaction (one that reached the bot late is deferred at once)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta

import pytest

from adapters.discord.answer import DEFER_AFTER, defer_delay
from bot.replies import Audience, Reply
from tests.adapters.discord_driver import DiscordDriver, registry_with
from tests.adapters.gate import Gate
from tests.fakes.discord_api import FakeDiscordApi
from tests.fakes.discord_faults import DROP, DROP_AFTER

CALLBACK = "POST /interactions/{interaction_id}/{token}/callback"
POST_MESSAGE = "POST /channels/{channel_id}/messages"
ACK_WINDOW = 3.0


@pytest.fixture
async def fake() -> AsyncIterator[FakeDiscordApi]:
    async with FakeDiscordApi() as api:
        yield api
        assert api.internal_errors == []


@pytest.fixture
async def driver(fake: FakeDiscordApi) -> AsyncIterator[DiscordDriver]:
    driver = DiscordDriver(fake)
    await driver.start()
    yield driver
    await driver.close()


async def test_an_answer_whose_connection_was_cut_is_sent_again(driver: DiscordDriver) -> None:
    fake = driver.fake
    fake.fail(CALLBACK, DROP)
    asked = fake.slash(driver.user("alice"), "here", channel=driver.channel)
    [answer] = await fake.answers(asked)
    assert answer.text == "For everyone: the group meets on Tuesdays."
    assert [call.status for call in fake.calls_to(CALLBACK)] == [DROP, 200]


async def test_a_private_message_whose_connection_was_cut_is_sent_again(
    driver: DiscordDriver,
) -> None:
    fake = driver.fake
    fake.fail(POST_MESSAGE, DROP)
    notice = Reply("Tuesday's meeting moved to 7pm.", audience=Audience.PRIVATE_MESSAGE)
    await driver.adapter.send_private(driver.actor("dan"), notice)
    assert [call.status for call in fake.calls_to(POST_MESSAGE)] == [DROP, 200]
    assert [message.text for message in fake.sent()] == ["Tuesday's meeting moved to 7pm."]


async def test_a_deferral_that_meets_a_server_error_is_still_in_time(
    fake: FakeDiscordApi,
) -> None:
    gate = Gate()
    driver = DiscordDriver(fake, registry=registry_with(gate.spec()))
    await driver.start()
    try:
        fake.fail(CALLBACK, 500)
        asked = fake.slash(driver.user("alice"), "slow", channel=driver.channel)
        await fake.responded(asked, within=ACK_WINDOW + 1)
        gate.release.set()
        [answer] = await fake.answers(asked)
    finally:
        await driver.close()
    assert [call.status for call in fake.calls_to(CALLBACK)] == [500, 200]
    assert asked.response_delay is not None
    assert asked.response_delay < ACK_WINDOW
    assert answer.text == "slow done"


NOW = datetime(2026, 11, 28, 0, 0, tzinfo=UTC)


@pytest.mark.parametrize(
    ("age", "delay"),
    [
        (0.0, DEFER_AFTER),
        (0.4, DEFER_AFTER - 0.4),
        (DEFER_AFTER, 0.0),
        (2.5, 0.0),
        (-2.0, DEFER_AFTER),
    ],
)
def test_the_deferral_counts_from_when_discord_made_the_interaction(
    age: float, delay: float
) -> None:
    created = NOW - timedelta(seconds=age)
    assert defer_delay(created, NOW, DEFER_AFTER) == pytest.approx(delay)


async def test_an_interaction_that_expired_is_answered_privately(driver: DiscordDriver) -> None:
    fake = driver.fake
    fake.fail(CALLBACK, 404, code=10062, times=2)  # the deferral too, if it comes first
    alice = driver.user("alice")
    asked = fake.slash(alice, "mine", channel=driver.channel)
    dm = fake.dm_channel(alice)
    await fake.wait_for(lambda: len(fake.sent(dm)) >= 2, within=10, what="a private answer")
    assert [m.text for m in fake.sent(dm)] == [
        driver.catalog.text("discord.answered_privately"),
        "secret-for alice",
    ]
    assert asked.response_type is None
    assert [m for m in fake.sent() if m.channel_id == driver.channel.id] == []


async def test_a_response_cut_off_after_it_arrived_is_not_given_twice(
    driver: DiscordDriver,
) -> None:
    fake = driver.fake
    fake.fail(CALLBACK, DROP_AFTER)
    asked = fake.slash(driver.user("alice"), "long", channel=driver.channel)
    answers = await fake.answers(asked, 2)
    assert [call.status for call in fake.calls_to(CALLBACK)] == [DROP_AFTER, 400]
    assert len(answers) == len({m.id for m in answers}) == len(asked.followups) + 1
    assert asked.response_type == 4


async def test_a_message_cut_off_after_it_arrived_is_made_once(driver: DiscordDriver) -> None:
    fake = driver.fake
    fake.fail(POST_MESSAGE, DROP_AFTER)
    notice = Reply("Tuesday's meeting moved to 7pm.", audience=Audience.PRIVATE_MESSAGE)
    await driver.adapter.send_private(driver.actor("dan"), notice)
    assert [call.status for call in fake.calls_to(POST_MESSAGE)] == [DROP_AFTER, 200]
    assert [message.text for message in fake.sent()] == ["Tuesday's meeting moved to 7pm."]
