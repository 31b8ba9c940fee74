"""Several bot processes on one PostgreSQL database (README, "Scaling out").

- Three ``peercircle run`` processes serve one group of 500 seated Telegram members;
  the hour-before reminder falls due for 501 chats at once. All three plan it and all
  three deliver it; one is SIGKILLed in the middle of the fan-out and the other two finish
  its share once its leases run out. Everyone is reminded; only a message the killed
  process had in flight (at most one per delivery slot) may arrive twice.
- 200 people join a 10-seat group at once, spread over three processes: exactly 10 are
  seated and the waiting list is numbered 1..190 without gaps or repeats.

They need a PostgreSQL server (``PEERCIRCLE_TEST_POSTGRES_URL``); run with ``-s`` to see
the figures.
"""

from __future__ import annotations

import asyncio
import itertools
import os
import sys
from collections import Counter
from collections.abc import AsyncIterator, Awaitable, Callable, Sequence
from datetime import UTC, datetime, timedelta
from pathlib import Path

import asyncpg
import pytest

from bot.app import BotApp
from bot.config import load_settings
from bot.events import Actor
from groups.models import WEEKDAYS, JoinOutcome
from tests.engines import PostgresServer, new_name, run_aside
from tests.fakes.telegram_api import FakeTelegramApi
from tests.fakes.telegram_updates import TgUser
from tests.harness import write_config
from tests.process.bot_process import kill_all, kill_when, start_bot
from tests.process.cli import ROOT
from tests.process.seat_racer import READY, join_all, read_joined
from tests.process.test_run_telegram import Service, telegram_config

pytestmark = pytest.mark.skipif("MUTANT_UNDER_TEST" in os.environ, reason="child processes")

RECIPIENTS = 500
PROCESSES = 3
KILL_AFTER = 150  # reminders the fake has received when one process is killed
SLOTS = 4
LEASE_SECONDS = 2
SLUG = "big-circle"
SEATS = 10
JOINERS = 200


@pytest.fixture
async def database(postgres_server: PostgresServer) -> AsyncIterator[str]:
    """A new, empty PostgreSQL database for the processes to share (dropped after)."""
    name = new_name("pc_procs")
    run_aside(lambda: postgres_server.create_database(name))
    yield postgres_server.url_of(name)
    run_aside(lambda: postgres_server.drop_database(name))


@pytest.fixture
async def fake() -> AsyncIterator[FakeTelegramApi]:
    async with FakeTelegramApi() as api:
        yield api


@pytest.fixture
async def started() -> AsyncIterator[list[Service]]:
    services: list[Service] = []
    yield services
    await kill_all(services)


def _config(directory: Path, fake: FakeTelegramApi, url: str, chat_id: int) -> Path:
    """The example config on the fake and on PostgreSQL, in UTC, with one group meeting
    in 30 minutes, and short delivery leases."""
    meets = datetime.now(UTC) + timedelta(minutes=30)
    config = telegram_config(directory, fake.base_url, fake.base_file_url)
    text = config.read_text(encoding="utf-8").replace(
        'timezone = "Europe/London"', 'timezone = "UTC"', 1
    )
    text = text.replace('url = "sqlite:///data/peercircle.sqlite3"', f'url = "{url}"', 1)
    head, found, _ = text.partition("\n[[groups]]\n")
    assert found
    assert url in head
    delivery = f"[delivery]\nslots = {SLOTS}\nlease_seconds = {LEASE_SECONDS}\n"
    head = head.replace("\n[delivery]\n", f"\n{delivery}", 1)
    group = (
        f'[[groups]]\nslug = "{SLUG}"\nname = "Big Circle"\ncapacity = {RECIPIENTS}\n'
        f'telegram_chat_id = {chat_id}\n\n[groups.schedule]\nfrequency = "weekly"\n'
        f'weekday = "{WEEKDAYS[meets.weekday()]}"\ntime = "{meets:%H:%M}"\n'
        "duration_minutes = 60\n"
    )
    config.write_text(f"{head}\n{group}", encoding="utf-8")
    return config


async def _seat(config: Path, token: str, people: Sequence[TgUser]) -> None:
    app = await BotApp.open(load_settings(config, environ={"PEERCIRCLE_TELEGRAM__TOKEN": token}))
    try:
        group = app.directory.get(SLUG)
        assert group is not None
        for user in people:
            result = await app.membership.join(Actor("telegram", str(user.id), "M"), group)
            assert result.outcome is JoinOutcome.SEATED
    finally:
        await app.close()


async def _outbox(url: str) -> Counter[str]:
    """Reminder rows by state: sent, in flight (claimed), waiting, ..."""
    conn = await asyncpg.connect(url)
    try:
        rows = await conn.fetch(
            "SELECT CASE WHEN status <> 'pending' THEN status"
            " WHEN claimed_until IS NOT NULL THEN 'in flight' ELSE 'waiting' END AS state,"
            " COUNT(*) AS n FROM outbox WHERE kind = 'reminder' GROUP BY 1"
        )
    finally:
        await conn.close()
    return Counter({str(row["state"]): int(row["n"]) for row in rows})


async def _until(check: Callable[[], Awaitable[bool]], within: float, what: str) -> None:
    for _ in range(int(within / 0.2)):
        if await check():
            return
        await asyncio.sleep(0.2)
    raise AssertionError(f"not within {within} s: {what}")


