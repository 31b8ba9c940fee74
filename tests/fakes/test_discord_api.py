"""The fake Discord keeps Discord's rules, so the adapter's tests can fail: the 3-second
window, one first response, what a deferred response becomes, message limits, 429s as
discord.py expects them, the gateway's handshake and resume, and markdown as shown."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator
from typing import Any

import aiohttp
import pytest

from tests.fakes.discord_api import FakeDiscordApi
from tests.fakes.discord_markdown import render
from tests.fakes.discord_world import DcInteraction


@pytest.fixture
async def fake() -> AsyncIterator[FakeDiscordApi]:
    async with FakeDiscordApi() as api:
        yield api
        assert api.internal_errors == []


@pytest.fixture
async def http() -> AsyncIterator[aiohttp.ClientSession]:
    async with aiohttp.ClientSession() as session:
        yield session


async def _call(
    http: aiohttp.ClientSession, fake: FakeDiscordApi, method: str, path: str, body: Any = None
) -> tuple[int, Any]:
    headers = {"Authorization": f"Bot {fake.token}"}
    async with http.request(method, fake.api_base_url + path, json=body, headers=headers) as got:
        text = await got.text()
        return got.status, json.loads(text) if text else None


async def _interaction(fake: FakeDiscordApi, http: aiohttp.ClientSession) -> DcInteraction:
    """A /here interaction in a server channel, with a gateway session to carry it."""
    server = fake.guild("Circle")
    user = fake.user("alice")
    fake.join(server, user)
    command = {"name": "here", "description": "Here", "type": 1}
    status, _ = await _call(
        http, fake, "PUT", f"/applications/{fake.application_id}/commands", [command]
    )
    assert status == 200
    async with http.ws_connect(fake.gateway_url()) as socket:
        await socket.receive_json()  # HELLO
        await socket.send_json({"op": 2, "d": {"token": fake.token}})
        await fake.wait_until_connected()
        return fake.slash(user, "here", channel=server.channels[0])


def _callback(interaction: DcInteraction) -> str:
    return f"/interactions/{interaction.id}/{interaction.token}/callback"


def _hook(fake: FakeDiscordApi, interaction: DcInteraction) -> str:
    return f"/webhooks/{fake.application_id}/{interaction.token}"


async def test_one_first_response_within_three_seconds(
    fake: FakeDiscordApi, http: aiohttp.ClientSession
) -> None:
    asked = await _interaction(fake, http)
    answer = {"type": 4, "data": {"content": "hi"}}
    assert (await _call(http, fake, "POST", _callback(asked), answer))[0] == 200
    status, body = await _call(http, fake, "POST", _callback(asked), answer)
    assert (status, body["code"]) == (400, 40060)

    late = await _interaction(fake, http)
    late.created_at -= 3.1
    status, body = await _call(http, fake, "POST", _callback(late), answer)
    assert (status, body["code"]) == (404, 10062)


async def test_the_first_follow_up_fills_in_a_deferred_response(
    fake: FakeDiscordApi, http: aiohttp.ClientSession
) -> None:
    asked = await _interaction(fake, http)
    await _call(http, fake, "POST", _callback(asked), {"type": 5, "data": {"flags": 64}})
    assert asked.original is not None
    assert asked.original.loading
    _, first = await _call(http, fake, "POST", _hook(fake, asked), {"content": "one", "flags": 0})
    _, second = await _call(http, fake, "POST", _hook(fake, asked), {"content": "two"})
    assert first["id"] == str(asked.original.id)  # the "thinking…" message, still ephemeral
    assert asked.original.ephemeral
    assert not asked.original.loading
    assert second["id"] != first["id"]
    assert [m.text for m in asked.followups] == ["one", "two"]


async def test_discords_limits_are_kept(fake: FakeDiscordApi, http: aiohttp.ClientSession) -> None:
    asked = await _interaction(fake, http)
    too_long = {"type": 4, "data": {"content": "x" * 2001}}
    status, body = await _call(http, fake, "POST", _callback(asked), too_long)
    assert (status, body["code"]) == (400, 50035)
    channel = fake.guilds[next(iter(fake.guilds))].channels[0]
    status, body = await _call(http, fake, "POST", f"/channels/{channel.id}/messages", {})
    assert (status, body["code"]) == (400, 50006)
    ephemeral = {"content": "x", "flags": 64}  # only an interaction's messages can be
    status, _ = await _call(http, fake, "POST", f"/channels/{channel.id}/messages", ephemeral)
    assert status == 400


async def test_a_429_looks_like_discords(fake: FakeDiscordApi, http: aiohttp.ClientSession) -> None:
    fake.fail("GET /users/@me", 429, retry_after=2.5)
    async with http.get(
        fake.api_base_url + "/users/@me", headers={"Authorization": f"Bot {fake.token}"}
    ) as got:
        assert got.status == 429
        assert got.headers["Content-Type"] == "application/json"
        assert got.headers["Via"]  # discord.py retries only 429s that have it
        assert got.headers["X-RateLimit-Remaining"] == "0"
        assert (await got.json())["retry_after"] == 2.5
    assert fake.invalid_requests == 1


async def test_without_the_token_nothing_answers(
    fake: FakeDiscordApi, http: aiohttp.ClientSession
) -> None:
    async with http.get(fake.api_base_url + "/users/@me") as got:
        assert got.status == 401


async def test_the_gateway_resumes_a_session_with_what_it_missed(
    fake: FakeDiscordApi, http: aiohttp.ClientSession
) -> None:
    fake.guild("Circle")
    async with http.ws_connect(fake.gateway_url()) as socket:
        assert (await socket.receive_json())["op"] == 10
        await socket.send_json({"op": 1, "d": None})
        assert (await socket.receive_json())["op"] == 11
        await socket.send_json({"op": 2, "d": {"token": fake.token}})
        ready = await socket.receive_json()
        created = await socket.receive_json()
    assert (ready["t"], created["t"]) == ("READY", "GUILD_CREATE")
    session = ready["d"]["session_id"]
    fake.gateway.dispatch("TYPING_START", {"n": 1}, guild_id=None)  # while away
    async with http.ws_connect(ready["d"]["resume_gateway_url"]) as socket:
        await socket.receive_json()
        await socket.send_json(
            {"op": 6, "d": {"token": fake.token, "session_id": session, "seq": 2}}
        )
        missed = await asyncio.wait_for(socket.receive_json(), 5)
        resumed = await asyncio.wait_for(socket.receive_json(), 5)
    assert (missed["t"], missed["s"], resumed["t"]) == ("TYPING_START", 3, "RESUMED")


async def test_a_wrong_token_closes_the_gateway(
    fake: FakeDiscordApi, http: aiohttp.ClientSession
) -> None:
    async with http.ws_connect(fake.gateway_url()) as socket:
        await socket.receive_json()
        await socket.send_json({"op": 2, "d": {"token": "wrong"}})
        closed = await socket.receive()
    assert closed.type is aiohttp.WSMsgType.CLOSE
    assert closed.data == 4004


@pytest.mark.parametrize(
    ("content", "shown", "mentions"),
    [
        ("**bold** _it_ ~~s~~ ||x|| `c`", "bold it s x c", []),
        (r"\*not\* \_it\_", "*not* _it_", []),
        ("a_b_c https://x.example/a_b_c", "a_b_c https://x.example/a_b_c", []),
        ("> quote\n# head\n- item", "quote\nhead\n• item", []),
        ("[text](https://e.x)", "text", []),
        ("@everyone <@&5>", "@everyone @unknown", ["@everyone", "<@&5>"]),
        (r"\@everyone \<@&5>", "@everyone <@&5>", []),
    ],
)
def test_markdown_is_shown_as_a_discord_client_shows_it(
    content: str, shown: str, mentions: list[str]
) -> None:
    rendered = render(content, lambda kind, ident: "unknown")
    assert (rendered.text, rendered.mentions) == (shown, mentions)
