"""The fake Discord enforces Discord's rate limits when asked, as Discord answers them:
a global limit on calls made with the bot's token (interaction responses exempt) and
per-channel buckets whose headers discord.py paces itself by."""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator

import aiohttp
import discord
import pytest

from adapters.discord.endpoints import Endpoints
from tests.fakes.discord_api import FakeDiscordApi
from tests.fakes.discord_faults import Bucket
from tests.fakes.discord_world import DcChannel, DcGuild

POST = "POST /channels/{channel_id}/messages"
WEBHOOK_EDIT = "PATCH /webhooks/{app}/{token}/messages/{message_id}"


@pytest.fixture
async def fake() -> AsyncIterator[FakeDiscordApi]:
    async with FakeDiscordApi() as api:
        yield api
        assert api.internal_errors == []


@pytest.fixture
async def http() -> AsyncIterator[aiohttp.ClientSession]:
    async with aiohttp.ClientSession() as session:
        yield session


async def _post(
    http: aiohttp.ClientSession, fake: FakeDiscordApi, channel: DcChannel, text: str = "hi"
) -> aiohttp.ClientResponse:
    headers = {"Authorization": f"Bot {fake.token}"}
    url = f"{fake.api_base_url}/channels/{channel.id}/messages"
    async with http.post(url, json={"content": text}, headers=headers) as got:
        await got.read()
        return got


async def test_a_channel_takes_five_messages_per_window_and_says_so(
    fake: FakeDiscordApi, http: aiohttp.ClientSession
) -> None:
    fake.enforce_rate_limits()
    server = fake.guild("Circle")
    general, other = server.channels[0], fake.channel(server, "other")
    answers = [await _post(http, fake, general) for _ in range(6)]
    assert [got.status for got in answers] == [200] * 5 + [429]
    first, fifth, refused = answers[0], answers[4], answers[5]
    assert first.headers["X-RateLimit-Limit"] == "5"
    assert first.headers["X-RateLimit-Remaining"] == "4"
    assert fifth.headers["X-RateLimit-Remaining"] == "0"
    assert 0 < float(fifth.headers["X-RateLimit-Reset-After"]) <= 5.0
    assert first.headers["X-RateLimit-Bucket"] == refused.headers["X-RateLimit-Bucket"]
    assert refused.headers["Via"]  # a 429 discord.py waits out
    assert "X-RateLimit-Global" not in refused.headers
    assert (await _post(http, fake, other)).status == 200  # another channel's own bucket
    assert len(fake.sent(general)) == 5
    assert fake.rate_limits is not None
    assert fake.rate_limits.refused_route == 1


async def _call(
    http: aiohttp.ClientSession, fake: FakeDiscordApi, method: str, path: str, body: object
) -> int:
    headers = {"Authorization": f"Bot {fake.token}"}
    async with http.request(method, fake.api_base_url + path, json=body, headers=headers) as got:
        await got.read()
        return got.status


async def _slash(fake: FakeDiscordApi, http: aiohttp.ClientSession, server: DcGuild) -> list[int]:
    """Five /here interactions in the server (a command registered, a gateway session to
    carry them), answered and each edited: the statuses of those calls."""
    user = fake.user("alice")
    fake.join(server, user)
    command = [{"name": "here", "description": "Here", "type": 1}]
    path = f"/applications/{fake.application_id}/commands"
    assert await _call(http, fake, "PUT", path, command) == 200
    statuses = []
    async with http.ws_connect(fake.gateway_url()) as socket:
        await socket.receive_json()  # HELLO
        await socket.send_json({"op": 2, "d": {"token": fake.token}})
        await fake.wait_until_connected()
        for n in range(5):
            asked = fake.slash(user, "here", channel=server.channels[0])
            answer = {"type": 4, "data": {"content": f"answer {n}"}}
            path = f"/interactions/{asked.id}/{asked.token}/callback"
            statuses.append(await _call(http, fake, "POST", path, answer))
            edit = f"/webhooks/{fake.application_id}/{asked.token}/messages/@original"
            statuses.append(await _call(http, fake, "PATCH", edit, {"content": "edited"}))
    return statuses


async def test_past_the_global_limit_every_call_waits_but_interaction_answers(
    fake: FakeDiscordApi, http: aiohttp.ClientSession
) -> None:
    fake.enforce_rate_limits(per_second=3, buckets={})
    server = fake.guild("Circle")
    # one call with the token (publishing the command); the answers and edits are exempt
    assert await _slash(fake, http, server) == [200] * 10
    channels = [fake.channel(server, f"c{n}") for n in range(4)]
    answers = [await _post(http, fake, channel) for channel in channels]
    statuses = [got.status for got in answers]
    assert statuses[:2] == [200, 200]
    assert statuses[-1] == 429  # three in the last second already (two if the first expired)
    refused = answers[-1]
    assert refused.headers["X-RateLimit-Global"] == "true"
    assert refused.headers["X-RateLimit-Scope"] == "global"
    body = await refused.json()
    assert body["global"] is True
    assert 0 < body["retry_after"] <= 1.0
    assert len(fake.sent(channels[-1])) == 0  # the refused one was not posted
    assert fake.invalid_requests == statuses.count(429)


async def test_an_interactions_message_has_its_own_edit_bucket(
    fake: FakeDiscordApi, http: aiohttp.ClientSession
) -> None:
    fake.enforce_rate_limits(buckets={WEBHOOK_EDIT: Bucket("edits", 1, 5.0)})
    server = fake.guild("Circle")
    statuses = await _slash(fake, http, server)
    assert statuses == [200, 200] * 5  # one edit each: each interaction its own bucket
    asked = list(fake.interactions.values())[-1]
    edit = f"/webhooks/{fake.application_id}/{asked.token}/messages/@original"
    assert await _call(http, fake, "PATCH", edit, {"content": "again"}) == 429


async def test_discord_py_paces_itself_by_the_headers(fake: FakeDiscordApi) -> None:
    """Eight messages at once in one channel allowing four a second: discord.py learns
    the bucket from the first answer and waits for the window, so none is refused."""
    buckets = {POST: Bucket("posts", 4, 1.0)}
    fake.enforce_rate_limits(buckets=buckets)
    server = fake.guild("Circle")
    channel = server.channels[0]
    client = discord.Client(intents=discord.Intents.none())
    endpoints = Endpoints(fake.api_base_url, fake.gateway_url())
    endpoints.apply()
    try:
        await client.login(fake.token)
        target = client.get_partial_messageable(channel.id)
        began = time.monotonic()
        first = await target.send("0")
        rest = await asyncio.gather(*(target.send(str(n)) for n in range(1, 8)))
        took = time.monotonic() - began
    finally:
        await client.close()
        endpoints.restore()
    assert [m.content for m in [first, *rest]] == [str(n) for n in range(8)]
    assert took >= 1.0  # the second window
    assert [call.status for call in fake.calls_to(POST)] == [200] * 8
