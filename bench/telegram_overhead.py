"""1. Command overhead on Telegram: what PeerCircle's own code costs per command, next
to the platform library it runs on.

Two bots, each in a process of its own, each talking to its own copy of the project's
loopback Bot API fake (``tests.fakes.telegram_api``), which runs in the benchmark's
process:

- **PeerCircle**: the real service, ``python -m bot --config ... run``: the real PTB
  ``Application`` of the Telegram adapter, the dispatcher, SQLite, the outbox worker and
  the timers, answering ``/groups`` (three groups, with a button each) and ``/join``
  (a seat or the waiting list, one write transaction);
- **bare PTB**: ``bench.telegram_bare``, a python-telegram-bot bot answering the same
  updates with a fixed text, with PTB's defaults (its httpx transport): the reference
  the ratio's goal is about;
- **bare PTB on aiohttp**: the same bot sending through PeerCircle's transport
  (``adapters.telegram.transport``), which costs less than PTB's default. PeerCircle
  against it shows what PeerCircle's own code costs, without what the transport saves.

Every update comes from a new member in their private chat. Each round has a burst
(``burst`` updates injected at once, half ``/groups``, half ``/join``; the rate is
updates answered per second from the first injection to the last answer, and the CPU
time is the bot process's, all threads) and a sequence (``sequential`` updates, each
injected when the previous one was answered: the latency from injection to the answer
reaching the fake). The sides take turns, round by round, starting with each in turn,
after a warm-up round each; nothing is timed while a bot starts. PeerCircle paces its
replies (``[telegram.limits]``); here its limits are the ceilings the config allows
(1,000 messages a second), so they do not hold it back.
"""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from bench import process
from bench.overhead_figures import overhead_figures
from bench.report import Figure, measured
from bench.stats import percentile
from bench.telegram_fake import SendLog
from tests.fakes.telegram_api import FakeTelegramApi
from tests.fakes.telegram_updates import TgUser

SECTION = "1"
TITLE = "Command overhead, Telegram (PeerCircle ÷ bare python-telegram-bot)"
CHECKIN_KEY = "bench-checkin-key-0123456789abcdefghijklmnopqrstuv"
SLUGS = ("circle-a", "circle-b", "circle-c")
ON_AIOHTTP = "bare-aiohttp"


@dataclass(frozen=True, slots=True)
class OverheadSizes:
    updates: int = 1_000  # per round, for the rate and the CPU time
    concurrency: int = 16  # members waiting for an answer at any time
    one_at_a_time: int = 200  # per round, for the latency
    repeats: int = 5  # rounds per side, after a warm-up round of a fifth the size
    core: int = 1000  # commands of each kind through the core alone, in each of ``repeats`` runs


@dataclass(frozen=True, slots=True)
class Round:
    rate: float  # updates answered per second, in the burst
    cpu_ms: float  # the bot process's CPU time per update, in the burst
    p50_ms: float  # latency, one update at a time
    p99_ms: float


def peercircle_config(directory: Path, fake: FakeTelegramApi, name: str = "peercircle") -> Path:
    groups = "".join(
        f'[[groups]]\nslug = "{slug}"\nname = "Circle {slug[-1].upper()}"\n'
        f'description = "A weekly peer-support circle."\ncapacity = 500\n'
        f'[groups.schedule]\nweekday = "tuesday"\ntime = "19:00"\n'
        f'link = "https://meet.example.org/{slug}"\n'
        for slug in SLUGS
    )
    text = (
        f'[bot]\ntimezone = "Europe/London"\n[storage]\nurl = "sqlite:///{name}.sqlite3"\n'
        f'[telegram]\nenabled = true\nbase_url = "{fake.base_url}"\n'
        f'base_file_url = "{fake.base_file_url}"\n'
        "[telegram.limits]\nmessages_per_second = 1000\nper_chat_per_second = 10\n"
        f"per_chat_burst = 10\nper_group_chat_per_minute = 600\n{groups}"
    )
    directory.mkdir(parents=True, exist_ok=True)
    path = directory / f"{name}.toml"
    path.write_text(text, encoding="utf-8")
    return path


