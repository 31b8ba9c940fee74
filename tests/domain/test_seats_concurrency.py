"""Racing for seats on a real SQLite file: 50 people join a 3-seat group at once (in one
process, and split over two processes), then several leave at once. Exactly 3 are
seated, the waiting list is numbered 1..n without gaps or repeats, every freed seat goes
to the next in line, and every promotion is announced exactly once."""

from __future__ import annotations

import asyncio
import itertools
import json
import os
import re
import sys
from collections.abc import AsyncIterator, Sequence
from dataclasses import asdict
from pathlib import Path

import pytest

from bot.app import BotApp
from bot.config import load_settings
from tests.harness import Harness, person, write_config
from tests.process.cli import ROOT
from tests.process.seat_racer import (
    READY,
    Joined,
    Left,
    join_all,
    leave_all,
    read_joined,
    read_left,
)

pytestmark = pytest.mark.both_engines

CAPACITY = 3
PEOPLE = 50
SLUG = "circle"
JOIN_SPREAD = 0.25  # seconds: the two processes take turns at the file
NUMBER = re.compile(r"you're number (\d+)")


@pytest.fixture
async def seats(tmp_path: Path) -> AsyncIterator[Harness]:
    """The whole core on a SQLite file; "circle" has 3 seats."""
    config = write_config(tmp_path, capacity=CAPACITY, storage_url="sqlite:///seats.sqlite3")
    opened = await Harness.open(config)
    yield opened
    await opened.close()


async def _line(app: BotApp) -> list[tuple[str, str]]:
    """(user id, status) of everyone in the group, in queue order; queue_seq is unique."""
    rows = await app.database.fetch_all(
        "SELECT m.user_id, m.status, m.queue_seq FROM memberships m"
        " JOIN groups g ON g.id = m.group_id WHERE g.slug = :slug ORDER BY m.queue_seq",
        {"slug": SLUG},
    )
    sequence = [int(row["queue_seq"]) for row in rows]
    assert len(set(sequence)) == len(sequence), sequence
    return [(str(row["user_id"]), str(row["status"])) for row in rows]


async def _assert_fair(app: BotApp) -> list[str]:
    """Seats full, taken by the first in line; the rest numbered 1..n in queue order.
    Returns the waiting list, first in line first."""
    line = await _line(app)
    seated = [user for user, status in line if status == "seated"]
    waiting = [user for user, status in line if status == "waitlisted"]
    assert len(seated) == min(CAPACITY, len(line))
    assert [user for user, _ in line[: len(seated)]] == seated  # nobody jumped the queue
    group = app.directory.get(SLUG)
    assert group is not None
    positions = {
        m.member.user_id: m.waitlist_position
        for m in await app.membership.roster(group)
        if m.waitlist_position is not None
    }
    assert [positions[user] for user in waiting] == list(range(1, len(waiting) + 1))
    return waiting


async def _seat_offers(app: BotApp) -> list[str]:
    """The member keys named by the seat-offer rows in the outbox, one per row."""
    rows = await app.database.fetch_all(
        "SELECT dedupe_key FROM outbox WHERE dedupe_key LIKE 'seat-offer:%' ORDER BY id"
    )
    return [_member_key(str(row["dedupe_key"])) for row in rows]


def _member_key(dedupe_key: str) -> str:
    """seat-offer:{slug}:{platform}:{user_id}:{ms} -> platform:user_id"""
    _, _, platform, user_id, _ = dedupe_key.split(":")
    return f"{platform}:{user_id}"


# --- one process ----------------------------------------------------------------------


async def test_fifty_concurrent_joins_fill_three_seats_and_number_the_rest(
    seats: Harness,
) -> None:
    people = [person(f"p{n:02}") for n in range(PEOPLE)]

    replies = await asyncio.gather(*(seats.text("/join circle", as_=p) for p in people))

    assert sum("You're in" in reply for reply in replies) == CAPACITY
    numbers = sorted(int(m.group(1)) for r in replies if (m := NUMBER.search(r)))
    assert numbers == list(range(1, PEOPLE - CAPACITY + 1))
    waiting = await _assert_fair(seats.app)
    assert len(waiting) == PEOPLE - CAPACITY
    for user, reply in zip(people, replies, strict=True):  # each was told their own place
        if user.user_id in waiting:
            assert f"you're number {waiting.index(user.user_id) + 1}." in reply


