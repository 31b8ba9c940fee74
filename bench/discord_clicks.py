"""3. Button clicks under Discord's rate limits: many members press the RSVP button on
one shared message in a group's channel, at a high offered rate.

Each side (PeerCircle's ``peercircle run``, and the bare discord.py bot of
``bench.discord_bare`` answering each click with a fixed ephemeral text) runs in a
process of its own against its own loopback Discord fake, which enforces Discord's
limits (``FakeDiscordApi.enforce_rate_limits``): 50 calls a second with the bot's token,
interaction responses exempt; 5 messages posted, and 5 edited, per 5 seconds in a
channel. Each round has a group of its own (its channel, its shared message, and
``clicks`` new members, each seated in it beforehand as if they had run /join): a member
runs ``/next <group>`` in the group's channel, the benchmark finds the ``rsvp:<group>
yes`` button on the message the bot posted there, and every member presses it, one
click every 1/``offered`` seconds. If the bot's message has no such button, the
benchmark puts a message with the RSVP buttons into the channel itself (as the bare
side always does), and the figures say so.

Per round: the latency from the fake sending a click on the gateway to its first
response (Discord drops a click with none within 3 seconds), the clicks that got none
in time, the clicks answered per second (first click to last answer), and, for
PeerCircle, the edits of the shared message it made (updates of a live count should be
coalesced, not one per click) and the 429s it was answered.
"""

from __future__ import annotations

import asyncio
import time
from dataclasses import dataclass
from pathlib import Path

from bench import process
from bench.discord_fake import (
    World,
    answered,
    make_directory,
    peercircle_config,
    seat,
    settled,
    start_bare,
    start_peercircle,
)
from bench.process import all_started
from bench.report import Figure, Goal, measured
from bench.stats import percentile
from bot.catalog import Catalog
from tests.fakes.discord_api import FakeDiscordApi
from tests.fakes.discord_world import DcInteraction, DcMessage, DcUser

SECTION = "3"
WINDOW = 3.0  # Discord's deadline for a first response
ANSWERS = ("yes", "no", "maybe")
# how the answer to a member without a seat begins: the RSVP was refused
NOT_SEATED = Catalog.load().text("meetings.rsvp.not_seated", group="\0", slug="\0").split("\0")[0]


@dataclass(frozen=True, slots=True)
class ClickSizes:
    clicks: int = 500  # members pressing the button, per round (at most a group's 500 seats)
    offered: float = 200.0  # clicks a second
    repeats: int = 3  # rounds per side, after a warm-up round of a fifth the size
    settle: float = 2.0  # seconds after the last answer for a coalesced edit to land


@dataclass(frozen=True, slots=True)
class Round:
    p50_ms: float  # click to first response
    p99_ms: float
    late: int  # clicks with no first response within 3 s
    rate: float  # clicks answered a second, first click to last answer
    cpu_ms: float  # the bot process's CPU time per click (the edits after included)
    edits: int  # edits of the shared message
    refused: int  # 429s answered to the bot
    bench_message: bool  # the shared message was put there by the benchmark


def custom_id(slug: str, answer: str) -> str:
    return f"rsvp:{slug} {answer}"


def slugs(sizes: ClickSizes) -> list[str]:
    return [f"rsvp-{n}" for n in range(sizes.repeats + 1)]  # rsvp-0: the warm-up's


class Side:
    """One bot under test, its fake, and the members of each round's group."""

    def __init__(self, name: str, world: World, people: dict[str, list[DcUser]]) -> None:
        self.name = name
        self.world = world
        self.fake = world.fake
        self.people = people
        self.child: process.Child | None = None

    async def shared_message(self, slug: str) -> tuple[DcMessage, bool]:
        """The message whose RSVP button everyone presses; and whether the benchmark put
        it there (the bot's /next carried no such button)."""
        channel = self.world.channels[slug]
        if self.name == "peercircle":
            asked = self.fake.slash(self.people[slug][0], "next", {"group": slug}, channel=channel)
            await self.fake.wait_for(lambda: answered(asked), within=30, what="/next answered")
            await asyncio.sleep(0.2)  # a card posted after the answer
            for message in reversed(self.fake.sent(channel)):
                if custom_id(slug, "yes") in {cid for _, cid in message.buttons}:
                    return message, False
        return self._bench_message(slug), True

    def _bench_message(self, slug: str) -> DcMessage:
        """A message with the RSVP buttons of PeerCircle's reminder, in the channel."""
        buttons = [
            {"type": 2, "style": 2, "label": answer.title(), "custom_id": custom_id(slug, answer)}
            for answer in ANSWERS
        ]
        channel = self.world.channels[slug]
        text = f"The next meeting of {slug}. Will you come?"
        message = self.fake.new_message(
            channel, text, components=[{"type": 1, "components": buttons}]
        )
        return self.fake.record(message)

    async def round(self, slug: str, sizes: ClickSizes) -> Round:
        message, by_bench = await self.shared_message(slug)
        label = next(text for text, cid in message.buttons if cid == custom_id(slug, "yes"))
        calls_before = len(self.fake.calls)
        cpu = self.cpu_seconds()
        people = self.people[slug]
        asked: list[DcInteraction] = []
        began = time.monotonic()
        for n, person in enumerate(people):
            await asyncio.sleep(max(0.0, began + n / sizes.offered - time.monotonic()))
            asked.append(self.fake.press(person, message, label))
        await settled(self.fake, asked, within=len(people) / sizes.offered + 60)
        await asyncio.sleep(sizes.settle)
        cpu_ms = (self.cpu_seconds() - cpu) / len(people) * 1000
        self._check(asked)
        return _round(asked, self.fake, calls_before, message, by_bench, cpu_ms)

    def cpu_seconds(self) -> float:
        return 0.0 if self.child is None else self.child.cpu_seconds()

    def _check(self, asked: list[DcInteraction]) -> None:
        for interaction in asked[-3:]:
            text = interaction.original.text if interaction.original is not None else ""
            if "went wrong" in text or "INC-" in text or text.startswith(NOT_SEATED.strip()):
                raise RuntimeError(f"{self.name} answered a click with {text[:200]!r}")


