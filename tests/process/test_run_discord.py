"""``peercircle run`` as the Discord service: the real CLI in a subprocess, talking to the
fake Discord (REST API and gateway) running in this test on 127.0.0.1 (a free port), as
members see it in a server channel; then a clean stop on SIGTERM."""

from __future__ import annotations

import asyncio
import os
import socket
import sys
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from bot.catalog import Catalog
from tests.adapters.write_lock import WriteLock
from tests.fakes.discord_api import FakeDiscordApi
from tests.fakes.discord_world import DcChannel, DcGuild, DcInteraction, DcMessage, DcUser
from tests.process.bot_process import outbox_rows
from tests.process.cli import ROOT, example_copy
from tests.process.telegram_service import SIGTERM_GRACE, Service

CATALOG = Catalog.load()
ACK_WINDOW = 3.0
TRICKY = "@here <@&{role}> _Mal_"  # within the roster's 40 characters


def discord_config(directory: Path, fake: FakeDiscordApi, server: DcGuild) -> Path:
    """The example config with ``[discord]`` on, pointed at the fake, publishing in
    ``server``; Tuesday Recovery Circle lives in that server's first channel."""
    config = example_copy(directory)
    text = config.read_text(encoding="utf-8")
    head, _, tail = text.partition("[discord]\n")
    settings = (
        f'enabled = true\napi_base_url = "{fake.api_base_url}"\n'
        f'gateway_url = "{fake.gateway_url()}"\nguild_ids = [{server.id}]'
    )
    tail = tail.replace("enabled = false", settings, 1)
    home = f"discord_guild_id = {server.id}\ndiscord_channel_id = {server.channels[0].id}\n"
    tail = tail.replace('slug = "tuesday-recovery"\n', f'slug = "tuesday-recovery"\n{home}', 1)
    config.write_text(f"{head}[discord]\n{tail}", encoding="utf-8")
    return config


async def run_bot(config: Path, token: str) -> Service:
    env = {k: v for k, v in os.environ.items() if not k.startswith("PEERCIRCLE_")}
    env.update(PYTHONPATH=str(ROOT), PEERCIRCLE_DISCORD__TOKEN=token, LC_ALL="C.UTF-8")
    process = await asyncio.create_subprocess_exec(
        *(sys.executable, "-m", "bot", "--config", str(config), "run"),
        stdin=asyncio.subprocess.DEVNULL,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
        cwd=config.parent,
        env=env,
    )
    return Service(process)


class World:
    """A server with a #circle channel and its members, in the fake."""

    def __init__(self, fake: FakeDiscordApi) -> None:
        self.fake = fake
        self.server = fake.guild("Circle server")
        self.circle: DcChannel = self.server.channels[0]
        self.alex = self.member("Alex")
        self.fran = self.member("Fran", roles=("Facilitator",))
        self.pat = self.member("Pat")
        role = self.server.role("Facilitator").id
        self.mallory = self.member("mallory", shown=TRICKY.format(role=role))

    def member(self, name: str, *, roles: tuple[str, ...] = (), shown: str = "") -> DcUser:
        user = self.fake.user(name, global_name=shown or name)
        self.fake.join(self.server, user, roles=roles)
        return user

    async def ask(
        self, user: DcUser, command: str, count: int = 1, **options: str
    ) -> tuple[DcInteraction, list[DcMessage]]:
        asked = self.fake.slash(user, command, options, channel=self.circle)
        return asked, await self.fake.answers(asked, count, within=20)

    async def press(
        self, user: DcUser, message: DcMessage, label: str
    ) -> tuple[DcInteraction, list[DcMessage]]:
        pressed = self.fake.press(user, message, label)
        return pressed, await self.fake.answers(pressed, within=20)


@pytest.fixture
async def fake() -> AsyncIterator[FakeDiscordApi]:
    async with FakeDiscordApi() as api:
        yield api


def _assert_clean_exit(service: Service, code: int, took: float, err: bytes, token: str) -> None:
    shown = err.decode(errors="replace")
    assert code == 0, shown
    assert took < SIGTERM_GRACE, shown
    assert "Traceback" not in shown
    assert token not in shown


async def _connected(fake: FakeDiscordApi, server: DcGuild, *, sessions: int = 1) -> None:
    await fake.wait_until_connected(within=30, sessions=sessions)
    await fake.wait_for(lambda: fake.commands(server), within=10, what="commands published")


def _option(command: dict[str, object], name: str) -> dict[str, object]:
    options = command.get("options") or []
    assert isinstance(options, list)
    return next(option for option in options if option["name"] == name)


