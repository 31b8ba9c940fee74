"""The outbox survives a crash: ``peercircle run`` is SIGKILLed in the middle of sending
300 queued private messages to 300 people on (the fake) Telegram, then started again.
Everyone gets theirs, and only the messages in flight at the kill (being sent, not yet
recorded: at most one per delivery slot) may arrive twice. The worker also holds rows
claimed ahead, not yet sent: after the kill they wait out their lease and go once.

Run with ``-s`` to see the figures."""

from __future__ import annotations

import asyncio
import signal
import sqlite3
from collections import Counter
from collections.abc import AsyncIterator, Sequence
from contextlib import closing
from pathlib import Path

import pytest

from bot.app import BotApp
from bot.config import load_settings
from bot.events import Actor
from bot.outbox import DeliveryPolicy, Outbox, OutboxMessage
from tests.fakes.telegram_api import FakeTelegramApi
from tests.fakes.telegram_updates import TgUser
from tests.process.bot_process import start_bot
from tests.process.test_run_telegram import Service, telegram_config

RECIPIENTS = 300
KILL_AFTER = 100  # messages the fake has received when the bot is killed
SLOTS = 4  # the [delivery] default
# Rows claimed at the kill: one per slot being sent, and those claimed ahead (a batch,
# claimed while at most SLOTS of the last one were still waiting).
CLAIMED_AT_MOST = 2 * SLOTS + DeliveryPolicy().claim_batch
LEASE_SECONDS = 2  # so the restarted bot takes over the in-flight rows quickly


@pytest.fixture
async def fake() -> AsyncIterator[FakeTelegramApi]:
    async with FakeTelegramApi() as api:
        yield api


def _config(directory: Path, fake: FakeTelegramApi) -> Path:
    config = telegram_config(directory, fake.base_url, fake.base_file_url)
    text = config.read_text(encoding="utf-8")
    settings = f"[delivery]\nslots = {SLOTS}\nlease_seconds = {LEASE_SECONDS}\n"
    if "\n[delivery]\n" in text:  # the example may have the section (its keys commented)
        text = text.replace("\n[delivery]\n", f"\n{settings}", 1)
    else:
        text += f"\n{settings}"
    config.write_text(text, encoding="utf-8")
    return config


def _people(fake: FakeTelegramApi) -> list[TgUser]:
    """Users who have pressed Start, so the bot may write to them."""
    people = [fake.user(f"Person{n}") for n in range(RECIPIENTS)]
    for user in people:
        fake.private_chat(user)
    return people


async def _enqueue(config: Path, token: str, people: Sequence[TgUser]) -> None:
    """The messages go in the way a service puts them there: one transaction."""
    settings = load_settings(config, environ={"PEERCIRCLE_TELEGRAM__TOKEN": token})
    app = await BotApp.open(settings)
    try:
        outbox = Outbox(app.clock)
        async with app.database.transaction() as tx:
            for user in people:
                message = OutboxMessage(
                    dedupe_key=f"announcement:{user.id}",
                    kind="announcement",
                    target=Actor("telegram", str(user.id), user.first_name),
                    text=f"Hello {user.first_name}: the circle meets on Tuesday as usual.",
                )
                assert await outbox.enqueue(tx, message)
    finally:
        await app.close()


@pytest.fixture
async def started() -> AsyncIterator[list[Service]]:
    """The bots a test started; any still running at the end (a failed test) is killed."""
    services: list[Service] = []
    yield services
    for service in services:
        if service.process.returncode is None:
            service.process.kill()
            await service.process.wait()


def _outbox_counts(database: Path) -> tuple[int, int, int]:
    """(sent, in flight: claimed but not finished, never claimed) read from the file."""
    with closing(sqlite3.connect(database)) as conn:
        rows = conn.execute(
            "SELECT status = 'sent', claimed_until IS NOT NULL, COUNT(*) FROM outbox GROUP BY 1, 2"
        ).fetchall()
    by = {(bool(sent), bool(claimed)): int(n) for sent, claimed, n in rows}
    return by.get((True, False), 0), by.get((False, True), 0), by.get((False, False), 0)


def _received(fake: FakeTelegramApi, people: Sequence[TgUser]) -> Counter[int]:
    wanted = {user.id for user in people}
    return Counter(m.chat_id for m in fake.sent_messages() if m.chat_id in wanted)


async def _drained(database: Path, within: float) -> None:
    """Waits until every row is recorded as sent (so nothing can be sent again)."""
    looks = int(within / 0.1)
    for _ in range(looks):  # the bot writes the file: there is no event to wait on
        if _outbox_counts(database) == (RECIPIENTS, 0, 0):
            return
        await asyncio.sleep(0.1)
    raise AssertionError(f"the outbox was not drained in {within} s: {_outbox_counts(database)}")


async def _kill_after(service: Service, fake: FakeTelegramApi, count: int) -> int:
    """SIGKILL once the fake has received ``count`` messages; how many it had then (the
    fake runs on this event loop, so nothing is received between the look and the kill)."""
    await fake.wait_for(
        lambda: len(fake.sent_messages()) >= count or service.process.returncode is not None,
        within=60,
        what=f"{count} sends",
    )
    assert service.process.returncode is None, service.err.decode(errors="replace")
    service.process.send_signal(signal.SIGKILL)
    at_kill = len(fake.sent_messages())
    assert await asyncio.wait_for(service.process.wait(), 10) == -signal.SIGKILL
    await asyncio.sleep(0.2)  # a request already read may still be answered
    return at_kill


async def test_a_killed_bot_sends_every_queued_message_after_restart_with_few_doubles(
    fake: FakeTelegramApi, tmp_path: Path, started: list[Service]
) -> None:
    loop = asyncio.get_running_loop()
    config = _config(tmp_path, fake)
    database = tmp_path / "data" / "peercircle.sqlite3"
    people = _people(fake)
    await _enqueue(config, fake.token, people)
    assert _outbox_counts(database) == (0, 0, RECIPIENTS)

    began = loop.time()
    first = await start_bot(config, fake.token, started)
    at_kill = await _kill_after(first, fake, KILL_AFTER)
    sent_rows, in_flight, untouched = _outbox_counts(database)
    assert at_kill < RECIPIENTS  # killed in the middle, not after the end
    # Every message that arrived was recorded, or its row is still claimed.
    assert sent_rows <= len(fake.sent_messages()) <= sent_rows + in_flight

    second = await start_bot(config, fake.token, started)
    try:
        everyone = {user.id for user in people}
        await fake.wait_for(
            lambda: set(_received(fake, people)) >= everyone, within=60, what="everyone"
        )
        await _drained(database, within=LEASE_SECONDS + 30)  # doubles would land by now
    finally:
        code, _, err = await second.terminate()
    took = loop.time() - began

    received = _received(fake, people)
    doubles = sum(n - 1 for n in received.values())
    print(
        f"\noutbox crash: {at_kill} received before the kill ({sent_rows} recorded sent,"
        f" {in_flight} in flight, {untouched} untouched); {doubles} duplicate(s);"
        f" {sum(received.values())} messages in {took:.1f} s"
    )
    assert code == 0, err.decode(errors="replace")
    assert b"Traceback" not in err
    assert set(received) == everyone
    assert in_flight <= CLAIMED_AT_MOST
    assert doubles <= min(in_flight, SLOTS)
    assert sent_rows + in_flight + untouched == RECIPIENTS
