"""The console while another program holds the database's write lock (the storage break
test): ``/crisis`` and ``/help`` answer at once, even right after the same person's
``/join`` that waits on the lock, and other speakers are not held up; once the lock is
released the ``/join`` goes through and each person's answers come in order.

The whole app runs, on a database file, with the console live (as at a terminal)."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from tests.adapters.console_driver import ConsoleDriver
from tests.adapters.write_lock import QUICK, WriteLock
from tests.harness import Harness, person, write_config

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
async def console(app: Harness) -> AsyncIterator[ConsoleDriver]:
    driver = ConsoleDriver(app.app.platforms)
    await driver.start(app.app.dispatcher)
    yield driver
    await driver.close()


async def answer_time(console: ConsoleDriver, line: str, *, shows: str, count: int = 1) -> float:
    """Seconds from typing ``line`` until ``shows`` is on screen ``count`` times."""
    loop = asyncio.get_running_loop()
    began = loop.time()
    await console.type(line)
    await console.out.until(lambda out: out.count(shows) >= count)
    return loop.time() - began


def report(what: str, seconds: float) -> None:
    print(f"\n[latency] console: {what}: {seconds * 1000:.1f} ms")


def seen_by(console: ConsoleDriver, name: str) -> list[str]:
    return [s.text for s in console.parse(console.out.getvalue()) if s.person == name]


def kinds(texts: list[str]) -> list[str]:
    marks = {"crisis": CRISIS, "joined": JOINED, "mine": MINE, "groups": GROUPS}
    return [next((k for k, mark in marks.items() if mark in text), "?") for text in texts]


async def test_crisis_and_help_answer_at_once_while_the_database_is_locked(
    console: ConsoleDriver, database: Path
) -> None:
    with WriteLock(database):
        crisis = await answer_time(console, "/crisis", shows=CRISIS)
        help_ = await answer_time(console, "/help", shows=HELP)

    report("/crisis, lock held", crisis)
    report("/help, lock held", help_)
    assert crisis < QUICK
    assert help_ < QUICK


async def test_crisis_jumps_ahead_of_the_same_persons_join_waiting_on_the_lock(
    app: Harness, console: ConsoleDriver, database: Path
) -> None:
    with WriteLock(database) as lock:
        await console.type("/join circle")
        await console.type("/mygroups")
        await asyncio.sleep(0.1)  # the /join is waiting for the lock by now
        crisis = await answer_time(console, "/crisis", shows=CRISIS)
        assert kinds(seen_by(console, "alice")) == ["crisis"]  # the /join still waits
        await lock.release_after()
    await asyncio.wait_for(console.adapter.settled(), 10)

    report("/crisis after the same member's waiting /join", crisis)
    assert crisis < QUICK
    assert kinds(seen_by(console, "alice")) == ["crisis", "joined", "mine"]
    assert "Tuesday Circle — you have a seat" in seen_by(console, "alice")[-1]
    [seat] = await app.app.membership.memberships_of(person("alice"))
    assert seat.group_slug == "circle"


async def test_another_speakers_crisis_is_not_held_up_by_a_waiting_join(
    console: ConsoleDriver, database: Path
) -> None:
    with WriteLock(database) as lock:
        await console.type("/join circle")  # alice's
        await asyncio.sleep(0.1)
        await console.become("bob")
        crisis = await answer_time(console, "/crisis", shows=CRISIS)
        assert kinds(seen_by(console, "alice")) == []  # the /join still waits
        await lock.release_after()
    await asyncio.wait_for(console.adapter.settled(), 10)

    report("another member's /crisis during a waiting /join", crisis)
    assert crisis < QUICK
    assert kinds(seen_by(console, "bob")) == ["crisis"]
    assert kinds(seen_by(console, "alice")) == ["joined"]  # headed for alice: bob types now
    assert "(message to alice)" in console.out.getvalue()


async def test_another_speakers_groups_is_not_held_up_by_a_waiting_join(
    console: ConsoleDriver, database: Path
) -> None:
    with WriteLock(database) as lock:
        await console.type("/join circle")  # alice's
        await asyncio.sleep(0.1)
        await console.become("bob")
        releasing = asyncio.create_task(lock.release_after())
        groups = await answer_time(console, "/groups", shows=GROUPS)
        await releasing
    await asyncio.wait_for(console.adapter.settled(), 10)

    report("another member's /groups during a waiting /join", groups)
    assert groups < QUICK
