"""Server events while serving: the timer starts when an attached adapter offers server
events (none of today's adapters does), and the first tick does not hold up serving."""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from pathlib import Path

import pytest

from adapters.base import Capabilities, Inbox, Markup
from bot.app import BotApp
from bot.clock import SystemClock
from bot.commands import CommandSpec
from bot.config import load_settings
from bot.events import Actor, Place
from bot.events_port import ScheduledEventsPort, scheduled_events_port
from bot.platforms import MessageRef, Platforms
from bot.replies import Reply
from bot.roles import Role
from tests.fakes.outbound import RecordingOutbound
from tests.fakes.scheduled_events import FakeScheduledEvents
from tests.harness import HARNESS_ENVIRON, write_config

GUILD = "111111111111111111"


class ServerWithEvents(FakeScheduledEvents):
    """A platform adapter that serves nothing but offers server events."""

    def __init__(self) -> None:
        super().__init__(SystemClock())
        self._stopped = asyncio.Event()
        self.capabilities = Capabilities(
            buttons=False, forms=False, ephemeral=False, max_text_length=2000,
            markup=Markup.MARKDOWN, files=False, images=False,
        )  # fmt: skip

    async def start(self, inbox: Inbox) -> None:
        await self._stopped.wait()

    async def stop(self) -> None:
        self._stopped.set()

    async def register_commands(self, commands: Sequence[CommandSpec]) -> None:
        return None

    async def send(self, place: Place, reply: Reply) -> MessageRef:
        return MessageRef(self.platform, place.chat_id, ("1",))

    async def edit(self, ref: MessageRef, reply: Reply) -> None:
        return None

    async def send_private(self, actor: Actor, reply: Reply) -> MessageRef:
        return MessageRef(self.platform, actor.user_id, ("1",))

    async def platform_role(self, actor: Actor, place: Place) -> Role:
        return Role.MEMBER


def test_only_an_adapter_that_offers_server_events_is_taken_as_the_port() -> None:
    platforms = Platforms()
    platforms.attach(RecordingOutbound("discord"))
    assert scheduled_events_port(platforms, "discord") is None
    server = ServerWithEvents()
    platforms.attach(server)
    assert scheduled_events_port(platforms, "discord") is server
    assert scheduled_events_port(platforms, "telegram") is None
    assert isinstance(server, ScheduledEventsPort)


async def _serve_until_events(tmp_path: Path, extra: str = "") -> ServerWithEvents:
    config = write_config(tmp_path, storage_url="sqlite:///serve.sqlite3")
    config.write_text(config.read_text() + extra, encoding="utf-8")
    app = await BotApp.open(load_settings(config, environ=HARNESS_ENVIRON))
    server = ServerWithEvents()
    stop = asyncio.Event()
    serving = asyncio.create_task(app.serve([server], stop))
    try:
        for _ in range(100):  # up to 2 s
            if server.ours(GUILD) or serving.done():
                break
            await asyncio.sleep(0.02)
    finally:
        stop.set()
        await asyncio.wait_for(serving, 10)
        await app.close()
    return server


async def test_serving_with_such_an_adapter_shows_the_meetings_as_events(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    extra = '\n[events.names]\ncarers = "Thursday meetup"\nno-such-group = "Meetup"\n'
    server = await _serve_until_events(tmp_path, extra)

    events = server.ours(GUILD)
    assert len(events) == 4
    assert {event.name for event in events} == {"Thursday meetup"}
    [unknown] = [r.getMessage() for r in caplog.records if "[events.names]" in r.getMessage()]
    assert "no-such-group" in unknown
    assert "carers" not in unknown


async def test_a_horizon_of_zero_keeps_events_off(tmp_path: Path) -> None:
    server = await _serve_until_events(tmp_path, "\n[events]\nhorizon = 0\n")

    assert server.calls == []
