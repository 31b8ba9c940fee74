"""``/calendar`` gives, beside the file, the group's subscription link when the HTTP
endpoint is on, has its secret and a public address; that link's feed is the file."""

from __future__ import annotations

from pathlib import Path
from urllib.parse import urlsplit

import aiohttp

from bot.http_endpoint import HttpEndpoint
from bot.replies import Audience
from tests.harness import HARNESS_ENVIRON, Harness, person, write_config

KEY = "calendar-secret-for-tests-0123456789abcdef"
PUBLIC = "https://bot.example.org/peercircle"


def _with_http(tmp_path: Path, public_url: str | None) -> Path:
    config = write_config(tmp_path)
    lines = ["", "[http]", "enabled = true", "port = 0"]
    if public_url is not None:
        lines.append(f'public_url = "{public_url}"')
    with config.open("a", encoding="utf-8") as extra:
        extra.write("\n".join(lines) + "\n")
    return config


async def test_calendar_shows_the_groups_feed_link_which_serves_the_same_file(
    tmp_path: Path,
) -> None:
    environ = {**HARNESS_ENVIRON, "PEERCIRCLE_HTTP__CALENDAR_KEY": KEY}
    harness = await Harness.open(_with_http(tmp_path, PUBLIC), environ=environ)
    try:
        [reply] = await harness.say("/calendar circle", as_=person("alice"))
        link = reply.text.rsplit(" ", 1)[-1]
        endpoint = HttpEndpoint(harness.app.settings.http, harness.app.endpoint_source())
        await endpoint.start()
        try:
            parts = urlsplit(link)
            local = f"http://127.0.0.1:{endpoint.port}{parts.path.removeprefix('/peercircle')}"
            async with (
                aiohttp.ClientSession() as session,
                session.get(f"{local}?{parts.query}") as response,
            ):
                served = (response.status, await response.read())
        finally:
            await endpoint.stop()
    finally:
        await harness.close()

    assert reply.audience is Audience.HERE  # meeting times are public, like /groups
    assert "subscribe to this link in your calendar app" in reply.text
    assert link.startswith(f"{PUBLIC}/calendar/circle.ics?key=")
    assert KEY not in reply.text
    assert reply.attachment is not None
    assert served == (200, reply.attachment.content)


async def test_without_a_public_address_or_a_secret_there_is_no_link(tmp_path: Path) -> None:
    no_address = await Harness.open(
        _with_http(tmp_path, None),
        environ={**HARNESS_ENVIRON, "PEERCIRCLE_HTTP__CALENDAR_KEY": KEY},
    )
    try:
        [first] = await no_address.say("/calendar circle", as_=person("alice"))
    finally:
        await no_address.close()
    (tmp_path / "other").mkdir()
    no_secret = await Harness.open(_with_http(tmp_path / "other", PUBLIC))
    try:
        [second] = await no_secret.say("/calendar circle", as_=person("alice"))
    finally:
        await no_secret.close()

    for reply in (first, second):
        assert "subscribe" not in reply.text
        assert reply.attachment is not None