def _round(
    asked: list[DcInteraction],
    fake: FakeDiscordApi,
    calls_before: int,
    message: DcMessage,
    by_bench: bool,
    cpu_ms: float,
) -> Round:
    delays = [i.response_delay for i in asked]
    timely = [d * 1000 for d in delays if d is not None and d <= WINDOW]
    answers = [i.responded_at for i in asked if i.responded_at is not None]
    took = max(answers, default=asked[0].created_at) - asked[0].created_at
    calls = fake.calls[calls_before:]
    edits = sum(
        1
        for call in calls
        if call.method == "PATCH" and call.status == 200 and _edits(fake, call.path, message)
    )
    return Round(
        p50_ms=percentile(timely or [WINDOW * 1000], 50),
        p99_ms=percentile(timely or [WINDOW * 1000], 99),
        late=len(asked) - len(timely),
        rate=len(answers) / took if took > 0 else 0.0,
        cpu_ms=cpu_ms,
        edits=edits,
        refused=sum(1 for call in calls if call.status == 429),
        bench_message=by_bench,
    )


def _edits(fake: FakeDiscordApi, path: str, message: DcMessage) -> bool:
    """Whether a PATCH to ``path`` edits ``message``: by its channel, or by its
    interaction's webhook when it was the answer to an interaction."""
    if path.endswith(f"/messages/{message.id}"):
        return True
    asked = fake.interactions.get(message.interaction_id or 0)
    return asked is not None and path.endswith(f"/{asked.token}/messages/@original")


async def _prepare(name: str, fake: FakeDiscordApi, sizes: ClickSizes, directory: Path) -> Side:
    fake.enforce_rate_limits()
    names = slugs(sizes)
    world = World(fake, names)
    people = {
        slug: world.members(sizes.clicks // 5 if n == 0 else sizes.clicks, prefix=f"{slug}-")
        for n, slug in enumerate(names)
    }
    side = Side(name, world, people)
    log = directory / f"{name}.log"
    if name == "peercircle":
        config = peercircle_config(directory, world, capacity=sizes.clicks, name="clicks")
        for slug in names:
            await seat(config, fake, slug, people[slug])
        side.child = await start_peercircle(config, world, log)
    else:
        side.child = await start_bare(world, log)
    return side


async def measure(sizes: ClickSizes, directory: Path) -> dict[str, list[Round]]:
    """Both sides, a warm-up round each, then ``repeats`` rounds each, taking turns."""
    make_directory(directory)
    names = slugs(sizes)
    async with FakeDiscordApi() as ours_fake, FakeDiscordApi() as bare_fake:
        sides = await all_started(
            [
                _prepare("peercircle", ours_fake, sizes, directory),
                _prepare("bare", bare_fake, sizes, directory),
            ],
            _stop,
        )
        try:
            for side in sides:
                await side.round(names[0], sizes)
            rounds: dict[str, list[Round]] = {side.name: [] for side in sides}
            for repeat, slug in enumerate(names[1:]):
                for side in sides if repeat % 2 == 0 else sides[::-1]:
                    rounds[side.name].append(await side.round(slug, sizes))
        finally:
            for side in sides:
                await _stop(side)
    return rounds


async def _stop(side: Side) -> None:
    if side.child is not None:
        await side.child.stop()


def figures(rounds: dict[str, list[Round]], sizes: ClickSizes) -> list[Figure]:
    ours, bare = rounds["peercircle"], rounds["bare"]
    how = f"{sizes.clicks} members, {sizes.offered:g} clicks/s offered; {sizes.repeats} rounds"
    if any(r.bench_message for r in ours):
        how += "; PeerCircle's /next had no RSVP button: the benchmark posted the message"
    ratios = [o.rate / b.rate for o, b in zip(ours, bare, strict=True) if b.rate > 0]
    return [
        measured(SECTION, "click latency p50, PeerCircle", [r.p50_ms for r in ours], "ms"),
        measured(
            SECTION,
            "click latency p99, PeerCircle",
            [r.p99_ms for r in ours],
            "ms",
            Goal("at most", 500, "ms"),
            how,
        ),
        measured(
            SECTION,
            "clicks with no answer within 3 s, PeerCircle",
            [float(r.late) for r in ours],
            goal=Goal("at most", 0),
        ),
        measured(SECTION, "clicks answered/s, PeerCircle", [r.rate for r in ours], "/s"),
        measured(SECTION, "clicks answered/s, bare discord.py", [r.rate for r in bare], "/s"),
        measured(SECTION, "click throughput, PeerCircle ÷ bare", ratios, "", Goal("at least", 0.8)),
        measured(SECTION, "click latency p50, bare discord.py", [r.p50_ms for r in bare], "ms"),
        measured(SECTION, "click latency p99, bare discord.py", [r.p99_ms for r in bare], "ms"),
        measured(SECTION, "CPU per click, PeerCircle", [r.cpu_ms for r in ours], "ms"),
        measured(SECTION, "CPU per click, bare discord.py", [r.cpu_ms for r in bare], "ms"),
        measured(SECTION, "shared-message edits, PeerCircle", [float(r.edits) for r in ours]),
        measured(SECTION, "429s received, PeerCircle", [float(r.refused) for r in ours]),
    ]


async def run(sizes: ClickSizes, directory: Path) -> list[Figure]:
    return figures(await measure(sizes, directory), sizes)
