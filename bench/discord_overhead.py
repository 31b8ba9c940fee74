"""2. Command overhead on Discord: what PeerCircle's own code costs per slash command,
next to the platform library it runs on.

Four bots, each in a process of its own, each on its own copy of the loopback Discord
fake (``tests.fakes.discord_api``: REST and gateway, in the benchmark's process, with
Discord's rate limits enforced):

- **PeerCircle**: the real service, ``python -m bot --config ... run`` with
  ``[discord] enabled``: discord.py's client and command tree, the adapter's lanes and
  answers, the dispatcher, SQLite, the outbox worker and the timers, answering
  ``/groups`` (three groups, a button each, for everyone), ``/join <group>`` (a seat or
  the waiting list, one write transaction; an ephemeral answer) and ``/next`` (the
  member's groups read from the database; an ephemeral answer), in turn. (Not ``/next
  <group>``: in a group's channel that posts the group's meeting card, a channel
  message paced by the channel's rate limit, which part 3 measures.)
- **bare discord.py**: ``bench.discord_bare``, answering the same slash commands with a
  fixed text.
- **PeerCircle's Discord layer alone**: ``bench.discord_layer``, the same adapter as the
  service with the core replaced by the bare bot's fixed answer. Its ratio to the bare
  bot is what PeerCircle's platform code costs; the gap between it and PeerCircle is
  what the core's work costs (a join's write transaction, the reads, the replies).
- **the floor**: ``bench.discord_floor``, the bare bot running, before each fixed
  answer, the SQL statements PeerCircle runs for that command, with bare ``sqlite3`` on
  PeerCircle's own database: the least any bot doing this work durably pays. Its ratio
  to the bare bot is the most PeerCircle's ratio could be; PeerCircle's ratio to it is
  what PeerCircle's own code costs beyond the work.

Every interaction comes from a new member of the server, in a group's channel. Each
round has a burst (``interactions`` in all, ``concurrency`` members waiting for an
answer at any time; the rate is interactions answered per second, and the CPU time is
the bot process's, all threads) and a sequence (``one_at_a_time``, each sent when the
previous one was answered), for the latency: from the fake sending the interaction on
the gateway to the bot's first response reaching the fake. The sides take turns, round
by round, starting with each in turn, after a warm-up round each; nothing is timed
while a bot starts.
"""

from __future__ import annotations

import asyncio
import functools
import time
from dataclasses import dataclass
from pathlib import Path

from bench import process
from bench.discord_fake import (
    World,
    answered,
    make_directory,
    peercircle_config,
    start_bare,
    start_layer,
    start_peercircle,
)
from bench.overhead_figures import overhead_figures
from bench.process import all_started
from bench.report import Figure, measured
from bench.stats import percentile
from tests.fakes.discord_api import FakeDiscordApi
from tests.fakes.discord_world import DcInteraction

SECTION = "2"
SLUGS = ("circle-a", "circle-b", "circle-c")
LAYER = "layer"  # PeerCircle's Discord layer alone
FLOOR = "floor"  # bare discord.py doing PeerCircle's database work


@dataclass(frozen=True, slots=True)
class DiscordSizes:
    interactions: int = 1500  # per round, for the rate and the CPU time
    concurrency: int = 16  # members waiting for an answer at any time
    one_at_a_time: int = 200  # per round, for the latency
    repeats: int = 7  # rounds per side, after a warm-up round of a fifth the size


@dataclass(frozen=True, slots=True)
class Round:
    rate: float  # interactions answered per second, in the burst
    cpu_ms: float  # the bot process's CPU time per interaction, in the burst
    p50_ms: float  # injection to first response, one interaction at a time
    p99_ms: float


