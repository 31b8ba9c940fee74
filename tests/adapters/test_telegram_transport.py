"""The adapter's HTTP transport for python-telegram-bot (``AiohttpRequest``) against
PTB's own (``HTTPXRequest``): the same bodies reach the server, and the same failures
reach the caller (``TimedOut``, ``NetworkError``), so retries work as they did."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Awaitable, Callable
from typing import Any

import pytest
from aiohttp import web
from telegram import InputFile
from telegram.error import NetworkError, TimedOut
from telegram.request import BaseRequest, HTTPXRequest, RequestData
from telegram.request._requestparameter import RequestParameter

from adapters.telegram.transport import AiohttpRequest

Make = Callable[[], BaseRequest]
TRANSPORTS: dict[str, Make] = {
    "httpx": lambda: HTTPXRequest(read_timeout=0.3, connect_timeout=1),
    "aiohttp": lambda: AiohttpRequest(read_timeout=0.3, connect_timeout=1),
}


async def _echo(request: web.Request) -> web.Response:
    form = await request.post()
    fields: dict[str, Any] = {}
    for name, value in form.items():
        if isinstance(value, web.FileField):
            fields[name] = [value.filename, value.file.read().decode(), value.content_type]
        else:
            fields[name] = value
    kind = request.content_type
    return web.json_response({"ok": True, "result": {"type": kind, "fields": fields}})


async def _slow(request: web.Request) -> web.Response:
    await asyncio.sleep(2)
    return web.json_response({"ok": True, "result": True})


async def _hang_up(request: web.Request) -> web.StreamResponse:
    assert request.transport is not None
    request.transport.close()  # the connection dropped before an answer
    return web.Response()


@pytest.fixture
async def server() -> AsyncIterator[str]:
    app = web.Application()
    app.router.add_post("/echo", _echo)
    app.router.add_post("/slow", _slow)
    app.router.add_post("/hang-up", _hang_up)
    runner = web.AppRunner(app)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = runner.addresses[0][1]
    yield f"http://127.0.0.1:{port}"
    await runner.cleanup()


async def _with(make: Make, use: Callable[[BaseRequest], Awaitable[Any]]) -> Any:
    request = make()
    await request.initialize()
    try:
        return await use(request)
    finally:
        await request.shutdown()


def _data(*parameters: tuple[str, object]) -> RequestData:
    return RequestData([RequestParameter.from_input(name, value) for name, value in parameters])


async def _post_both(url: str, data: RequestData | None) -> dict[str, Any]:
    found = {}
    for name, make in TRANSPORTS.items():
        found[name] = await _with(make, lambda request: request.post(url, data))
    return found


async def test_the_same_form_reaches_the_server(server: str) -> None:
    data = _data(("chat_id", 42), ("text", "héllo & <b>"), ("reply_markup", {"a": [1, 2]}))
    found = await _post_both(f"{server}/echo", data)
    assert found["aiohttp"] == found["httpx"]
    assert found["aiohttp"]["fields"]["text"] == "héllo & <b>"
    assert found["aiohttp"]["type"] == "application/x-www-form-urlencoded"


async def test_the_same_upload_reaches_the_server(server: str) -> None:
    upload = InputFile(b"BEGIN:VCALENDAR", filename="meeting.ics")
    found = await _post_both(f"{server}/echo", _data(("chat_id", 7), ("document", upload)))
    assert found["aiohttp"] == found["httpx"]
    assert found["aiohttp"]["type"] == "multipart/form-data"
    assert found["aiohttp"]["fields"]["document"][:2] == ["meeting.ics", "BEGIN:VCALENDAR"]


@pytest.mark.parametrize("transport", sorted(TRANSPORTS))
async def test_a_slow_answer_is_timed_out(server: str, transport: str) -> None:
    with pytest.raises(TimedOut):
        await _with(TRANSPORTS[transport], lambda request: request.post(f"{server}/slow"))


@pytest.mark.parametrize("transport", sorted(TRANSPORTS))
async def test_a_dropped_connection_is_a_network_error(server: str, transport: str) -> None:
    with pytest.raises(NetworkError) as caught:
        await _with(TRANSPORTS[transport], lambda request: request.post(f"{server}/hang-up"))
    assert not isinstance(caught.value, TimedOut)


async def test_a_closed_port_is_a_network_error(server: str) -> None:
    async def refused(request: BaseRequest) -> object:
        return await request.post("http://127.0.0.1:9/nothing")

    with pytest.raises(NetworkError):
        await _with(TRANSPORTS["aiohttp"], refused)


async def test_a_request_before_initialize_is_refused() -> None:
    with pytest.raises(RuntimeError, match="not initialized"):
        await AiohttpRequest().do_request("http://127.0.0.1:9/", "POST")


async def test_the_proxy_the_environment_names_is_used(
    server: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """As httpx does: an operator behind a proxy sets HTTPS_PROXY (here HTTP_PROXY, for
    a plain-HTTP address) and nothing else. The address asked for is unroutable; only
    the proxy (the loopback server) can answer."""
    for name in ("NO_PROXY", "no_proxy", "http_proxy"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("HTTP_PROXY", server)

    async def through_proxy(request: BaseRequest) -> object:
        return await request.post("http://192.0.2.1:9/echo", _data(("chat_id", 5)))

    found = await _with(TRANSPORTS["aiohttp"], through_proxy)
    assert found["fields"] == {"chat_id": "5"}


async def test_a_host_the_environment_exempts_goes_direct(
    server: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """NO_PROXY names the loopback host: the request goes straight to it, not to the
    proxy (an address nothing answers on)."""
    for name in ("no_proxy", "http_proxy", "all_proxy", "ALL_PROXY"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("HTTP_PROXY", "http://127.0.0.1:9")
    monkeypatch.setenv("NO_PROXY", "127.0.0.1")

    async def direct(request: BaseRequest) -> object:
        return await request.post(f"{server}/echo", _data(("chat_id", 6)))

    found = await _with(TRANSPORTS["aiohttp"], direct)
    assert found["fields"] == {"chat_id": "6"}