class Side:
    """One bot under test and its fake."""

    def __init__(self, name: str, fake: FakeTelegramApi, child: process.Child) -> None:
        self.name = name
        self.fake = fake
        self.child = child
        self.log = SendLog(fake)
        self._joins = 0

    def _text(self, index: int) -> str:
        if index % 2 == 0:
            return "/groups"
        self._joins += 1
        return f"/join {SLUGS[self._joins % len(SLUGS)]}"

    def _newcomers(self, count: int) -> list[TgUser]:
        return [self.fake.user("Member") for _ in range(count)]

    async def flow(self, count: int, concurrency: int) -> tuple[float, float, list[float]]:
        """``count`` updates, ``concurrency`` of them waiting for an answer at any time
        (each answer lets the next member in): updates per second, the bot's CPU
        milliseconds per update, and each update's latency in milliseconds."""
        people = self._newcomers(count)
        texts = [self._text(n) for n in range(count)]
        latencies: list[float] = []

        async def one_member_after_another(first: int) -> None:
            for n in range(first, count, concurrency):
                began = time.perf_counter()
                self.fake.inject_command(people[n], texts[n])
                answered = await self.log.first_in(people[n].id, within=60)
                latencies.append((answered - began) * 1000)

        cpu = self.child.cpu_seconds()
        began = time.perf_counter()
        await asyncio.gather(*(one_member_after_another(k) for k in range(concurrency)))
        took = time.perf_counter() - began
        used = self.child.cpu_seconds() - cpu
        self._check_answered(people[-1])
        return count / took, used / count * 1000, latencies

    async def round(self, sizes: OverheadSizes, *, warm_up: bool = False) -> Round:
        scale = 5 if warm_up else 1
        rate, cpu_ms, _ = await self.flow(sizes.updates // scale, sizes.concurrency)
        _, _, latencies = await self.flow(sizes.one_at_a_time // scale, 1)
        return Round(rate, cpu_ms, percentile(latencies, 50), percentile(latencies, 99))

    def _check_answered(self, person: TgUser) -> None:
        """The answer is a real one, not an apology for an error."""
        [answer] = self.fake.sent_messages(person)
        if "went wrong" in answer.text or "INC-" in answer.text:
            raise RuntimeError(f"{self.name} answered with an error: {answer.text[:200]}")


async def start_side(
    name: str,
    fake: FakeTelegramApi,
    directory: Path,
    *,
    prefix: Sequence[str] = (),
    bare_concurrent: int = 0,
) -> Side:
    """``name`` ("peercircle", "bare" or ``ON_AIOHTTP``) started against ``fake`` and polling;
    ``prefix``: arguments for Python before the bot's own (``-m cProfile -o FILE``);
    ``bare_concurrent``: updates the bare bot handles at once (0: PTB's default, one)."""
    log = directory / f"{name}.log"
    if name == "peercircle":
        config = peercircle_config(directory, fake)
        env = {
            "PEERCIRCLE_TELEGRAM__TOKEN": fake.token,
            "PEERCIRCLE_CHECKINS__HMAC_KEY": CHECKIN_KEY,
        }
        args = [*prefix, "-m", "bot", "--config", str(config), "run"]
        child = await process.start(args, log, env=env, cwd=directory)
    else:
        args = [*prefix, "-m", "bench.telegram_bare", "--base-url", fake.base_url]
        args += ["--base-file-url", fake.base_file_url, "--token", fake.token]
        args += ["--concurrent", str(bare_concurrent)]
        if name == ON_AIOHTTP:
            args += ["--transport", "aiohttp"]
        child = await process.start(args, log)
    try:
        await fake.wait_until_polling(within=60)
    except AssertionError:
        await child.stop()
        raise RuntimeError(f"{name} did not start polling:\n{child.log_tail()}") from None
    return Side(name, fake, child)


async def measure(sizes: OverheadSizes, directory: Path) -> dict[str, list[Round]]:
    """Both sides, warm-up first, then ``repeats`` rounds each, taking turns."""
    _make(directory)
    async with (
        FakeTelegramApi() as ours_fake,
        FakeTelegramApi() as bare_fake,
        FakeTelegramApi() as aiohttp_fake,
    ):
        sides = await process.all_started(
            [
                start_side("peercircle", ours_fake, directory),
                start_side("bare", bare_fake, directory),
                start_side(ON_AIOHTTP, aiohttp_fake, directory),
            ],
            _stop,
        )
        try:
            for side in sides:
                await side.round(sizes, warm_up=True)
            rounds: dict[str, list[Round]] = {side.name: [] for side in sides}
            for repeat in range(sizes.repeats):
                for side in sides if repeat % 2 == 0 else sides[::-1]:
                    rounds[side.name].append(await side.round(sizes))
        finally:
            for side in sides:
                await side.child.stop()
    return rounds


async def _stop(side: Side) -> None:
    await side.child.stop()


async def core_alone(sizes: OverheadSizes, directory: Path) -> dict[str, list[float]]:
    """CPU milliseconds per /groups and per /join through the core, no platform: one
    figure per run, ``repeats`` runs, each in a fresh process."""
    async with FakeTelegramApi() as unused:  # only for the config's addresses
        config = peercircle_config(directory, unused, name="core")
    args = ["-m", "bench.core_worker", str(config), "--count", str(sizes.core)]
    found: dict[str, list[float]] = {}
    for _ in range(sizes.repeats):
        out = await process.run_to_end(args, directory / "core.log", within=300)
        for command, cost in json.loads(out).items():
            found.setdefault(command, []).append(cost)
    return found


def _make(directory: Path) -> None:
    directory.mkdir(parents=True, exist_ok=True)


def figures(
    rounds: dict[str, list[Round]], core: dict[str, list[float]], sizes: OverheadSizes
) -> list[Figure]:
    ours, bare = rounds["peercircle"], rounds["bare"]
    how = f"{sizes.updates}, {sizes.concurrency} in flight; {sizes.repeats} rounds each"
    found = overhead_figures(
        SECTION, ours, bare, items="updates", each="command", bare_name="bare PTB", how=how
    )
    on_aiohttp = rounds[ON_AIOHTTP]
    found.append(
        measured(
            SECTION,
            "updates/s, bare PTB on PeerCircle's transport",
            [r.rate for r in on_aiohttp],
            "/s",
            note="aiohttp instead of PTB's httpx (adapters/telegram/transport.py)",
        )
    )
    found.append(
        measured(
            SECTION,
            "throughput ratio, PeerCircle ÷ bare PTB on the same transport",
            [o.rate / b.rate for o, b in zip(ours, on_aiohttp, strict=True)],
            note="what PeerCircle's own code costs, the transport's saving left out",
        )
    )
    for command, costs in core.items():
        note = "dispatcher, domain, SQLite; no platform"
        found.append(measured(SECTION, f"core alone: CPU per {command}", costs, "ms", note=note))
    return found


async def run(sizes: OverheadSizes, directory: Path) -> list[Figure]:
    rounds = await measure(sizes, directory)
    return figures(rounds, await core_alone(sizes, directory), sizes)
