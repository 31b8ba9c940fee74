"""4. Fan-out at the limit, and 6. scheduler accuracy: reminders due at one instant,
sent by the real bot through the real adapter to the loopback Bot API fake, which
refuses (429) whatever goes past its limit.

Each run: the fake enforces Telegram's limits with ``limit`` messages a second in all
(and its usual one a second per chat, after a burst of three); ``members`` members,
each with a private chat with the bot, are seated in ``groups`` groups (written
straight into a fresh SQLite file); the bot (``bench.reminder_bot``: ``peercircle run``
with the groups' meetings moved so their reminder is due at an instant given at start)
is configured with the same ``[telegram.limits] messages_per_second``. The reminder
timer wakes at the due instant, the planner queues one reminder per member in the
outbox, and the delivery worker sends them through the Messenger's pacing.

From when the fake accepted each message: the achieved rate ((n - 1) / (last - first)),
its ratio to the limit, the 429s the fake answered, and how late the first and the last
message were after the due instant. At the limit, the last can be no earlier than
(n - 1) / limit after the first.
"""

from __future__ import annotations

import asyncio
import contextlib
import gc
import math
import time
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from bench import process
from bench.report import Figure, Goal, measured
from bench.telegram_fake import SendLog
from bot.app import BotApp
from bot.config import load_settings
from tests.fakes.telegram_api import FakeTelegramApi
from tests.fakes.telegram_updates import TgUser

LEAD = 2.0  # seconds between naming the due instant and reaching it (the bot starts)
CHECKIN_KEY = "bench-checkin-key-0123456789abcdefghijklmnopqrstuv"


@dataclass(frozen=True, slots=True)
class ReminderSizes:
    members: int
    groups: int
    limit: int = 300  # messages a second: the fake's and the bot's
    repeats: int = 3


@dataclass(frozen=True, slots=True)
class ReminderRun:
    sent: int
    first: float  # seconds after the due instant
    last: float
    rate: float  # messages a second, first to last
    refused: int  # 429s the fake answered


def write_config(directory: Path, fake: FakeTelegramApi, sizes: ReminderSizes) -> Path:
    capacity = math.ceil(sizes.members / sizes.groups)
    groups = "".join(
        f'[[groups]]\nslug = "fan-{n:03d}"\nname = "Fan-out {n:03d}"\ncapacity = {capacity}\n'
        '[groups.schedule]\nweekday = "monday"\ntime = "19:00"\n'
        for n in range(sizes.groups)
    )
    text = (
        '[bot]\ntimezone = "UTC"\nreminders = ["5m"]\n'
        '[storage]\nurl = "sqlite:///fanout.sqlite3"\n'
        f'[telegram]\nenabled = true\nbase_url = "{fake.base_url}"\n'
        f'base_file_url = "{fake.base_file_url}"\n'
        f"[telegram.limits]\nmessages_per_second = {sizes.limit}\n{groups}"
    )
    directory.mkdir(parents=True, exist_ok=True)
    for old in directory.glob("fanout.sqlite3*"):
        old.unlink()
    path = directory / "fanout.toml"
    path.write_text(text, encoding="utf-8")
    return path


async def seat_everyone(config: Path, token: str, people: list[TgUser], groups: int) -> None:
    """Members and seats, written straight into the database (one transaction)."""
    environ = {"PEERCIRCLE_TELEGRAM__TOKEN": token, "PEERCIRCLE_CHECKINS__HMAC_KEY": CHECKIN_KEY}
    app = await BotApp.open(load_settings(config, environ=environ))
    try:
        now = int(time.time() * 1000)
        async with app.database.transaction() as tx:
            for n, person in enumerate(people):
                who = {"user": str(person.id), "name": person.first_name, "now": now}
                await tx.execute(
                    "INSERT INTO members VALUES ('telegram', :user, :name, :now, :now)", who
                )
                await tx.execute(
                    "INSERT INTO memberships VALUES ((SELECT id FROM groups WHERE slug = :slug),"
                    " 'telegram', :user, 'seated', :seq, :now, :now)",
                    {**who, "slug": f"fan-{n % groups:03d}", "seq": n + 1},
                )
    finally:
        await app.close()


