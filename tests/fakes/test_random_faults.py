"""Faults at random rates in both fakes (for the soak): each kind at its rate, a 429
with a short retry_after, and a connection dropped before the fake acts (nothing done)
or after (done, the answer lost)."""

from __future__ import annotations

import aiohttp
import pytest

from tests.fakes.discord_api import FakeDiscordApi
from tests.fakes.discord_faults import DROP_AFTER
from tests.fakes.discord_faults import RandomFaults as DiscordFaults
from tests.fakes.telegram_api import FakeTelegramApi
from tests.fakes.telegram_faults import RandomFaults as TelegramFaults

POST_MESSAGE = "POST /channels/{channel_id}/messages"


async def _send(fake: FakeTelegramApi, chat_id: int) -> tuple[int, dict[str, object]] | None:
    """sendMessage by hand: the status and body, or None when the connection dropped."""
    url = f"{fake.base_url}{fake.token}/sendMessage"
    async with aiohttp.ClientSession() as session:
        try:
            async with session.post(url, json={"chat_id": chat_id, "text": "hi"}) as answer:
                return answer.status, await answer.json()
        except aiohttp.ClientConnectionError:
            return None


def test_each_kind_comes_at_its_rate() -> None:
    faults = TelegramFaults(seed=1, too_many=0.05, server_error=0.02, drop=0.01)
    drawn = [faults.draw("sendMessage") for _ in range(20_000)]
    assert sum(fault is not None for fault in drawn) == pytest.approx(1_600, rel=0.1)
    assert faults.total("429") == pytest.approx(1_000, rel=0.1)
    assert faults.total("500") == pytest.approx(400, rel=0.15)
    assert faults.total("drop") == pytest.approx(200, rel=0.25)
    assert faults.total("drop_after") == 0
    faults.enabled = False
    assert faults.draw("sendMessage") is None


async def test_telegram_answers_429_with_a_short_retry_after() -> None:
    async with FakeTelegramApi() as fake:
        alex = fake.user("Alex")
        fake.private_chat(alex)
        fake.random_faults(TelegramFaults(too_many=1.0, retry_after=(0.05, 0.2)))
        status, body = await _send(fake, alex.id) or (0, {})
    assert status == 429
    parameters = body["parameters"]
    assert isinstance(parameters, dict)
    assert 0.05 <= parameters["retry_after"] <= 0.2
    assert fake.sent_messages(alex) == []


@pytest.mark.parametrize(
    ("faults", "delivered"),
    [(TelegramFaults(drop=1.0), 0), (TelegramFaults(drop_after=1.0), 1)],
    ids=["before", "after"],
)
async def test_telegram_drops_before_or_after_acting(
    faults: TelegramFaults, delivered: int
) -> None:
    async with FakeTelegramApi() as fake:
        alex = fake.user("Alex")
        fake.private_chat(alex)
        fake.random_faults(faults)
        assert await _send(fake, alex.id) is None
    assert len(fake.sent_messages(alex)) == delivered


async def test_discord_drops_after_acting() -> None:
    async with FakeDiscordApi() as fake:
        server = fake.guild("Circle")
        channel = server.channels[0]
        fake.faults.random = DiscordFaults(drop_after=1.0, routes=frozenset({POST_MESSAGE}))
        url = f"{fake.api_base_url}/channels/{channel.id}/messages"
        headers = {"Authorization": f"Bot {fake.token}"}
        async with aiohttp.ClientSession() as session:
            with pytest.raises(aiohttp.ClientConnectionError):
                await session.post(url, json={"content": "hi"}, headers=headers)
    assert [m.content for m in fake.sent(channel)] == ["hi"]
    assert [call.status for call in fake.calls_to(POST_MESSAGE)] == [DROP_AFTER]
