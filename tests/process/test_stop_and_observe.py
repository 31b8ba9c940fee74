"""``peercircle run`` (a subprocess, against the loopback Telegram fake) seen from the
operator's side: SIGTERM while a notice is being sent lets that send finish and be
recorded before the database closes, and takes no new outbox row; with ``[http]`` on,
the counters of ``/metrics`` move while members use the bot, and ``/healthz`` answers.

Run with ``-s`` to see the figures."""

from __future__ import annotations

import asyncio
import re
import sqlite3
from collections.abc import AsyncIterator
from contextlib import closing
from pathlib import Path
from signal import SIGTERM

import aiohttp
import pytest
from prometheus_client.parser import text_string_to_metric_families

from bot.app import BotApp
from bot.config import load_settings
from bot.events import Actor
from bot.outbox import Outbox, OutboxMessage
from tests.fakes.telegram_api import FakeTelegramApi
from tests.fakes.telegram_updates import TgUser
from tests.process.bot_process import kill_all, start_bot
from tests.process.test_run_telegram import Service, telegram_config

SLOW_SEND = 1.5  # seconds the fake takes over the notice in flight (the grace is 3 s)


@pytest.fixture
async def fake() -> AsyncIterator[FakeTelegramApi]:
    async with FakeTelegramApi() as api:
        yield api


@pytest.fixture
async def started() -> AsyncIterator[list[Service]]:
    services: list[Service] = []
    yield services
    await kill_all(services)


async def _enqueue_notices(config: Path, token: str, *users: TgUser) -> None:
    """A notice for each of ``users``, in that order (the worker takes them so)."""
    settings = load_settings(config, environ={"PEERCIRCLE_TELEGRAM__TOKEN": token})
    app = await BotApp.open(settings)
    try:
        async with app.database.transaction() as tx:
            for user in users:
                target = Actor("telegram", str(user.id), user.first_name)
                text = f"The circle meets, {user.first_name}."
                message = OutboxMessage(f"notice:{user.id}", "announcement", target, text)
                assert await Outbox(app.clock).enqueue(tx, message)
    finally:
        await app.close()


def _states(database: Path) -> list[tuple[str, bool]]:
    """Each notice's (status, claimed), in the order they were queued."""
    with closing(sqlite3.connect(database)) as conn:
        rows = conn.execute(
            "SELECT status, claimed_until IS NOT NULL FROM outbox ORDER BY id"
        ).fetchall()
    return [(str(status), bool(claimed)) for status, claimed in rows]


async def test_sigterm_lets_the_send_in_flight_finish_and_takes_no_new_row(
    fake: FakeTelegramApi, tmp_path: Path, started: list[Service]
) -> None:
    config = telegram_config(tmp_path, fake.base_url, fake.base_file_url)
    text = config.read_text(encoding="utf-8")  # one send at a time: Sam's waits
    config.write_text(text.replace("\n[delivery]\n", "\n[delivery]\nslots = 1\n", 1), "utf-8")
    alex, sam = fake.user("Alex"), fake.user("Sam")
    fake.private_chat(alex)
    fake.private_chat(sam)
    await _enqueue_notices(config, fake.token, alex, sam)
    fake.fault_slow(SLOW_SEND, "sendMessage", chat_id=alex)

    service = await start_bot(config, fake.token, started)
    await fake.wait_for(
        lambda: any(c.method == "sendMessage" for c in fake.calls), within=30, what="the send"
    )
    [in_flight] = fake.calls_to("sendMessage")
    assert in_flight.status is None  # the fake is still holding it
    service.process.send_signal(SIGTERM)
    code = await asyncio.wait_for(service.process.wait(), 15)
    err = service.err.decode(errors="replace")

    assert code == 0, err
    assert "Traceback" not in err
    assert "cancelled" not in err
    assert in_flight.status == 200
    assert [m.text for m in fake.sent_messages(alex)] == ["The circle meets, Alex."]
    # Alex's is recorded as sent (not left claimed, to go again after a restart), and
    # Sam's, due all along, was not taken after SIGTERM: it waits for the next start.
    database = tmp_path / "data" / "peercircle.sqlite3"
    assert _states(database) == [("sent", False), ("pending", False)]
    assert fake.sent_messages(sam) == []
    wal = tmp_path / "data" / "peercircle.sqlite3-wal"
    assert not wal.exists() or wal.stat().st_size == 0  # closed cleanly


def _http_config(directory: Path, fake: FakeTelegramApi) -> Path:
    config = telegram_config(directory, fake.base_url, fake.base_file_url)
    with config.open("a", encoding="utf-8") as extra:
        extra.write('\n[http]\nenabled = true\nlisten = "127.0.0.1"\nport = 0\n')
    return config


async def _samples(session: aiohttp.ClientSession, base: str) -> dict[str, float]:
    async with session.get(f"{base}/metrics") as response:
        assert response.status == 200
        text = await response.text()
    return {
        sample.name + str(sorted(sample.labels.items())): sample.value
        for family in text_string_to_metric_families(text)
        for sample in family.samples
    }


async def test_metrics_move_while_members_use_the_bot(
    fake: FakeTelegramApi, tmp_path: Path, started: list[Service]
) -> None:
    config = _http_config(tmp_path, fake)
    service = await start_bot(config, fake.token, started)
    await service.wait_for_stderr(lambda err: b"HTTP endpoint listening on" in err)
    [port] = re.findall(rb"HTTP endpoint listening on http://127\.0\.0\.1:(\d+)", service.err)
    base = f"http://127.0.0.1:{int(port)}"
    await fake.wait_until_polling(within=30)
    alex = fake.user("Alex")
    groups = "peercircle_commands_total[('command', '/groups'), ('outcome', 'ok')]"
    async with aiohttp.ClientSession() as session:
        async with session.get(f"{base}/healthz") as response:
            health = (response.status, await response.json())
        before = await _samples(session, base)
        for _ in range(3):
            fake.inject_command(alex, "/groups")
        await fake.wait_for_sent(3, chat_id=alex, within=15)
        after = await _samples(session, base)
    code, _, err = await service.terminate()

    print(f"\n/metrics: {groups} went from {before.get(groups, 0)} to {after[groups]}")
    assert code == 0, err.decode(errors="replace")
    assert health == (200, {"status": "ok", "storage": True})
    assert before.get(groups, 0.0) == 0.0
    assert after[groups] == 3.0
    assert after["peercircle_storage_up[]"] == 1.0
    assert fake.token.encode() not in err
