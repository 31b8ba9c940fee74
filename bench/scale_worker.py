"""One scale run, in a fresh process (so its memory is its own): start PeerCircle on the
large organization's database, time each command, print the figures as JSON.

    python -m bench.scale_worker CONFIG --samples 200

Start-up is what ``peercircle run`` does before it serves: read the config, open the
app (migrations checked, the groups table synced), fill open seats, plan reminders and
check-ins (their first wake-ups at once). Then, as right after in ``run``, the timers'
first ticks, which catch up (they look at every group), timed on their own. The timers'
wake-ups are noted, not run, so nothing runs beside the commands being timed. The clock
starts at the data's ``NOW`` and runs at the normal pace.

Commands go through the real dispatcher, as from a Telegram private chat, each timed
from the incoming message to its replies:
``/join`` (a newcomer, into a group that is full: the waiting list), ``/mygroups`` and
``/next`` (a member), ``/roster`` (an organizer), ``/groups`` (a page somewhere in the
10,000) and ``/groups <words>`` (a search through all of them, finding ten). Then the
clock moves past the close of this week's check-in, and ``CheckinService.release`` is
timed group by group.
"""

from __future__ import annotations

import argparse
import asyncio
import itertools
import json
import random
import resource
import time
from collections.abc import Awaitable, Callable
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from bench.scale_data import CLOSES, NOW, OPEN_PERIOD, ORGANIZERS, member_id, slug_of
from bot.app import BotApp
from bot.config import load_settings
from bot.events import Actor, Place, TextReceived
from bot.scheduler import Job, Scheduler
from groups.checkin_timer import CheckinTimer
from groups.reminders import ReminderTimer

CHECKIN_KEY = "bench-checkin-key-0123456789abcdefghijklmnopqrstuv"
WARM_UP = 10
RUNS = 7  # runs on one database: each releases its own seventh of the groups


class RunningClock:
    """Starts at ``start`` and runs at the wall clock's pace; ``jump`` moves it."""

    def __init__(self, start: datetime) -> None:
        self._start = start
        self._began = time.monotonic()

    def now(self) -> datetime:
        return self._start + timedelta(seconds=time.monotonic() - self._began)

    def jump(self, to: datetime) -> None:
        self._start = to
        self._began = time.monotonic()


class NotedScheduler(Scheduler):
    """Notes each wake-up instead of running it: start-up is timed on its own."""

    def __init__(self) -> None:
        super().__init__()
        self.wake_ups: dict[str, datetime] = {}

    def start(self) -> None:
        pass

    def wake_at(self, job_id: str, when: datetime, job: Job) -> None:
        self.wake_ups[job_id] = when

    def shutdown(self) -> None:
        pass


async def timed(work: Callable[[], Awaitable[object]]) -> float:
    began = time.perf_counter()
    await work()
    return time.perf_counter() - began


async def start_up(config: Path, clock: RunningClock) -> tuple[BotApp, dict[str, float]]:
    """What ``run`` does before serving, step by step, and the timers' first ticks right
    after; the seconds each step took."""
    steps: dict[str, float] = {}
    began = time.perf_counter()
    settings = load_settings(config, environ={"PEERCIRCLE_CHECKINS__HMAC_KEY": CHECKIN_KEY})
    steps["config"] = time.perf_counter() - began
    began = time.perf_counter()
    app = await BotApp.open(settings, clock=clock)
    steps["open"] = time.perf_counter() - began
    scheduler = NotedScheduler()
    steps["open_seats"] = await timed(app.start)
    began = time.perf_counter()
    reminders = ReminderTimer(app.reminders, scheduler, clock)
    reminders.start_soon()
    checkins = CheckinTimer(app.checkins, scheduler, clock)
    checkins.start_soon()
    steps["planned"] = time.perf_counter() - began
    steps["ready"] = sum(steps.values())  # serving from here on
    # The first wake-ups, at once: catching up on every group's meetings and check-ins.
    steps["reminders"] = await timed(reminders.tick)
    steps["checkins"] = await timed(checkins.tick)
    steps["total"] = steps["ready"] + steps["reminders"] + steps["checkins"]
    # A second tick of each timer: what every wake-up costs from then on.
    steps["reminder_tick"] = await timed(reminders.tick)
    steps["checkin_tick"] = await timed(checkins.tick)
    return app, steps