async def test_three_processes_share_a_reminder_fan_out_and_survive_a_kill(
    database: str, fake: FakeTelegramApi, tmp_path: Path, started: list[Service]
) -> None:
    people = [fake.user(f"Member{n}") for n in range(RECIPIENTS)]
    for user in people:
        fake.private_chat(user)
    chat = fake.group("Big Circle chat")
    config = _config(tmp_path, fake, database, chat.id)
    await _seat(config, fake.token, people)
    everyone = {user.id for user in people} | {chat.id}
    loop = asyncio.get_running_loop()

    began = loop.time()
    bots = [await start_bot(config, fake.token, started) for _ in range(PROCESSES)]
    at_kill = await kill_when(bots[0], fake, lambda: len(fake.sent_messages()), KILL_AFTER)
    at_crash = await _outbox(database)
    await fake.wait_for(
        lambda: {m.chat_id for m in fake.sent_messages()} >= everyone,
        within=90,
        what="everyone reminded",
    )

    async def all_sent() -> bool:
        return await _outbox(database) == Counter({"sent": RECIPIENTS + 1})

    await _until(all_sent, LEASE_SECONDS + 30, "every reminder recorded as sent")
    took = loop.time() - began
    ended = [await bot.terminate() for bot in bots[1:]]

    received = Counter(m.chat_id for m in fake.sent_messages())
    doubles = sum(n - 1 for n in received.values())
    print(
        f"\nthree processes on PostgreSQL: {RECIPIENTS + 1} reminders; one killed after"
        f" {at_kill} had arrived ({at_crash['in flight']} in flight then); {doubles}"
        f" duplicate(s); everyone reminded in {took:.1f} s"
    )
    assert sum(at_crash.values()) == RECIPIENTS + 1  # queued once, whoever planned it
    assert at_kill < RECIPIENTS  # killed in the middle
    assert set(received) == everyone
    assert doubles <= SLOTS  # only what the killed process had in flight
    for code, _, err in ended:
        assert code == 0, err.decode(errors="replace")
        assert b"Traceback" not in err


async def _racer(config: Path, user_ids: Sequence[str]) -> asyncio.subprocess.Process:
    env = {k: v for k, v in os.environ.items() if not k.startswith("PEERCIRCLE_")}
    env["PYTHONPATH"] = str(ROOT)
    args = ("-m", "tests.process.seat_racer", str(config), "circle", "join", "0.5", *user_ids)
    child = await asyncio.create_subprocess_exec(
        sys.executable,
        *args,
        stdin=asyncio.subprocess.PIPE,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
        env=env,
    )
    assert child.stdout is not None
    assert (await asyncio.wait_for(child.stdout.readline(), 30)).decode().strip() == READY
    return child


async def test_200_joins_over_three_processes_seat_exactly_ten(
    database: str, tmp_path: Path
) -> None:
    config = write_config(tmp_path, capacity=SEATS, storage_url=database, busy_timeout_ms=30000)
    app = await BotApp.open(load_settings(config, environ={}))
    try:
        ids = [f"p{n:03}" for n in range(JOINERS)]
        shares = [ids[n::PROCESSES] for n in range(PROCESSES)]
        children = [await _racer(config, share) for share in shares[1:]]
        for child in children:
            assert child.stdin is not None
            child.stdin.write(b"go\n")
            await child.stdin.drain()
        mine = await join_all(app, "circle", shares[0], 0.5)
        outputs = [await asyncio.wait_for(child.communicate(), 60) for child in children]
        for child, (_, err) in zip(children, outputs, strict=True):
            assert child.returncode == 0, err.decode(errors="replace")
        joined = [*mine, *(j for out, _ in outputs for j in read_joined(out.decode()))]
        rows = await app.database.fetch_all(
            "SELECT m.user_id, m.status, m.queue_seq FROM memberships m"
            " JOIN groups g ON g.id = m.group_id WHERE g.slug = 'circle' ORDER BY m.queue_seq"
        )
        group = app.directory.get("circle")
        assert group is not None
        roster = await app.membership.roster(group)
    finally:
        await app.close()

    assert len(joined) == JOINERS
    assert sum(j.outcome == "seated" for j in joined) == SEATS
    told = sorted(j.position for j in joined if j.position is not None)
    assert told == list(range(1, JOINERS - SEATS + 1))  # each place in line told once
    assert len({row["queue_seq"] for row in rows}) == JOINERS
    assert [row["status"] for row in rows] == ["seated"] * SEATS + ["waitlisted"] * (
        JOINERS - SEATS
    )
    positions = sorted(m.waitlist_position for m in roster if m.waitlist_position is not None)
    assert positions == list(range(1, JOINERS - SEATS + 1))  # no gaps, no repeats
    sides = [next(n for n, share in enumerate(shares) if row["user_id"] in share) for row in rows]
    print(f"\n200 joins over three processes: the queue changes hands {_switches(sides)} times")
    assert len(set(sides)) == PROCESSES  # every process seated or queued someone
    assert _switches(sides) >= PROCESSES  # and they took turns, not one after another


def _switches(sides: Sequence[int]) -> int:
    return sum(a != b for a, b in itertools.pairwise(sides))
