"""The loopback Discord fake (``tests.fakes.discord_api``) as the Discord benchmarks use
it: a server with a channel per group and as many members as a run needs, the two bots
under test (PeerCircle's ``peercircle run``, or ``bench.discord_bare``) started against
it in processes of their own, and a wait for interactions to be answered.

The fake itself is unchanged: it records when each interaction was created (just before
it goes out on the gateway) and when its first response arrived (``DcInteraction``),
both on the monotonic clock, so a latency is measured where Discord would measure it.
"""

from __future__ import annotations

import contextlib
import time
from collections.abc import Iterable
from pathlib import Path

from bench import process
from bot.app import BotApp
from bot.config import load_settings
from tests.fakes.discord_api import FakeDiscordApi
from tests.fakes.discord_world import DcChannel, DcGuild, DcInteraction, DcUser

CHECKIN_KEY = "bench-checkin-key-0123456789abcdefghijklmnopqrstuv"
DEFERRED = 5  # a deferred response: "thinking…", the answer follows


class World:
    """One server in the fake, a text channel for each group, and its members."""

    def __init__(self, fake: FakeDiscordApi, slugs: Iterable[str]) -> None:
        self.fake = fake
        self.server: DcGuild = fake.guild("Bench server")
        self.channels: dict[str, DcChannel] = {
            slug: fake.channel(self.server, slug) for slug in slugs
        }

    def members(self, count: int, prefix: str = "member") -> list[DcUser]:
        people = [self.fake.user(f"{prefix}{n}") for n in range(count)]
        for person in people:
            self.fake.join(self.server, person)
        return people


def make_directory(directory: Path) -> None:
    directory.mkdir(parents=True, exist_ok=True)


def peercircle_config(
    directory: Path, world: World, capacity: int, *, name: str = "peercircle"
) -> Path:
    """``peercircle run`` with only ``[discord]`` on, pointed at the fake, publishing
    its commands in the world's server; each group lives in its own channel there."""
    fake, server = world.fake, world.server
    groups = "".join(
        f'[[groups]]\nslug = "{slug}"\nname = "Circle {slug[-1].upper()}"\n'
        f'description = "A weekly peer-support circle."\ncapacity = {capacity}\n'
        f"discord_guild_id = {server.id}\ndiscord_channel_id = {channel.id}\n"
        f'[groups.schedule]\nweekday = "tuesday"\ntime = "19:00"\n'
        f'link = "https://meet.example.org/{slug}"\n'
        for slug, channel in world.channels.items()
    )
    text = (
        f'[bot]\ntimezone = "Europe/London"\n[storage]\nurl = "sqlite:///{name}.sqlite3"\n'
        f'[discord]\nenabled = true\napi_base_url = "{fake.api_base_url}"\n'
        f'gateway_url = "{fake.gateway_url()}"\nguild_ids = [{server.id}]\n{groups}'
    )
    directory.mkdir(parents=True, exist_ok=True)
    for old in directory.glob(f"{name}.sqlite3*"):
        old.unlink()
    path = directory / f"{name}.toml"
    path.write_text(text, encoding="utf-8")
    return path


def environment(fake: FakeDiscordApi) -> dict[str, str]:
    return {"PEERCIRCLE_DISCORD__TOKEN": fake.token, "PEERCIRCLE_CHECKINS__HMAC_KEY": CHECKIN_KEY}


async def seat(config: Path, fake: FakeDiscordApi, slug: str, people: list[DcUser]) -> None:
    """``people`` seated in the group ``slug``, written straight into the database (one
    transaction, before the bot starts), as if each had run /join."""
    app = await BotApp.open(load_settings(config, environ=environment(fake)))
    try:
        now = int(time.time() * 1000)
        async with app.database.transaction() as tx:
            for n, person in enumerate(people):
                who = {"user": str(person.id), "name": person.username, "now": now}
                await tx.execute(
                    "INSERT INTO members VALUES ('discord', :user, :name, :now, :now)", who
                )
                await tx.execute(
                    "INSERT INTO memberships VALUES ((SELECT id FROM groups WHERE slug = :slug),"
                    " 'discord', :user, 'seated', :seq, :now, :now)",
                    {**who, "slug": slug, "seq": n + 1},
                )
    finally:
        await app.close()


async def start_peercircle(config: Path, world: World, log: Path) -> process.Child:
    args = ["-m", "bot", "--config", str(config), "run"]
    child = await process.start(args, log, env=environment(world.fake), cwd=config.parent)
    return await _connected(child, world)


async def start_layer(config: Path, world: World, log: Path) -> process.Child:
    """PeerCircle's Discord layer alone (``bench.discord_layer``), on ``config``."""
    args = ["-m", "bench.discord_layer", "--config", str(config)]
    child = await process.start(args, log, env=environment(world.fake), cwd=config.parent)
    return await _connected(child, world)


async def start_bare(world: World, log: Path, *, floor: Path | None = None) -> process.Child:
    """The bare discord.py bot; with ``floor`` (a ``peercircle run`` config), the floor
    (``bench.discord_floor``): the bare bot doing PeerCircle's database work."""
    fake = world.fake
    args = ["-m", "bench.discord_bare" if floor is None else "bench.discord_floor"]
    args += ["--api", fake.api_base_url, "--gateway", fake.gateway_url()]
    args += ["--guild", str(world.server.id)]
    if floor is None:
        child = await process.start(args, log, env={"DISCORD_TOKEN": fake.token})
    else:
        env = {"DISCORD_TOKEN": fake.token, **environment(fake)}
        child = await process.start([*args, "--config", str(floor)], log, env=env, cwd=floor.parent)
    return await _connected(child, world)


async def _connected(child: process.Child, world: World) -> process.Child:
    """Once the bot is on the gateway and has published its commands in the server."""
    fake = world.fake
    try:
        await fake.wait_until_connected(within=60)
        await fake.wait_for(
            lambda: fake.commands(world.server), within=30, what="commands published"
        )
    except AssertionError:
        await child.stop()
        raise RuntimeError(f"the bot did not come up:\n{child.log_tail()}") from None
    return child


def answered(interaction: DcInteraction) -> bool:
    """It has its first response; a deferred one ("thinking…") has also been filled in,
    or deleted (the answer went elsewhere, like a meeting card posted in the channel)."""
    kind = interaction.response_type
    if kind is None:
        return False
    original = interaction.original
    return kind != DEFERRED or original is None or original.deleted or not original.loading


def expired(interaction: DcInteraction, now: float, window: float = 3.0) -> bool:
    """No first response within Discord's window: Discord has dropped it."""
    return interaction.response_type is None and now - interaction.created_at > window


async def settled(fake: FakeDiscordApi, asked: list[DcInteraction], within: float) -> None:
    """Until each of ``asked`` is answered or has expired (checked on every change the
    fake sees, and at least every half second); TimeoutError after ``within``."""
    pending = list(asked)
    deadline = time.monotonic() + within

    def done() -> bool:
        now = time.monotonic()
        pending[:] = [i for i in pending if not (answered(i) or expired(i, now))]
        return not pending

    while not done():
        if time.monotonic() > deadline:
            raise TimeoutError(f"{len(pending)} of {len(asked)} interactions still open")
        with contextlib.suppress(AssertionError):
            await fake.wait_for(done, within=0.5, what="interactions answered")