def _assert_commands(fake: FakeDiscordApi, server: DcGuild) -> None:
    commands = {command["name"]: command for command in fake.commands(server)}
    assert fake.commands() == []  # published in the configured server only
    assert {"start", "help", "groups", "join", "next", "crisis", "roster", "settings"} <= set(
        commands
    )
    assert commands["groups"]["description"] == CATALOG.text("commands.groups")
    assert commands["groups"]["default_member_permissions"] is None
    assert commands["roster"]["default_member_permissions"] == "0"  # facilitators
    join = _option(commands["join"], "group")
    assert (join["type"], join.get("required", False), join.get("autocomplete")) == (3, False, True)
    roster = _option(commands["roster"], "group")
    assert (roster.get("required"), roster.get("autocomplete")) == (True, True)
    country = _option(commands["crisis"], "country")
    assert (country.get("required", False), country.get("autocomplete", False)) == (False, False)


async def test_run_serves_discord_and_stops_cleanly(fake: FakeDiscordApi, tmp_path: Path) -> None:
    world = World(fake)
    config = discord_config(tmp_path, fake, world.server)
    service = await run_bot(config, fake.token)
    try:
        await _connected(fake, world.server)
        _assert_commands(fake, world.server)
        await _member_flow(world)
        await _settings_form(world)
        await _roster(world)
        await _slow_and_urgent(world, tmp_path / "data" / "peercircle.sqlite3")
    finally:
        code, took, err = await service.terminate()

    _assert_clean_exit(service, code, took, err, fake.token)
    assert fake.internal_errors == []
    delays = [i.response_delay for i in fake.interactions.values()]
    assert all(delay is not None and delay < ACK_WINDOW for delay in delays), delays
    assert fake.invalid_requests == 0  # nothing Discord would count towards a ban
    assert all(message.pings == [] for message in fake.messages)


async def _member_flow(world: World) -> None:
    fake, alex = world.fake, world.alex
    _, [groups] = await world.ask(alex, "groups")
    assert not groups.ephemeral
    assert "Tuesday Recovery Circle" in groups.text
    assert "Join Youth Space (16–25)" in [label for label, _ in groups.buttons]

    typing = fake.autocomplete(alex, "join", {"group": "tue"}, "group", channel=world.circle)
    await fake.responded(typing)
    assert typing.choices == [{"name": "Tuesday Recovery Circle", "value": "tuesday-recovery"}]

    _, [joined] = await world.ask(alex, "join", group="tuesday-recovery")
    assert joined.ephemeral
    assert joined.visible_to == alex.id
    assert joined.text.startswith("You're in: you have a seat in Tuesday Recovery Circle")

    asked = fake.slash(alex, "next", {"group": "tuesday-recovery"}, channel=world.circle)
    card = await fake.wait_for(  # the meeting card: a message of the channel's, for good
        lambda: next(
            (
                m
                for m in fake.messages
                if m.interaction_id is None
                and "Tuesday Recovery Circle" in m.text
                and m.channel_id == world.circle.id
            ),
            None,
        ),
        within=20,
        what="the meeting card in the channel",
    )
    assert card.visible_to is None  # everyone's
    assert card.components  # with RSVP buttons
    await fake.responded(asked)  # the interaction itself is acknowledged too

    _, [crisis] = await world.ask(alex, "crisis", country="IE")
    assert crisis.ephemeral
    assert "Samaritans" in crisis.text

    _, [pressed] = await world.press(alex, groups, "Join Youth Space (16–25)")
    assert pressed.text.startswith("You're in: you have a seat in Youth Space (16–25)")
    assert pressed.ephemeral


async def _settings_form(world: World) -> None:
    alex = world.alex
    _, [shown] = await world.ask(alex, "settings")
    _, [intro] = await world.press(alex, shown, CATALOG.text("buttons.edit_settings"))
    [(label, _)] = intro.buttons
    opened = world.fake.press(alex, intro, label)
    await world.fake.responded(opened)
    assert opened.modal is not None
    assert opened.response_type == 9
    fields = [c["component"]["custom_id"] for c in opened.modal["components"]]
    assert fields == ["timezone", "country", "quiet"]
    sent = world.fake.submit_modal(alex, opened, {"country": "IE"})
    [saved] = await world.fake.answers(sent, within=20)
    assert saved.ephemeral
    assert "IE" in saved.text


async def _roster(world: World) -> None:
    await world.ask(world.mallory, "join", group="tuesday-recovery")
    _, [roster] = await world.ask(world.fran, "roster", group="tuesday-recovery")
    assert roster.ephemeral
    assert roster.visible_to == world.fran.id
    assert "Alex" in roster.text
    role = world.server.role("Facilitator").id
    assert TRICKY.format(role=role) in roster.text  # shown literally, pinging nobody
    assert roster.mentions == []
    assert roster.pings == []

    _, [refused] = await world.ask(world.pat, "roster", group="tuesday-recovery")
    assert refused.ephemeral
    assert refused.text == CATALOG.text("core.needs_role.facilitator", command="roster")