class Side:
    """One bot under test, its fake and its world."""

    def __init__(self, name: str, world: World, child: process.Child) -> None:
        self.name = name
        self.world = world
        self.fake = world.fake
        self.child = child
        self._asked = 0

    def _ask(self) -> DcInteraction:
        """The next command, from a new member, in the next group's channel."""
        n, self._asked = self._asked, self._asked + 1
        slug = SLUGS[n % len(SLUGS)]
        [person] = self.world.members(1, prefix=f"m{n}-")
        channel = self.world.channels[slug]
        kind = ("groups", "join", "next")[n % 3]
        options = {"group": slug} if kind == "join" else {}
        return self.fake.slash(person, kind, options, channel=channel)

    async def flow(self, count: int, concurrency: int) -> tuple[float, float, list[float]]:
        """``count`` interactions, ``concurrency`` of them waiting at any time: per
        second, the bot's CPU milliseconds each, and each one's latency (ms)."""
        latencies: list[float] = []
        asked: list[DcInteraction] = []

        async def one_member_after_another(first: int) -> None:
            for _ in range(first, count, concurrency):
                interaction = self._ask()
                asked.append(interaction)
                await self.fake.wait_for(
                    functools.partial(answered, interaction), within=60, what="an answer"
                )
                delay = interaction.response_delay
                latencies.append((delay if delay is not None else 60.0) * 1000)

        cpu = self.child.cpu_seconds()
        began = time.perf_counter()
        await asyncio.gather(*(one_member_after_another(k) for k in range(concurrency)))
        took = time.perf_counter() - began
        used = self.child.cpu_seconds() - cpu
        self._check(asked)
        return count / took, used / count * 1000, latencies

    async def round(self, sizes: DiscordSizes, *, warm_up: bool = False) -> Round:
        scale = 5 if warm_up else 1
        rate, cpu_ms, _ = await self.flow(sizes.interactions // scale, sizes.concurrency)
        _, _, latencies = await self.flow(max(1, sizes.one_at_a_time // scale), 1)
        return Round(rate, cpu_ms, percentile(latencies, 50), percentile(latencies, 99))

    def _check(self, asked: list[DcInteraction]) -> None:
        """Real answers, in time, not apologies for an error."""
        late = [i for i in asked if i.response_type == 5]
        if late:
            raise RuntimeError(f"{self.name} deferred {len(late)} answers: too slow to measure")
        for interaction in asked[-3:]:
            text = interaction.original.text if interaction.original is not None else ""
            if not text or "went wrong" in text or "INC-" in text:
                raise RuntimeError(f"{self.name} answered with an error: {text[:200]!r}")


async def _start(name: str, fake: FakeDiscordApi, directory: Path) -> Side:
    fake.enforce_rate_limits()
    world = World(fake, SLUGS)
    log = directory / f"{name}.log"
    if name == "peercircle":
        config = peercircle_config(directory, world, capacity=500)
        child = await start_peercircle(config, world, log)
    elif name == LAYER:
        config = peercircle_config(directory, world, capacity=500, name=LAYER)
        child = await start_layer(config, world, log)
    elif name == FLOOR:
        config = peercircle_config(directory, world, capacity=500, name=FLOOR)
        child = await start_bare(world, log, floor=config)
    else:
        child = await start_bare(world, log)
    return Side(name, world, child)


async def measure(sizes: DiscordSizes, directory: Path) -> dict[str, list[Round]]:
    """Both sides, warm-up first, then ``repeats`` rounds each, taking turns."""
    make_directory(directory)
    async with (
        FakeDiscordApi() as ours_fake,
        FakeDiscordApi() as bare_fake,
        FakeDiscordApi() as layer_fake,
        FakeDiscordApi() as floor_fake,
    ):
        sides = await all_started(
            [
                _start("peercircle", ours_fake, directory),
                _start("bare", bare_fake, directory),
                _start(LAYER, layer_fake, directory),
                _start(FLOOR, floor_fake, directory),
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
                await _stop(side)
    return rounds


async def _stop(side: Side) -> None:
    await side.child.stop()


def figures(rounds: dict[str, list[Round]], sizes: DiscordSizes) -> list[Figure]:
    ours, bare = rounds["peercircle"], rounds["bare"]
    how = (
        f"/groups, /join <group>, /next: {sizes.interactions}, {sizes.concurrency} in flight; "
        f"{sizes.repeats} rounds each"
    )
    found = overhead_figures(
        SECTION, ours, bare, items="interactions", each="interaction",
        bare_name="bare discord.py", how=how,
    )  # fmt: skip
    layer = rounds[LAYER]
    note = "PeerCircle's adapter, lanes and answers; the core replaced by the fixed text"
    found += [
        measured(SECTION, "interactions/s, Discord layer alone", [r.rate for r in layer], "/s",
                 note=note),
        measured(SECTION, "throughput ratio, Discord layer alone ÷ bare",
                 [a.rate / b.rate for a, b in zip(layer, bare, strict=True)],
                 note="what PeerCircle's platform code costs"),
        measured(SECTION, "CPU per interaction, Discord layer alone", [r.cpu_ms for r in layer],
                 "ms", note="PeerCircle's CPU less this: what the core's work costs"),
    ]  # fmt: skip
    floor = rounds[FLOOR]
    found += [
        measured(SECTION, "interactions/s, floor", [r.rate for r in floor], "/s",
                 note="bare discord.py running PeerCircle's SQL with bare sqlite3"),
        measured(SECTION, "throughput ratio, floor ÷ bare",
                 [a.rate / b.rate for a, b in zip(floor, bare, strict=True)],
                 note="the most any bot doing this database work could reach"),
        measured(SECTION, "throughput ratio, PeerCircle ÷ floor",
                 [a.rate / b.rate for a, b in zip(ours, floor, strict=True)],
                 note="what PeerCircle's own code costs beyond the work"),
        measured(SECTION, "CPU per interaction, floor", [r.cpu_ms for r in floor], "ms"),
    ]  # fmt: skip
    return found


async def run(sizes: DiscordSizes, directory: Path) -> list[Figure]:
    return figures(await measure(sizes, directory), sizes)