@contextlib.contextmanager
def collector_paused() -> Iterator[None]:
    """The benchmark process's garbage collector held off while its fake times the
    messages: a full pass held the fake for 70-160 ms among 3,000 members' objects,
    which showed as a gap in the bot's sending (as ``timeit`` does for the same reason)."""
    gc.collect()
    gc.disable()
    try:
        yield
    finally:
        gc.enable()


async def reminder_run(sizes: ReminderSizes, directory: Path) -> ReminderRun:
    async with FakeTelegramApi(enforce_limits=True) as fake:
        fake.enforce_rate_limits(per_second_overall=sizes.limit)
        log = SendLog(fake, clock=time.time)
        people = [fake.user(f"Member{n}") for n in range(sizes.members)]
        for person in people:
            fake.private_chat(person)
        config = write_config(directory, fake, sizes)
        await seat_everyone(config, fake.token, people, sizes.groups)
        env = {
            "PEERCIRCLE_TELEGRAM__TOKEN": fake.token,
            "PEERCIRCLE_CHECKINS__HMAC_KEY": CHECKIN_KEY,
        }
        args = ["-m", "bench.reminder_bot", str(config)]
        bot = await process.start(args, directory / "bot.log", env=env, cwd=directory, talk=True)
        try:
            if await bot.hear(within=60) != "ready":
                raise RuntimeError(f"the bot did not get ready:\n{bot.log_tail()}")
            due = math.ceil(time.time() + LEAD)
            await bot.say(datetime.fromtimestamp(due, UTC).isoformat())
            with collector_paused():
                within = 60 + 3 * sizes.members / sizes.limit
                await log.wait_for_count(sizes.members, within=within)
            await asyncio.sleep(0.5)  # anything more would be a double
        finally:
            await bot.stop()
        refused = fake.too_many_requests_count
    times = sorted(log.times)
    if len(times) != sizes.members:
        raise RuntimeError(f"{len(times)} messages arrived for {sizes.members} members")
    spread = times[-1] - times[0]
    rate = (len(times) - 1) / spread if spread > 0 else math.inf
    return ReminderRun(len(times), times[0] - due, times[-1] - due, rate, refused)


async def repeated(sizes: ReminderSizes, directory: Path) -> list[ReminderRun]:
    return [await reminder_run(sizes, directory / f"run{n}") for n in range(sizes.repeats)]


async def fan_out(sizes: ReminderSizes, directory: Path) -> list[Figure]:
    """4. One reminder to ``members`` members at the platform's limit."""
    runs = await repeated(sizes, directory)
    ideal = (sizes.members - 1) / sizes.limit
    how = f"{sizes.members} members, limit {sizes.limit}/s, {sizes.repeats} runs"
    return [
        measured("4", "achieved rate", [r.rate for r in runs], "/s", note=how),
        measured(
            "4",
            "achieved rate ÷ limit",
            [r.rate / sizes.limit for r in runs],
            goal=Goal("at least", 0.95),
        ),
        measured("4", "429s received", [float(r.refused) for r in runs], goal=Goal("at most", 0)),
        measured("4", "lateness of the first message", [r.first for r in runs], "s"),
        measured(
            "4",
            "lateness of the last message",
            [r.last for r in runs],
            "s",
            note=f"the limit alone: {ideal:.2f} s after the first",
        ),
    ]


async def scheduler(sizes: ReminderSizes, directory: Path) -> list[Figure]:
    """6. ``members`` reminders due at the same instant: how soon the first and the
    last go out; only the rate limit should hold the last one back."""
    runs = await repeated(sizes, directory)
    bound = (sizes.members - 1) / sizes.limit
    how = f"{sizes.members} reminders in {sizes.groups} groups, limit {sizes.limit}/s"
    return [
        measured(
            "6", "delay to the first send", [r.first for r in runs], "s", Goal("at most", 0.5), how
        ),
        measured(
            "6",
            "delay to the last send",
            [r.last for r in runs],
            "s",
            Goal("at most", round(0.5 + bound / 0.95, 2)),
            f"the limit alone: {bound:.2f} s",
        ),
        measured("6", "429s received", [float(r.refused) for r in runs], goal=Goal("at most", 0)),
    ]
