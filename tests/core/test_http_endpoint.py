"""The local HTTP endpoint, in-process on 127.0.0.1 (a free port): /healthz, /metrics
with counters that move as the real core works, and each group's calendar feed behind
its key."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from datetime import timedelta
from pathlib import Path

import aiohttp
import pytest
from icalendar import Calendar
from prometheus_client.parser import text_string_to_metric_families
from pydantic import SecretStr

from bot.app import BotApp
from bot.calendar_links import calendar_feed_path, calendar_key
from bot.config import load_settings
from bot.config.http import HttpSection
from bot.http_endpoint import HttpEndpoint
from bot.outbox import Outbox, OutboxMessage
from bot.platforms import PlatformBusy
from bot.scheduler import Scheduler
from tests.core.test_outbox import Flaky
from tests.harness import HARNESS_ENVIRON, Harness, person, write_config

KEY = "calendar-secret-for-tests-0123456789abcdef"
SECTION = HttpSection(enabled=True, listen="127.0.0.1", port=0, calendar_key=SecretStr(KEY))
Samples = dict[tuple[str, tuple[tuple[str, str], ...]], float]


class Client:
    """GETs against the running endpoint."""

    def __init__(self, session: aiohttp.ClientSession, port: int) -> None:
        self._session = session
        self.base = f"http://127.0.0.1:{port}"

    async def get(self, path: str) -> tuple[int, bytes, str]:
        async with self._session.get(self.base + path) as response:
            return response.status, await response.read(), response.content_type

    async def metrics(self) -> Samples:
        status, body, _ = await self.get("/metrics")
        assert status == 200
        return {
            (sample.name, tuple(sorted(sample.labels.items()))): sample.value
            for family in text_string_to_metric_families(body.decode())
            for sample in family.samples
        }


async def _serving(app: BotApp, section: HttpSection = SECTION) -> AsyncIterator[Client]:
    endpoint = HttpEndpoint(section, app.endpoint_source())
    await endpoint.start()
    assert endpoint.port is not None
    try:
        async with aiohttp.ClientSession() as session:
            yield Client(session, endpoint.port)
    finally:
        await endpoint.stop()


@pytest.fixture
async def client(harness: Harness) -> AsyncIterator[Client]:
    async for served in _serving(harness.app):
        yield served


def _one(samples: Samples, name: str, **labels: str) -> float:
    return samples.get((name, tuple(sorted(labels.items()))), 0.0)


async def test_healthz_says_ok_while_the_database_answers(client: Client) -> None:
    status, body, kind = await client.get("/healthz")

    assert (status, kind) == (200, "application/json")
    assert b'"status": "ok"' in body


async def test_commands_deliveries_and_429s_move_the_counters(
    harness: Harness, client: Client
) -> None:
    before = await client.metrics()
    alice, bob = person("alice"), person("bob")
    await harness.say("/groups", as_=alice)
    await harness.say("/join circle", as_=alice)
    await harness.say("/roster circle", as_=bob)  # bob is no facilitator: refused
    flaky = Flaky(1, PlatformBusy(5))
    harness.app.platforms.attach(flaky)
    async with harness.app.database.transaction() as tx:
        message = OutboxMessage("note:tina", "membership", person("tina", "telegram"), "hello")
        await Outbox(harness.clock, harness.app.delivery).enqueue(tx, message)
    await harness.app.delivery.deliver_due()  # 429: tried again later
    waiting = await client.metrics()
    harness.clock.advance(minutes=1)
    await harness.app.delivery.deliver_due()
    after = await client.metrics()

    commands = "peercircle_commands_total"
    assert _one(before, commands, command="/groups", outcome="ok") == 0
    assert _one(after, commands, command="/groups", outcome="ok") == 1
    assert _one(after, commands, command="/join", outcome="ok") == 1
    assert _one(after, commands, command="/roster", outcome="refused") == 1
    assert _one(after, "peercircle_rate_limited_total", platform="telegram") == 1
    deliveries = "peercircle_outbox_deliveries_total"
    assert _one(waiting, deliveries, outcome="retry") == 1
    assert _one(waiting, "peercircle_outbox_messages", status="pending") == 1
    assert _one(after, deliveries, outcome="sent") == 1
    assert _one(after, "peercircle_outbox_messages", status="pending") == 0
    assert _one(after, "peercircle_outbox_messages", status="sent") == 1
    assert _one(after, "peercircle_storage_up") == 1
    assert _one(after, "peercircle_degraded") == 0


async def test_members_who_cannot_be_reached_are_counted_once(
    harness: Harness, client: Client
) -> None:
    tina = person("tina", "telegram")
    harness.outbound["telegram"].unreachable.add(tina.key)
    async with harness.app.database.transaction() as tx:
        outbox = Outbox(harness.clock, harness.app.delivery)
        for n in range(2):
            await outbox.enqueue(tx, OutboxMessage(f"note:{n}", f"kind{n}", tina, "hi"))
    await harness.app.delivery.deliver_due()

    samples = await client.metrics()

    assert _one(samples, "peercircle_unreachable_members") == 1
    assert _one(samples, "peercircle_outbox_deliveries_total", outcome="unreachable") == 2


async def test_a_scheduled_wake_up_sets_the_last_tick(harness: Harness, client: Client) -> None:
    assert _one(await client.metrics(), "peercircle_scheduler_last_tick_seconds") == 0
    ran = asyncio.Event()

    async def job() -> None:
        ran.set()

    scheduler = Scheduler(harness.app.metrics)
    scheduler.start()
    try:
        scheduler.wake_at("test", harness.clock.now() - timedelta(seconds=1), job)
        await asyncio.wait_for(ran.wait(), 5)
    finally:
        scheduler.shutdown()

    assert _one(await client.metrics(), "peercircle_scheduler_last_tick_seconds") > 1.7e9


async def test_the_calendar_feed_is_the_groups_ics_and_only_with_its_key(
    harness: Harness, client: Client
) -> None:
    status, body, kind = await client.get(calendar_feed_path(KEY, "circle"))

    assert (status, kind) == (200, "text/calendar")
    feed = Calendar.from_ical(body)
    [series] = list(feed.walk("VEVENT"))
    assert str(series["SUMMARY"]) == "Tuesday Circle"
    group = harness.app.directory.get("circle")
    assert group is not None
    assert body == await harness.app.meetings.calendar(group)
    carers_key = calendar_key(KEY, "carers")
    wrong = [
        f"/calendar/circle.ics?key={carers_key}",  # another group's key
        "/calendar/circle.ics?key=",
        "/calendar/circle.ics",
        f"/calendar/circle.ics?key={carers_key[:-1]}",
        f"/calendar/nosuch.ics?key={calendar_key(KEY, 'nosuch')}",  # no such group
    ]
    for path in wrong:
        assert (await client.get(path))[0] == 404, path


async def test_without_a_calendar_key_there_are_no_feeds(harness: Harness) -> None:
    no_key = HttpSection(enabled=True, port=0)
    async for client in _serving(harness.app, no_key):
        assert (await client.get(calendar_feed_path(KEY, "circle")))[0] == 404


async def test_a_degraded_app_is_unhealthy_and_says_so_in_metrics(tmp_path: Path) -> None:
    garbage = tmp_path / "bot.sqlite3"
    garbage.write_bytes(b"this is not a database" * 100)
    settings = load_settings(write_config(tmp_path, database_path=garbage), environ=HARNESS_ENVIRON)
    app = await BotApp.open(settings)
    try:
        assert app.degraded
        async for client in _serving(app):
            status, body, _ = await client.get("/healthz")
            samples = await client.metrics()
            feed = await client.get(calendar_feed_path(KEY, "circle"))
    finally:
        await app.close()

    assert (status, b'"status": "degraded"' in body) == (503, True)
    assert _one(samples, "peercircle_degraded") == 1
    assert _one(samples, "peercircle_storage_up") == 0
    assert feed[0] == 503


async def test_a_port_in_use_is_logged_and_the_bot_goes_on(
    harness: Harness, caplog: pytest.LogCaptureFixture
) -> None:
    async for client in _serving(harness.app):
        taken = int(client.base.rsplit(":", 1)[1])
        same_port = SECTION.model_copy(update={"port": taken})
        second = HttpEndpoint(same_port, harness.app.endpoint_source())
        await second.start()
        assert second.port is None
        await second.stop()
    assert f"cannot listen on 127.0.0.1 port {taken}" in caplog.text


async def test_disabled_it_listens_nowhere(harness: Harness) -> None:
    endpoint = HttpEndpoint(HttpSection(), harness.app.endpoint_source())
    await endpoint.start()
    assert endpoint.port is None
    await endpoint.stop()