async def test_concurrent_leaves_pass_each_seat_to_the_next_in_line_once(
    seats: Harness,
) -> None:
    people = {f"p{n:02}": person(f"p{n:02}") for n in range(PEOPLE)}
    await asyncio.gather(*(seats.say("/join circle", as_=p) for p in people.values()))
    line = [user for user, _ in await _line(seats.app)]
    seated, waiting = line[:CAPACITY], line[CAPACITY:]
    leavers = seated + waiting[-4:]  # the last four in line are never reached

    replies = await asyncio.gather(*(seats.text("/leave circle", as_=people[u]) for u in leavers))
    await seats.app.delivery.deliver_due()

    assert sum("your seat has been freed" in r for r in replies) == CAPACITY
    promoted = waiting[:CAPACITY]
    assert sorted(await _seat_offers(seats.app)) == sorted(f"console:{u}" for u in promoted)
    for user, member in people.items():
        notices = [r for r in seats.inbox(member) if "a seat has opened up" in r.text]
        assert len(notices) == (user in promoted), user
    assert await _assert_fair(seats.app) == waiting[CAPACITY:-4]
    await seats.app.start()  # looking for open seats again adds nothing
    await seats.app.delivery.deliver_due()
    assert len(await _seat_offers(seats.app)) == CAPACITY
    assert len(seats.outbound["console"].sent) == CAPACITY


# --- two processes on one file -----------------------------------------------------------


async def _race(
    app: BotApp,
    config: Path,
    phase: str,
    mine: Sequence[str],
    theirs: Sequence[str],
    spread: float,
) -> str:
    """This process and a child (tests/process/seat_racer.py) do ``phase`` at the same
    moment, each for its own members, starts staggered over ``spread`` seconds; what
    both sides got, as the child's JSON lines (read them with read_joined/read_left)."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("PEERCIRCLE_")}
    env["PYTHONPATH"] = str(ROOT)
    child = await asyncio.create_subprocess_exec(
        *(sys.executable, "-m", "tests.process.seat_racer", str(config), SLUG, phase, str(spread)),
        *theirs,
        stdin=asyncio.subprocess.PIPE,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
        cwd=ROOT,
        env=env,
    )
    try:
        ours, out = await _alongside(child, app, phase, mine, spread)
    finally:
        if child.returncode is None:  # the test failed: leave no process behind
            child.kill()
            await child.wait()
    return "\n".join([*(json.dumps(asdict(result)) for result in ours), out.decode().strip()])


async def _alongside(
    child: asyncio.subprocess.Process,
    app: BotApp,
    phase: str,
    mine: Sequence[str],
    spread: float,
) -> tuple[Sequence[Joined | Left], bytes]:
    """Once the child is ready, tell it to go and do the same here; what this process
    got, and the child's output."""
    assert child.stdin is not None
    assert child.stdout is not None
    ready = await asyncio.wait_for(child.stdout.readline(), 30)
    assert ready.decode().strip() == READY
    child.stdin.write(b"go\n")
    await child.stdin.drain()
    act = join_all if phase == "join" else leave_all
    ours: Sequence[Joined | Left] = await act(app, SLUG, mine, spread)
    out, err = await asyncio.wait_for(child.communicate(), 30)
    assert child.returncode == 0, err.decode(errors="replace")
    return ours, out


def _switches(line: Sequence[str], mine: Sequence[str]) -> int:
    """How often the queue passes from one process's members to the other's."""
    sides = [user in mine for user in line]
    return sum(a != b for a, b in itertools.pairwise(sides))


@pytest.mark.skipif("MUTANT_UNDER_TEST" in os.environ, reason="a child process (see process/)")
async def test_two_processes_racing_for_three_seats_on_one_file(tmp_path: Path) -> None:
    config = write_config(tmp_path, capacity=CAPACITY, storage_url="sqlite:///race.sqlite3")
    app = await BotApp.open(load_settings(config, environ={}))
    try:
        mine = [f"main{n:02}" for n in range(PEOPLE // 2)]
        theirs = [f"kid{n:02}" for n in range(PEOPLE - len(mine))]
        joined = read_joined(await _race(app, config, "join", mine, theirs, JOIN_SPREAD))
        assert len(joined) == PEOPLE
        assert sum(j.outcome == "seated" for j in joined) == CAPACITY
        told = sorted(j.position for j in joined if j.position is not None)
        assert told == list(range(1, PEOPLE - CAPACITY + 1))
        line = [user for user, _ in await _line(app)]
        waiting = await _assert_fair(app)
        switches = _switches(line, mine)
        print(f"\ntwo processes: the queue changes hands {switches} times")
        assert switches >= 5, "the two processes did not overlap"

        seated = line[:CAPACITY]
        leave_mine = [u for u in seated if u in mine] + [u for u in waiting if u in mine][-2:]
        leave_theirs = [u for u in seated if u in theirs] + [u for u in waiting if u in theirs][-2:]
        left = read_left(await _race(app, config, "leave", leave_mine, leave_theirs, 0.0))
        assert len(left) == len(leave_mine) + len(leave_theirs)
        assert sum(x.previous == "seated" for x in left) == CAPACITY
        promoted = [user for x in left for user in x.promoted]
        assert sorted(promoted) == sorted(waiting[:CAPACITY])  # each exactly once
        assert sorted(await _seat_offers(app)) == sorted(f"console:{u}" for u in promoted)
        gone = set(leave_mine + leave_theirs)
        assert await _assert_fair(app) == [u for u in waiting[CAPACITY:] if u not in gone]
    finally:
        await app.close()