async def commands(
    app: BotApp, groups: int, members: int, samples: int, run: int
) -> dict[str, list[float]]:
    """Milliseconds per command, each command ``samples`` times after a warm-up."""
    rng = random.Random(11 + run)
    organizers = itertools.cycle(Actor("telegram", o, "Organizer") for o in ORGANIZERS)
    newcomers = iter(range(10**7 * (run + 1), 10**7 * (run + 2)))

    def member() -> Actor:
        return Actor("telegram", member_id(rng.randrange(members)), "Member")

    def newcomer() -> Actor:
        return Actor("telegram", str(next(newcomers)), "Newcomer")

    plans: dict[str, Callable[[], tuple[Actor, str]]] = {
        "/join": lambda: (newcomer(), f"/join {slug_of(rng.randrange(groups))}"),
        "/mygroups": lambda: (member(), "/mygroups"),
        "/roster": lambda: (next(organizers), f"/roster {slug_of(rng.randrange(groups))}"),
        "/next": lambda: (member(), "/next"),
        "/groups": lambda: (member(), f"/groups >{rng.randrange(groups)}"),
        "/groups <words>": lambda: (
            member(),
            f"/groups circle {rng.randrange(max(groups // 10, 1)):04d}",
        ),
    }
    found: dict[str, list[float]] = {}
    for name, plan in plans.items():
        found[name] = []
        for round_ in range(WARM_UP + samples):
            actor, text = plan()
            place = Place("telegram", actor.user_id, private=True)
            began = time.perf_counter()
            replies = await app.dispatcher.handle(TextReceived(actor, place, text))
            took = (time.perf_counter() - began) * 1000
            if not replies or "went wrong" in replies[0].text:
                raise RuntimeError(f"{text} did not work: {replies}")
            if round_ >= WARM_UP:
                found[name].append(took)
    return found


async def releases(
    app: BotApp, clock: RunningClock, groups: int, samples: int, run: int
) -> list[float]:
    """Milliseconds per release of this week's check-in, once it has closed: groups
    none of the other runs on the same database release (``run`` of at most 7)."""
    clock.jump(CLOSES + timedelta(seconds=1))
    mine = range(run % RUNS, groups, RUNS)
    chosen = random.Random(13 + run).sample(mine, min(len(mine), samples + WARM_UP))
    warm_up = min(WARM_UP, len(chosen) // 3)  # a small organization has few groups
    found = []
    for index, group in enumerate(chosen):
        began = time.perf_counter()
        released = await app.checkins.release(slug_of(group), OPEN_PERIOD)
        took = (time.perf_counter() - began) * 1000
        if released != 1:
            raise RuntimeError(f"the check-in of {slug_of(group)} was not released")
        if index >= warm_up:
            found.append(took)
    return found


def memory() -> dict[str, int]:
    found = {}
    for line in Path("/proc/self/status").read_text().splitlines():
        name, _, value = line.partition(":")
        if name in ("VmRSS", "VmHWM"):
            found[name] = int(value.split()[0]) * 1024
    found.setdefault("VmHWM", resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024)
    return found


async def main_async(
    config: Path, groups: int, members: int, samples: int, run: int
) -> dict[str, Any]:
    clock = RunningClock(NOW)
    app, steps = await start_up(config, clock)
    try:
        after_start = memory()
        timings = await commands(app, groups, members, samples, run)
        timings["release"] = await releases(app, clock, groups, samples, run)
    finally:
        await app.close()
    return {
        "start_up": steps,
        "rss_after_start": after_start["VmRSS"],
        "rss_peak": memory()["VmHWM"],
        "milliseconds": timings,
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.scale_worker", description=__doc__)
    parser.add_argument("config", type=Path)
    parser.add_argument("--groups", type=int, required=True)
    parser.add_argument("--members", type=int, required=True)
    parser.add_argument("--samples", type=int, default=200)
    parser.add_argument("--run", type=int, default=0, help="which run on this database (0-6)")
    args = parser.parse_args(argv)
    found = asyncio.run(main_async(args.config, args.groups, args.members, args.samples, args.run))
    print(json.dumps(found))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