async def _slow_and_urgent(world: World, database: Path) -> None:
    """A write waiting on a locked database: deferred in time, then followed up; /crisis
    meanwhile answered at once."""
    fake = world.fake
    with WriteLock(database) as lock:
        slow = fake.slash(world.alex, "join", {"group": "carers-circle"}, channel=world.circle)
        await fake.responded(slow, within=ACK_WINDOW)
        _, [crisis] = await world.ask(world.alex, "crisis")
        assert "Samaritans" in crisis.text
        await fake.wait_for(lambda: slow.response_type == 5, within=ACK_WINDOW, what="a defer")
        await lock.release_after(3.5)
    [joined] = await fake.answers(slow, within=20)
    assert slow.response_type == 5  # deferred ("thinking…"), then filled in
    assert joined.ephemeral
    assert joined.text.startswith("You're in: you have a seat in Carers' Circle")


async def test_run_keeps_going_while_discord_is_unreachable(tmp_path: Path) -> None:
    with socket.socket() as probe:  # a port nobody listens on
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    async with FakeDiscordApi() as elsewhere:  # only for a world to write the config with
        server = elsewhere.guild("Circle server")
        config = discord_config(tmp_path, elsewhere, server)
    text = config.read_text(encoding="utf-8").replace(
        f"127.0.0.1:{elsewhere.port}", f"127.0.0.1:{port}"
    )
    config.write_text(text, encoding="utf-8")
    service = await run_bot(config, elsewhere.token)
    try:
        await service.wait_for_stderr(lambda err: err.count(b"restarting in") >= 2)
        assert service.process.returncode is None  # still running
    finally:
        code, took, err = await service.terminate()

    _assert_clean_exit(service, code, took, err, elsewhere.token)
    shown = err.decode()
    assert "incident INC-" in shown
    assert "discord adapter stopped unexpectedly; restarting in 1.0 s" in shown
    assert "restarting in 2.0 s" in shown


POST_MESSAGE = "POST /channels/{channel_id}/messages"


async def test_faults_and_a_restart_leave_nothing_lost(
    fake: FakeDiscordApi, tmp_path: Path
) -> None:
    """A fan-out past a closed inbox (50007) and a 429; a dropped gateway resumed; after a
    restart, a button from before it still works."""
    world = World(fake)
    config = discord_config(tmp_path, fake, world.server)
    service = await run_bot(config, fake.token)
    try:
        await _connected(fake, world.server)
        _, [groups] = await world.ask(world.alex, "groups")
        for member in (world.alex, world.pat, world.mallory):
            await world.ask(member, "join", group="tuesday-recovery")
            await world.ask(member, "settings", setting="announcements", value="on")
        await _announce_past_faults(world)
        await fake.drop_gateway()
        await fake.wait_until_resumed(within=30)
        _, [crisis] = await world.ask(world.pat, "crisis")
        assert "Samaritans" in crisis.text
    finally:
        code, took, err = await service.terminate()
    _assert_clean_exit(service, code, took, err, fake.token)

    again = await run_bot(config, fake.token)
    try:
        await _connected(fake, world.server, sessions=2)
        _, [pressed] = await world.press(world.pat, groups, "Join Youth Space (16–25)")
    finally:
        code, took, err = await again.terminate()
    _assert_clean_exit(again, code, took, err, fake.token)
    assert pressed.text.startswith("You're in: you have a seat in Youth Space (16–25)")
    rows = outbox_rows(tmp_path / "data" / "peercircle.sqlite3", "announcement")
    assert rows == {"sent": 3, "unreachable": 1}
    assert fake.internal_errors == []
    delays = [i.response_delay for i in fake.interactions.values()]
    assert all(delay is not None and delay < ACK_WINDOW for delay in delays), delays


async def _announce_past_faults(world: World) -> None:
    fake = world.fake
    fake.block_dms(world.alex)
    fake.fail(POST_MESSAGE, 429, retry_after=0.5)
    _, [done] = await world.ask(world.fran, "announce", group="tuesday-recovery", text="7pm now")
    assert done.ephemeral
    wanted = "📣 Tuesday Recovery Circle: 7pm now"

    def delivered() -> list[DcMessage]:
        return [m for m in fake.sent() if m.text == wanted]

    got = await fake.wait_for(lambda: len(delivered()) >= 3 and delivered(), within=20)
    recipients = [fake.channels[m.channel_id].recipient for m in got]
    where = {"channel" if person is None else person.username for person in recipients}
    assert where == {"pat", "mallory", "channel"}  # alex's inbox is closed
    statuses = [(c.status, c.code) for c in fake.calls_to(POST_MESSAGE)]
    assert (429, None) in statuses  # waited out
    assert statuses.count((403, 50007)) == 1  # alex: marked unreachable, not retried
    await asyncio.sleep(0.5)
    assert len(delivered()) == 3  # nothing twice
