"""Telegram while another program holds the database's write lock (the storage break
test): ``/crisis`` and ``/help`` answer at once, even right after the same person's
``/join`` that waits on the lock, and other people are not held up; once the lock is
released the ``/join`` goes through and each person's answers come in order. Also: a
flood is bounded, with one kind answer.

The whole app runs on a database file, behind the real adapter and python-telegram-bot
polling the fake Bot API; times run from injecting an update until the adapter has
delivered its answer."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from bot.catalog import Catalog
from bot.lanes import DEFAULT_LIMIT, SLOW_DOWN
from tests.adapters.gate import Gate
from tests.adapters.telegram_driver import TelegramDriver, dispatcher_with
from tests.adapters.write_lock import QUICK, WriteLock
from tests.fakes.telegram_api import FakeTelegramApi
from tests.fakes.telegram_updates import TgUser
from tests.harness import Harness, write_config

CRISIS = "Samaritans"  # the harness's country is GB
HELP = "/join [group]"
JOINED = "you have a seat in Tuesday Circle"
MINE = "Your groups:"
GROUPS = "Here are the groups you can join"


@pytest.fixture
def database(tmp_path: Path) -> Path:
    return tmp_path / "peercircle.db"


@pytest.fixture
async def app(tmp_path: Path, database: Path) -> AsyncIterator[Harness]:
    harness = await Harness.open(write_config(tmp_path, database_path=database))
    yield harness
    await harness.close()


@pytest.fixture
async def telegram(app: Harness, fake: FakeTelegramApi) -> AsyncIterator[TelegramDriver]:
    driver = TelegramDriver(fake)
    app.app.platforms.attach(driver.adapter)
    await driver.start(app.app.dispatcher)
    yield driver
    await driver.close()


async def answer_time(telegram: TelegramDriver, user: TgUser, command: str) -> float:
    """Seconds from ``user`` sending ``command`` until its answer is delivered."""
    loop = asyncio.get_running_loop()
    began = loop.time()
    update = telegram.fake.inject_command(user, command)
    await telegram.handled(update["update_id"])
    return loop.time() - began


def report(what: str, seconds: float) -> None:
    print(f"\n[latency] telegram: {what}: {seconds * 1000:.1f} ms")


def kinds(telegram: TelegramDriver, user: TgUser) -> list[str]:
    marks = {"crisis": CRISIS, "joined": JOINED, "mine": MINE, "groups": GROUPS}
    texts = [m.text for m in telegram.fake.sent_messages(user)]
    return [next((k for k, mark in marks.items() if mark in text), "?") for text in texts]


async def test_crisis_and_help_answer_at_once_while_the_database_is_locked(
    telegram: TelegramDriver, database: Path
) -> None:
    alice = telegram.user("alice")
    with WriteLock(database):
        crisis = await answer_time(telegram, alice, "/crisis")
        help_ = await answer_time(telegram, alice, "/help")

    report("/crisis, lock held", crisis)
    report("/help, lock held", help_)
    assert crisis < QUICK
    assert help_ < QUICK
    assert CRISIS in telegram.fake.sent_messages(alice)[0].text
    assert HELP in telegram.fake.sent_messages(alice)[1].text


async def test_crisis_jumps_ahead_of_the_same_persons_join_waiting_on_the_lock(
    telegram: TelegramDriver, database: Path
) -> None:
    alice, fake = telegram.user("alice"), telegram.fake
    with WriteLock(database) as lock:
        updates = [fake.inject_command(alice, "/join circle")]
        updates.append(fake.inject_command(alice, "/mygroups"))
        await asyncio.sleep(0.1)  # the /join is waiting for the lock by now
        crisis = await answer_time(telegram, alice, "/crisis")
        assert kinds(telegram, alice) == ["crisis"]  # the /join still waits
        await lock.release_after()
    for update in updates:
        await telegram.handled(update["update_id"])

    report("/crisis after the same member's waiting /join", crisis)
    assert crisis < QUICK
    assert kinds(telegram, alice) == ["crisis", "joined", "mine"]
    assert "Tuesday Circle — you have a seat" in fake.sent_messages(alice)[-1].text


async def test_another_persons_crisis_is_not_held_up_by_a_waiting_join(
    telegram: TelegramDriver, database: Path
) -> None:
    alice, bob, fake = telegram.user("alice"), telegram.user("bob"), telegram.fake
    with WriteLock(database) as lock:
        join = fake.inject_command(alice, "/join circle")
        await asyncio.sleep(0.1)
        crisis = await answer_time(telegram, bob, "/crisis")
        assert kinds(telegram, alice) == []  # the /join still waits
        await lock.release_after()
    await telegram.handled(join["update_id"])

    report("another member's /crisis during a waiting /join", crisis)
    assert crisis < QUICK
    assert kinds(telegram, bob) == ["crisis"]
    assert kinds(telegram, alice) == ["joined"]


async def test_another_persons_groups_is_not_held_up_by_a_waiting_join(
    telegram: TelegramDriver, database: Path
) -> None:
    alice, bob, fake = telegram.user("alice"), telegram.user("bob"), telegram.fake
    with WriteLock(database) as lock:
        join = fake.inject_command(alice, "/join circle")
        await asyncio.sleep(0.1)
        releasing = asyncio.create_task(lock.release_after())
        groups = await answer_time(telegram, bob, "/groups")
        await releasing
    await telegram.handled(join["update_id"])

    report("another member's /groups during a waiting /join", groups)
    assert groups < QUICK


async def test_a_flood_is_bounded_and_told_once_to_slow_down(fake: FakeTelegramApi) -> None:
    """A person who sends far more than the bot can answer meanwhile: the first
    ``DEFAULT_LIMIT`` are kept and answered in order, the next one is told kindly to
    wait, the rest are let go; ``/crisis`` is among what a full backlog refuses too,
    but the refusal itself points to it."""
    gate = Gate()
    driver = TelegramDriver(fake)
    await driver.start(dispatcher_with(driver.platforms, gate.spec()))
    alice = driver.user("alice")
    try:
        updates = [fake.inject_command(alice, "/slow")]
        await asyncio.wait_for(gate.entered.wait(), 5)
        kept = [f"/echo {n}" for n in range(1, DEFAULT_LIMIT)]
        updates += [fake.inject_command(alice, text) for text in kept]
        updates += [fake.inject_command(alice, f"/echo extra {n}") for n in range(5)]
        await fake.wait_for_sent(1, chat_id=alice)

        slow_down = Catalog.load().text(SLOW_DOWN)
        assert [m.text for m in fake.sent_messages(alice)] == [slow_down]
        assert "/crisis" in slow_down
        gate.release.set()
        for update in updates:
            await driver.handled(update["update_id"])
    finally:
        gate.release.set()
        await driver.close()
    said = [m.text for m in fake.sent_messages(alice)]
    assert said == [slow_down, "slow done"] + [f"You said: {n}" for n in range(1, DEFAULT_LIMIT)]
