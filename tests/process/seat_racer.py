"""A second process racing for seats: opens the bot's app on a config's database, says
"ready" on stdout, waits for a line on stdin (the go signal), then joins (or leaves) a
group for many members at once and prints what happened as JSON lines. The test process
races it with the same functions (``join_all``/``leave_all``), so both sides do exactly
the same thing.

    python -m tests.process.seat_racer CONFIG SLUG join|leave SPREAD ID...

SPREAD (seconds) staggers the starts evenly over that time, so that two processes take
turns at the database instead of one finishing before the other gets in (0: all at once).
"""

from __future__ import annotations

import asyncio
import json
import sys
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from pathlib import Path

from bot.app import BotApp
from bot.config import load_settings
from bot.events import Actor
from groups.models import Group, JoinResult, LeaveResult

PLATFORM = "console"
READY = "ready"


@dataclass(frozen=True, slots=True)
class Joined:
    user_id: str
    outcome: str  # a JoinOutcome value
    position: int | None


@dataclass(frozen=True, slots=True)
class Left:
    user_id: str
    previous: str | None  # a SeatStatus value, None if they were not in the group
    promoted: tuple[str, ...]  # user ids of those who got the freed seat(s)


def member(user_id: str) -> Actor:
    return Actor(PLATFORM, user_id, user_id.capitalize())


def group_of(app: BotApp, slug: str) -> Group:
    group = app.directory.get(slug)
    assert group is not None, slug
    return group


async def join_all(
    app: BotApp, slug: str, user_ids: Sequence[str], spread: float = 0.0
) -> list[Joined]:
    """Everyone in ``user_ids`` joins at once (asyncio.gather), their starts staggered
    over ``spread`` seconds."""
    group = group_of(app, slug)

    async def join(n: int, user_id: str) -> JoinResult:
        await asyncio.sleep(spread * n / max(len(user_ids), 1))
        return await app.membership.join(member(user_id), group)

    results = await asyncio.gather(*(join(n, u) for n, u in enumerate(user_ids)))
    return [
        Joined(u, r.outcome.value, r.waitlist_position)
        for u, r in zip(user_ids, results, strict=True)
    ]


async def leave_all(
    app: BotApp, slug: str, user_ids: Sequence[str], spread: float = 0.0
) -> list[Left]:
    """Everyone in ``user_ids`` leaves at once (asyncio.gather), their starts staggered
    over ``spread`` seconds."""
    group = group_of(app, slug)

    async def leave(n: int, user_id: str) -> LeaveResult:
        await asyncio.sleep(spread * n / max(len(user_ids), 1))
        return await app.membership.leave(member(user_id), group)

    results = await asyncio.gather(*(leave(n, u) for n, u in enumerate(user_ids)))
    return [
        Left(
            u,
            None if r.previous is None else r.previous.value,
            tuple(m.member.user_id for m in r.promoted),
        )
        for u, r in zip(user_ids, results, strict=True)
    ]


async def main(args: Sequence[str]) -> None:
    config, slug, phase, spread, *user_ids = args
    app = await BotApp.open(load_settings(Path(config), environ={}))
    try:
        print(READY, flush=True)
        await asyncio.to_thread(sys.stdin.readline)  # go
        if phase == "join":
            results: Sequence[Joined | Left] = await join_all(app, slug, user_ids, float(spread))
        else:
            results = await leave_all(app, slug, user_ids, float(spread))
    finally:
        await app.close()
    print("\n".join(json.dumps(asdict(result)) for result in results), flush=True)


def read_joined(out: str) -> list[Joined]:
    return [Joined(**json.loads(line)) for line in out.splitlines()]


def read_left(out: str) -> list[Left]:
    found = [json.loads(line) for line in out.splitlines()]
    return [Left(d["user_id"], d["previous"], tuple(d["promoted"])) for d in found]


if __name__ == "__main__":
    asyncio.run(main(sys.argv[1:]))
