"""Meetings as Discord server events: the adapter's ``ScheduledEventsPort`` against the
fake Discord (the real discord.py client), then a real BotApp whose group lives in the
fake server showing its next meetings there."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import discord
import pytest

from adapters.discord import DiscordAdapter, DiscordOptions
from bot.app import BotApp
from bot.catalog import Catalog
from bot.config import load_settings
from bot.events_port import EventSpec, MissingPermission, ScheduledEventsPort, make_marker
from bot.platforms import PlatformBusy
from groups.guild_event_sync import GuildEventSync
from groups.guild_events import EventWording
from tests.adapters.discord_driver import DiscordDriver
from tests.fakes.discord_api import FakeDiscordApi
from tests.fakes.discord_events import ACTIVE, EXTERNAL, GUILD_ONLY
from tests.fakes.discord_world import DcGuild
from tests.harness import HARNESS_ENVIRON, write_config

EVENTS = "/guilds/{guild_id}/scheduled-events"


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


def _spec(server: DcGuild, n: int = 1, *, days: int = 3, name: str = "Group meeting") -> EventSpec:
    start = (datetime.now(UTC) + timedelta(days=days)).replace(microsecond=0)
    marker = make_marker(str(server.id), "carers", str(n))
    return EventSpec(
        str(server.id), marker, name, f"Meets weekly.\n\n{marker}", start,
        start + timedelta(hours=1, minutes=30), "Riverside Library",
    )  # fmt: skip


# -- the port ----------------------------------------------------------------------------


async def test_the_adapter_offers_server_events(driver: DiscordDriver) -> None:
    assert isinstance(driver.adapter, ScheduledEventsPort)
    assert await driver.adapter.can_manage_events(str(driver.server.id))
    assert not await driver.adapter.can_manage_events("123456789012345678")  # not in it


async def test_permission_is_waited_for_until_connected_then_read_from_the_cache(
    fake: FakeDiscordApi,
) -> None:
    driver = DiscordDriver(fake)
    asked = asyncio.create_task(driver.adapter.can_manage_events(str(driver.server.id)))
    await asyncio.sleep(0.3)
    assert not asked.done()  # not connected yet: waits, never says no
    await driver.start()
    try:
        assert await asyncio.wait_for(asked, 10)
        calls = len(fake.calls)
        fake.deny_events(driver.server)
        for _ in range(100):
            if not await driver.adapter.can_manage_events(str(driver.server.id)):
                break
            await asyncio.sleep(0.05)
        assert not await driver.adapter.can_manage_events(str(driver.server.id))
        assert len(fake.calls) == calls  # no request: discord.py's cache
    finally:
        await driver.close()


async def test_an_event_is_created_external_guild_only_and_exactly_as_asked(
    driver: DiscordDriver,
) -> None:
    spec = _spec(driver.server)
    made = await driver.adapter.create_scheduled_event(spec)

    [kept] = driver.fake.scheduled_events(driver.server)
    assert kept["id"] == made.event_id
    assert (kept["entity_type"], kept["privacy_level"]) == (EXTERNAL, GUILD_ONLY)
    assert kept["entity_metadata"] == {"location": "Riverside Library"}
    assert (kept["name"], kept["description"]) == (spec.name, spec.description)
    assert kept["creator_id"] == str(driver.fake.bot.id)
    assert (made.start, made.end, made.location) == (spec.start, spec.end, spec.location)
    assert made.made_by_bot
    assert made.marker == spec.marker
    assert made.matches(spec)


async def test_the_list_has_every_uncompleted_event_and_tells_the_bots_own(
    driver: DiscordDriver,
) -> None:
    server = driver.server
    ours = await driver.adapter.create_scheduled_event(_spec(server))
    someone = driver.user("Sam")
    games = driver.fake.add_event(server, someone, "Games night", datetime.now(UTC) + timedelta(1))
    driver.fake.start_event(server, games["id"])

    listed = {e.event_id: e for e in await driver.adapter.list_scheduled_events(str(server.id))}

    assert set(listed) == {ours.event_id, games["id"]}
    assert listed[ours.event_id].made_by_bot
    assert not listed[ours.event_id].active
    assert not listed[games["id"]].made_by_bot
    assert listed[games["id"]].active
    assert listed[games["id"]].marker is None  # not the bot's to touch
    assert driver.fake.scheduled_events(server)[0]["status"] == ACTIVE


async def test_an_event_is_edited_then_deleted_and_one_already_gone_is_no_error(
    driver: DiscordDriver,
) -> None:
    server, adapter = driver.server, driver.adapter
    made = await adapter.create_scheduled_event(_spec(server))
    moved = _spec(server, days=5, name="Carers meetup")
    await adapter.edit_scheduled_event(made.event_id, moved)
    [listed] = await adapter.list_scheduled_events(str(server.id))
    assert listed.matches(moved)

    await adapter.delete_scheduled_event(str(server.id), made.event_id)
    assert driver.fake.scheduled_events(server) == []
    await adapter.delete_scheduled_event(str(server.id), made.event_id)  # gone already
    last = driver.fake.calls[-1]
    assert (last.route, last.status, last.code) == (f"GET {EVENTS}/{{event_id}}", 404, 10070)
    assert len(driver.fake.calls_to(f"DELETE {EVENTS}/{{event_id}}")) == 1


async def test_a_refusal_is_missing_permission_and_a_long_429_platform_busy(
    driver: DiscordDriver,
) -> None:
    server, adapter, fake = driver.server, driver.adapter, driver.fake
    made = await adapter.create_scheduled_event(_spec(server))
    fake.deny_events(server)
    with pytest.raises(MissingPermission):
        await adapter.create_scheduled_event(_spec(server, 2))
    with pytest.raises(MissingPermission):
        await adapter.delete_scheduled_event(str(server.id), made.event_id)
    assert [c.code for c in fake.calls if c.status == 403] == [50013, 50013]
    with pytest.raises(MissingPermission):  # a server the bot is not in
        await adapter.list_scheduled_events("123456789012345678")
    fake.allow_events(server)
    fake.fail(f"POST {EVENTS}", 429, retry_after=120)
    with pytest.raises(PlatformBusy) as busy:
        await adapter.create_scheduled_event(_spec(server, 3))
    assert busy.value.retry_after == pytest.approx(120)


async def test_the_fake_refuses_what_discord_refuses(driver: DiscordDriver) -> None:
    server, adapter = driver.server, driver.adapter
    with pytest.raises(discord.HTTPException) as past:
        await adapter.create_scheduled_event(_spec(server, days=-1))
    assert past.value.code == 50035
    with pytest.raises(discord.HTTPException):
        await adapter.create_scheduled_event(_spec(server, name="x" * 101))
    someone = driver.user("Sam")
    soon = datetime.now(UTC) + timedelta(days=1)
    for n in range(100):
        driver.fake.add_event(server, someone, f"Night {n}", soon)
    with pytest.raises(discord.HTTPException) as full:
        await adapter.create_scheduled_event(_spec(server))
    assert full.value.code == 30038


# -- a real bot ------------------------------------------------------------------------


def _config(tmp_path: Path, fake: FakeDiscordApi, server: DcGuild, extra: str = "") -> Path:
    """The harness config; its "carers" group lives in ``server`` (weekly, for a test)."""
    config = write_config(tmp_path, storage_url="sqlite:///events.sqlite3")
    text = config.read_text(encoding="utf-8")
    text = text.replace("111111111111111111", str(server.id))
    text = text.replace("222222222222222222", str(server.channels[0].id))
    text = text.replace('frequency = "fortnightly"\n', "")
    config.write_text(text + extra, encoding="utf-8")
    return config


async def _serving(app: BotApp, adapter: DiscordAdapter, stop: asyncio.Event) -> asyncio.Task[None]:
    return asyncio.create_task(app.serve([adapter], stop))


def _adapter(app: BotApp, fake: FakeDiscordApi) -> DiscordAdapter:
    options = DiscordOptions(api_base_url=fake.api_base_url, gateway_url=fake.gateway_url())
    return DiscordAdapter(app.catalog, token=fake.token, options=options)


async def test_a_groups_next_meetings_show_as_events_and_a_cancelled_one_goes(
    fake: FakeDiscordApi, tmp_path: Path
) -> None:
    server = fake.guild("Carers server")
    fran = fake.user("Fran")
    fake.join(server, fran, roles=("Facilitator",))
    config = _config(tmp_path, fake, server, "\n[events]\nhorizon = 3\n")
    app = await BotApp.open(load_settings(config, environ=HARNESS_ENVIRON))
    adapter, stop = _adapter(app, fake), asyncio.Event()
    serving = await _serving(app, adapter, stop)
    try:
        events = await fake.wait_for(
            lambda: len(fake.scheduled_events(server)) == 3 and fake.scheduled_events(server),
            within=20,
            what="three events",
        )
        asked = fake.slash(fran, "cancel", {"group": "carers"}, channel=server.channels[0])
        [cancelled] = await fake.answers(asked, within=10)
        section = app.settings.events
        wording = EventWording.from_settings(section, app.catalog)
        sync = GuildEventSync(
            adapter, app.database, app.directory, app.clock, wording, horizon=section.horizon
        )
        report = await sync.run()
    finally:
        stop.set()
        await asyncio.wait_for(serving, 20)
        await app.close()
    assert cancelled.ephemeral
    assert {e["name"] for e in events} == {Catalog.load().text("guild_events.name")}  # neutral
    assert all("Carers" not in (e["description"] or "") for e in events)
    assert [e["entity_metadata"]["location"] for e in events] == ["Riverside Library"] * 3
    assert (report.created, report.edited, report.deleted) == (1, 0, 1)  # the next comes in
    left = fake.scheduled_events(server)
    assert [e["id"] for e in left[:2]] == [e["id"] for e in events[1:]]
    assert left[2]["scheduled_start_time"] > events[2]["scheduled_start_time"]


async def test_a_server_without_the_permission_is_logged_once_and_the_rest_works(
    fake: FakeDiscordApi, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    server = fake.guild("Carers server")
    fake.deny_events(server)
    alex = fake.user("Alex")
    fake.join(server, alex)
    app = await BotApp.open(load_settings(_config(tmp_path, fake, server), environ=HARNESS_ENVIRON))
    adapter, stop = _adapter(app, fake), asyncio.Event()
    serving = await _serving(app, adapter, stop)
    caplog.set_level(logging.WARNING)
    try:
        await fake.wait_until_connected()
        for _ in range(200):  # up to 10 s: the check makes no request to wait on
            if any("may not manage events" in r.getMessage() for r in caplog.records):
                break
            await asyncio.sleep(0.05)
        asked = fake.slash(alex, "groups", {}, channel=server.channels[0])
        [answer] = await fake.answers(asked, within=10)
    finally:
        stop.set()
        await asyncio.wait_for(serving, 20)
        await app.close()
    warnings = [r for r in caplog.records if "may not manage events" in r.getMessage()]
    assert len(warnings) == 1
    assert "Carers" in answer.text
    assert fake.calls_to(f"POST {EVENTS}") == []  # nothing refused was even asked
    assert fake.invalid_requests == 0
