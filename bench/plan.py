"""What ``python -m bench`` runs: the numbered parts of issue 12, and their sizes (full,
or ``--quick``: tiny, to check that every part still runs)."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from pathlib import Path

from bench import discord, fanout, scale, telegram_overhead
from bench.discord import ClickSizes, DiscordSizes
from bench.fanout import ReminderSizes
from bench.report import Figure
from bench.scale import ScaleRuns
from bench.scale_data import ScaleSizes
from bench.telegram_overhead import OverheadSizes


@dataclass(frozen=True, slots=True)
class Sizes:
    overhead: OverheadSizes
    discord: DiscordSizes
    clicks: ClickSizes
    fan_out: ReminderSizes
    scale: ScaleRuns
    scheduler: ReminderSizes


FULL = Sizes(
    overhead=OverheadSizes(),
    discord=DiscordSizes(),
    clicks=ClickSizes(),
    fan_out=ReminderSizes(members=3_000, groups=6, limit=300, repeats=3),
    scale=ScaleRuns(),
    scheduler=ReminderSizes(members=1_000, groups=100, limit=300, repeats=3),
)
QUICK = Sizes(
    overhead=OverheadSizes(updates=20, concurrency=4, one_at_a_time=10, repeats=2, core=20),
    discord=DiscordSizes(interactions=20, concurrency=4, one_at_a_time=10, repeats=2),
    clicks=ClickSizes(clicks=20, offered=100, repeats=2, settle=0.2),
    fan_out=ReminderSizes(members=60, groups=3, limit=300, repeats=1),
    scale=ScaleRuns(data=ScaleSizes().quick(), samples=20, repeats=1),
    scheduler=ReminderSizes(members=40, groups=4, limit=300, repeats=1),
)

Runner = Callable[[Sizes, Path], Awaitable[list[Figure]]]


@dataclass(frozen=True, slots=True)
class Part:
    number: str
    title: str
    run: Runner


SECTIONS = (
    Part(
        "1",
        "Command overhead, Telegram: PeerCircle ÷ bare python-telegram-bot",
        lambda sizes, where: telegram_overhead.run(sizes.overhead, where),
    ),
    Part(
        "2",
        "Command overhead, Discord: PeerCircle ÷ bare discord.py",
        lambda sizes, where: discord.overhead(sizes.discord, where),
    ),
    Part(
        "3",
        "Button clicks under Discord's rate limits",
        lambda sizes, where: discord.clicks(sizes.clicks, where),
    ),
    Part(
        "4",
        "Fan-out at the limit: one reminder to every member",
        lambda sizes, where: fanout.fan_out(sizes.fan_out, where),
    ),
    Part(
        "5",
        "Scale: a large organization on SQLite",
        lambda sizes, where: scale.run(sizes.scale, where),
    ),
    Part(
        "6",
        "Scheduler accuracy: reminders due at the same instant",
        lambda sizes, where: fanout.scheduler(sizes.scheduler, where),
    ),
)
