"""The whole PeerCircle core, in-process: real dispatcher, real storage (SQLite, or
PostgreSQL for tests on both engines: tests/engines.py), real domain.

Only the edges are stand-ins: a fake clock and recording outbound channels in place of
platform APIs. ``await harness.say("/join circle", as_=alice)`` returns the replies.
"""

from __future__ import annotations

import textwrap
from dataclasses import dataclass
from pathlib import Path

from bot.app import BotApp, DeliverAfterEach
from bot.config import load_settings
from bot.events import ActionPressed, Actor, Incoming, Place, TextReceived
from bot.replies import Reply
from bot.roles import Role
from tests.engines import current_engine
from tests.fakes.clock import FakeClock
from tests.fakes.outbound import RecordingOutbound

PLATFORMS = ("console", "telegram", "discord")
# Check-ins need a key from the environment; the harness's own (tests of "no key" pass
# ``environ={}``).
CHECKIN_KEY = "harness-checkin-key-0123456789abcdefghijklmnop"
HARNESS_ENVIRON = {"PEERCIRCLE_CHECKINS__HMAC_KEY": CHECKIN_KEY}

# Two small groups so capacity is easy to reach; Fran runs "circle" (which lives in a
# Telegram chat), Gus runs "carers" (which lives in one channel of a Discord server).
HARNESS_CONFIG = """
organizers = ["console:olive"]

[bot]
name = "PeerCircle"
timezone = "Europe/London"
country = "GB"

[storage]
url = "{storage_url}"
busy_timeout_ms = {busy_timeout_ms}
# The harness's platforms are recordings: no need to pace group chats at 20 a minute,
[telegram.limits]
per_group_chat_per_minute = 600
edit_every = 0.5  # nor a meeting card's edits at one per 3 s (tests wait for them)

[[groups]]
slug = "circle"
name = "Tuesday Circle"
description = "A weekly circle."
capacity = {capacity}
facilitators = ["console:fran", "telegram:4242"]
telegram_chat_id = -100123
[groups.schedule]
weekday = "tuesday"
time = "19:00"

[[groups]]
slug = "carers"
name = "Carers' Circle"
description = "For carers."
capacity = {carers_capacity}
facilitators = ["console:gus"]
discord_guild_id = 111111111111111111
discord_channel_id = 222222222222222222
online = false
location = "Riverside Library"
[groups.schedule]
frequency = "fortnightly"
weekday = "thursday"
time = "18:30"
starts = 2026-01-08
"""


def person(name: str, platform: str = "console", user_id: str | None = None) -> Actor:
    return Actor(platform, user_id or name, name.capitalize())


def private_chat(actor: Actor) -> Place:
    return Place(actor.platform, chat_id=actor.user_id, private=True)


def write_config(
    directory: Path,
    *,
    capacity: int = 2,
    carers_capacity: int = 5,
    storage_url: str = "sqlite:///:memory:",
    database_path: Path | None = None,
    busy_timeout_ms: int = 5000,
) -> Path:
    """The harness config in ``directory``. ``storage_url`` may name a file
    (``sqlite:///bot.db`` is relative to ``directory``) for tests that restart the bot or
    break the file; ``database_path`` names an absolute SQLite file instead (e.g. under
    ``tmp_path``), so another connection can share it (and lock it). In a test running on
    PostgreSQL (tests/engines.py) each SQLite address becomes a database of its own."""
    if database_path is not None:
        storage_url = f"sqlite:///{database_path.resolve()}"
    storage_url = current_engine().storage_url(storage_url, directory)
    path = directory / "peercircle.toml"
    text = HARNESS_CONFIG.format(
        capacity=capacity,
        carers_capacity=carers_capacity,
        storage_url=storage_url,
        busy_timeout_ms=busy_timeout_ms,
    )
    path.write_text(textwrap.dedent(text), encoding="utf-8")
    return path


_TOWNS = ("Leeds", "York", "Hull")


def many_groups_config(directory: Path, count: int) -> Path:
    """A config with ``count`` groups, for listing and searching them: "Group 01" …
    ("g01" …), in turn in York, Hull and Leeds (``n % 3``), the odd ones about grief and
    the even ones about anxiety."""
    storage = current_engine().storage_url("sqlite:///:memory:", directory)
    text = f'[bot]\ntimezone = "Europe/London"\n[storage]\nurl = "{storage}"\n'
    for n in range(1, count + 1):
        topic = "Grief and loss" if n % 2 else "Living with anxiety"
        text += (
            f'[[groups]]\nslug = "g{n:02}"\nname = "Group {n:02}"\n'
            f'description = "{topic}."\ncapacity = 5\nonline = false\n'
            f'location = "{_TOWNS[n % 3]} library"\n'
            '[groups.schedule]\nweekday = "monday"\ntime = "18:00"\n'
        )
    path = directory / "many.toml"
    path.write_text(text, encoding="utf-8")
    return path


@dataclass
class Harness:
    app: BotApp
    clock: FakeClock
    outbound: dict[str, RecordingOutbound]

    @classmethod
    async def open(
        cls,
        config: Path,
        clock: FakeClock | None = None,
        *,
        environ: dict[str, str] | None = None,
    ) -> Harness:
        clock = clock or FakeClock()
        environ = HARNESS_ENVIRON if environ is None else environ
        app = await BotApp.open(load_settings(config, environ=environ), clock=clock)
        outbound = {platform: RecordingOutbound(platform) for platform in PLATFORMS}
        for channel in outbound.values():
            app.platforms.attach(channel)
        return cls(app, clock, outbound)

    async def say(
        self, text: str, *, as_: Actor, role: Role = Role.MEMBER, place: Place | None = None
    ) -> list[Reply]:
        """``as_`` writes ``text`` in ``place`` (their private chat unless given); the
        platform grants them ``role`` there."""
        where = place or private_chat(as_)
        self.outbound[as_.platform].grant(as_, where, role)
        return await self.handle(TextReceived(as_, where, text))

    async def press(
        self, action: str, *, as_: Actor, role: Role = Role.MEMBER, place: Place | None = None
    ) -> list[Reply]:
        where = place or private_chat(as_)
        self.outbound[as_.platform].grant(as_, where, role)
        return await self.handle(ActionPressed(as_, where, action))

    async def handle(self, incoming: Incoming) -> list[Reply]:
        """The dispatcher's replies; then the outbox worker sends whatever is due (as the
        console does after each command), so notices land in ``inbox`` at once."""
        self.clock.advance(seconds=1)
        return await DeliverAfterEach(self.app).handle(incoming)

    async def text(self, text: str, *, as_: Actor, role: Role = Role.MEMBER) -> str:
        """All reply texts of one message, joined: handy for ``in`` assertions."""
        return "\n".join(reply.text for reply in await self.say(text, as_=as_, role=role))

    def inbox(self, actor: Actor) -> list[Reply]:
        return self.outbound[actor.platform].inbox(actor)

    async def close(self) -> None:
        await self.app.close()
