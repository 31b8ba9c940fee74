"""The Discord adapter when Discord says no or goes away: private messages closed
(50007), 429s waited out (or handed back to the outbox), a 500 tried again, a dropped
gateway resumed, and a fan-out that carries on past a person who is unreachable."""

from __future__ import annotations

import time
from collections.abc import AsyncIterator

import discord
import pytest

from adapters.discord import DiscordAdapter
from adapters.discord.render import MAX_MESSAGE
from bot.messenger import DeliveryOutcome, Messenger
from bot.platforms import PlatformBusy, RecipientUnreachable
from bot.replies import Audience, Reply
from tests.adapters.conformance import conformance_dispatcher
from tests.adapters.discord_driver import DiscordDriver
from tests.fakes.discord_api import FakeDiscordApi
from tests.fakes.discord_world import DcChannel

POST_MESSAGE = "POST /channels/{channel_id}/messages"
NOTICE = Reply("Tuesday's meeting moved to 7pm.", audience=Audience.PRIVATE_MESSAGE)


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


async def test_closed_private_messages_raise_unreachable_without_retrying(
    driver: DiscordDriver,
) -> None:
    await driver.block("carol")
    with pytest.raises(RecipientUnreachable):
        await driver.adapter.send_private(driver.actor("carol"), NOTICE)
    refused = [c for c in driver.fake.calls_to(POST_MESSAGE) if c.status == 403]
    assert [c.code for c in refused] == [50007]  # asked once, not again


async def test_in_a_channel_closed_private_messages_get_a_private_pointer(
    driver: DiscordDriver,
) -> None:
    await driver.block("alice")
    seen = await driver.say("alice", "/dm", shared=True)
    assert [(s.where, s.person, s.text) for s in seen] == [
        ("only", "alice", driver.catalog.text("discord.could_not_message"))
    ]


async def test_a_fan_out_carries_on_past_someone_unreachable(driver: DiscordDriver) -> None:
    messenger = Messenger(driver.platforms)
    people = [driver.actor(name) for name in ("ann", "ben", "cat")]
    await driver.block("ben")

    outcomes = [(await messenger.deliver(person, NOTICE)).outcome for person in people]

    assert outcomes == [DeliveryOutcome.SENT, DeliveryOutcome.UNREACHABLE, DeliveryOutcome.SENT]
    received = {driver.person(dm.recipient.id if dm.recipient else None) for dm in _dms(driver)}
    assert received == {"ann", "cat"}


def _dms(driver: DiscordDriver) -> list[DcChannel]:
    return [
        driver.fake.channels[m.channel_id]
        for m in driver.fake.sent()
        if driver.fake.channels[m.channel_id].recipient is not None
    ]


async def test_a_429_is_waited_out_as_discord_asks(driver: DiscordDriver) -> None:
    driver.fake.fail(POST_MESSAGE, 429, retry_after=0.6)
    began = time.monotonic()
    await driver.adapter.send_private(driver.actor("dan"), NOTICE)
    waited = time.monotonic() - began
    statuses = [c.status for c in driver.fake.calls_to(POST_MESSAGE)]
    assert statuses == [429, 200]
    assert waited >= 0.6


async def test_a_429_longer_than_worth_waiting_is_handed_back_to_the_outbox(
    driver: DiscordDriver,
) -> None:
    driver.fake.fail(POST_MESSAGE, 429, retry_after=90)
    with pytest.raises(PlatformBusy) as busy:
        await driver.adapter.send_private(driver.actor("dan"), NOTICE)
    assert busy.value.retry_after == 90
    assert [c.status for c in driver.fake.calls_to(POST_MESSAGE)] == [429]


async def test_a_server_error_is_tried_again(driver: DiscordDriver) -> None:
    driver.fake.fail(POST_MESSAGE, 500)
    await driver.adapter.send_private(driver.actor("dan"), NOTICE)
    assert [c.status for c in driver.fake.calls_to(POST_MESSAGE)] == [500, 200]


async def test_a_dropped_gateway_is_resumed_and_nothing_is_lost(driver: DiscordDriver) -> None:
    fake = driver.fake
    await fake.drop_gateway()
    asked = fake.slash(driver.user("erin"), "here", channel=driver.channel)  # while down
    await fake.wait_until_resumed()
    [answer] = await fake.answers(asked)
    assert answer.text == "For everyone: the group meets on Tuesdays."
    assert (fake.gateway.identified, fake.gateway.resumed) == (1, 1)
    seen = await driver.say("erin", "/mine", shared=True)
    assert [s.text for s in seen] == ["secret-for erin"]


async def test_a_gateway_closed_by_discord_is_resumed(driver: DiscordDriver) -> None:
    await driver.fake.drop_gateway(code=4000)  # "unknown error: reconnect"
    await driver.fake.wait_until_resumed()
    seen = await driver.say("erin", "/here", shared=True)
    assert [s.text for s in seen] == ["For everyone: the group meets on Tuesdays."]


async def test_a_wrong_token_fails_start_for_the_supervisor(fake: FakeDiscordApi) -> None:
    driver = DiscordDriver(fake)
    adapter = DiscordAdapter(driver.catalog, token="not-the-token", options=driver.options())
    with pytest.raises(discord.LoginFailure):
        await adapter.start(conformance_dispatcher(driver.platforms, MAX_MESSAGE))
    await adapter.stop()
    assert fake.invalid_requests == 1  # asked once; the supervisor paces any retry
