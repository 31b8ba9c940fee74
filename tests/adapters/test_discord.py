"""The Discord adapter against the fake Discord: slash commands as published, answers in
time (deferred when slow), per-member order with urgent commands first, buttons and
forms that outlive a restart, private messages typed to the bot, and what reaches logs."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator

import pytest
from discord.gateway import DiscordWebSocket
from discord.http import Route

from adapters.discord.answer import DEFER_AFTER
from bot.args import Args, ParamSpec
from bot.commands import CommandSpec
from bot.context import Context
from bot.replies import Audience, Reply
from bot.roles import Role
from tests.adapters.discord_driver import DiscordDriver, registry_with
from tests.adapters.gate import SOS, Gate
from tests.fakes.discord_api import FakeDiscordApi

ACK_WINDOW = 3.0


async def _find(ctx: Context, args: Args) -> Reply:
    return Reply(f"Found {args.text('group')}", audience=Audience.ONLY_YOU)


async def _later(ctx: Context, args: Args) -> Reply:
    await asyncio.sleep(2.5)
    return Reply("For everyone, a bit later.", audience=Audience.HERE)


GROUP = ParamSpec("group", "params.group", max_length=100)
NOTE = ParamSpec("note", "params.group", required=False, rest=True, max_length=300)
FIND = CommandSpec("find", "commands.join", _find, (GROUP, NOTE))
TEAM = CommandSpec("team", "commands.roster", _find, (GROUP,), Role.FACILITATOR)
LATER = CommandSpec("later", "commands.help", _later)


def _suggest(typed: str) -> list[tuple[str, str]]:
    groups = [("tuesday-recovery", "Tuesday Recovery Circle"), ("youth-space", "Youth Space")]
    return [(slug, name) for slug, name in groups if typed.casefold() in name.casefold()]


@pytest.fixture
async def fake() -> AsyncIterator[FakeDiscordApi]:
    async with FakeDiscordApi() as api:
        yield api
        assert api.internal_errors == []


@pytest.fixture
async def driver(fake: FakeDiscordApi) -> AsyncIterator[DiscordDriver]:
    driver = DiscordDriver(
        fake, registry=registry_with(FIND, TEAM, LATER), suggestions={"group": _suggest}
    )
    await driver.start()
    yield driver
    await driver.close()


# -- slash commands ----------------------------------------------------------------------


async def test_commands_are_published_with_their_options_descriptions_and_permissions(
    driver: DiscordDriver,
) -> None:
    published = {command["name"]: command for command in driver.fake.commands()}
    assert set(published) == {spec.name for spec in driver.registry.listed()}
    find = published["find"]
    assert find["description"] == driver.catalog.text("commands.join")
    group, note = find["options"]
    assert (group["name"], group["type"], group["required"], group["autocomplete"]) == (
        "group",
        3,
        True,
        True,
    )
    assert group["max_length"] == 100
    assert group["description"] == driver.catalog.text("params.group")
    assert (note["name"], note.get("required", False), note["max_length"]) == ("note", False, 300)
    assert "autocomplete" not in note or note["autocomplete"] is False
    assert find["default_member_permissions"] is None
    assert published["team"]["default_member_permissions"] == "0"


async def test_options_arrive_as_the_cores_values(driver: DiscordDriver) -> None:
    user = driver.user("alice")
    asked = driver.fake.slash(user, "find", {"group": "tuesday"}, channel=driver.channel)
    [answer] = await driver.fake.answers(asked)
    assert answer.text == "Found tuesday"


async def test_autocomplete_offers_the_groups_that_fit(driver: DiscordDriver) -> None:
    user = driver.user("alice")
    typing = driver.fake.autocomplete(
        user, "find", {"group": "circ"}, "group", channel=driver.channel
    )
    await driver.fake.responded(typing)
    assert typing.response_type == 8
    assert typing.choices == [{"name": "Tuesday Recovery Circle", "value": "tuesday-recovery"}]


async def test_commands_go_to_the_configured_servers_only(fake: FakeDiscordApi) -> None:
    server, other = fake.guild("Circle"), fake.guild("Elsewhere")
    changes = {"guild_ids": (server.id,)}
    driver = DiscordDriver(fake, server=server, option_changes=changes)
    await driver.start()
    try:
        await fake.wait_for(lambda: fake.commands(driver.server), what="server commands")
        assert fake.commands() == []
        assert fake.commands(other) == []
        seen = await driver.say("alice", "/here", shared=True)
        assert [s.text for s in seen] == ["For everyone: the group meets on Tuesdays."]
    finally:
        await driver.close()


# -- in time -----------------------------------------------------------------------------


async def test_a_slow_command_is_deferred_in_time_then_answered(fake: FakeDiscordApi) -> None:
    gate = Gate()
    driver = DiscordDriver(fake, registry=registry_with(gate.spec()))
    await driver.start()
    try:
        asked = fake.slash(driver.user("alice"), "slow", channel=driver.channel)
        await gate.entered.wait()
        await fake.responded(asked, within=ACK_WINDOW)
        assert asked.response_type == 5  # "thinking…"
        assert asked.original is not None
        assert asked.original.ephemeral
        gate.release.set()
        [answer] = await fake.answers(asked)
    finally:
        await driver.close()
    assert answer is asked.original  # the deferred message, filled in
    assert answer.text == "slow done"
    assert answer.visible_to == driver.user("alice").id
    assert asked.response_delay is not None
    assert DEFER_AFTER - 0.1 < asked.response_delay < ACK_WINDOW


async def test_a_slow_answer_for_everyone_replaces_the_private_thinking_message(
    driver: DiscordDriver,
) -> None:
    seen = await driver.say("alice", "/later", shared=True)
    assert [(s.where, s.text) for s in seen] == [("chat", "For everyone, a bit later.")]
    [asked] = [i for i in driver.fake.interactions.values() if i.data.get("name") == "later"]
    assert asked.original is not None
    assert asked.original.deleted  # the ephemeral "thinking…" went away


async def test_a_command_waiting_behind_a_slow_one_is_still_acknowledged_in_time(
    fake: FakeDiscordApi,
) -> None:
    gate = Gate()
    driver = DiscordDriver(fake, registry=registry_with(gate.spec(), SOS))
    await driver.start()
    try:
        alice = driver.user("alice")
        slow = fake.slash(alice, "slow", channel=driver.channel)
        await gate.entered.wait()
        behind = fake.slash(alice, "here", channel=driver.channel)
        urgent = fake.slash(alice, "sos", channel=driver.channel)
        [help_text] = await fake.answers(urgent)  # at once, ahead of both
        assert help_text.text == "help is here"
        assert not [m for m in (slow.original, behind.original) if m and not m.loading]
        await fake.responded(behind, within=ACK_WINDOW)
        assert behind.response_type == 5
        gate.release.set()
        [first] = await fake.answers(slow)
        [second] = await fake.answers(behind)
    finally:
        await driver.close()
    assert first.text == "slow done"
    assert second.text == "For everyone: the group meets on Tuesdays."
    assert not second.ephemeral  # replaced the ephemeral "thinking…"
    assert first.created_at <= second.created_at  # one member's commands, in order
    assert all(i.response_delay is not None for i in fake.interactions.values())
    assert max(i.response_delay or 0 for i in fake.interactions.values()) < ACK_WINDOW


# -- restarts ----------------------------------------------------------------------------


async def test_a_button_sent_before_a_restart_still_works(fake: FakeDiscordApi) -> None:
    before = DiscordDriver(fake)
    await before.start()
    [question] = await before.say("bob", "/choose", shared=True)
    await before.close()
    assert question.buttons == ("Pick apple", "Pick pear")

    after = DiscordDriver(fake, server=before.server, users=before.users)
    await after.start()
    try:
        seen = await after.press("bob", "Pick pear", shared=True)
    finally:
        await after.close()
    assert [(s.where, s.text) for s in seen] == [("only", "You picked pear.")]
    assert fake.gateway.identified == 2


async def test_a_modal_open_across_a_restart_still_submits(fake: FakeDiscordApi) -> None:
    before = DiscordDriver(fake)
    await before.start()
    await before.say("bob", "/survey", shared=True)
    opened = await before.open_form("bob", shared=True)
    await before.close()
    assert opened.modal is not None

    after = DiscordDriver(fake, server=before.server, users=before.users)
    await after.start()
    try:
        values: dict[str, str | list[str]] = {"mood": ["3"], "note": "better *now*"}
        submitted = fake.submit_modal(after.user("bob"), opened, values)
        [thanks] = await fake.answers(submitted)
        stale = await after.press("bob", "📝 A short survey", shared=True)
    finally:
        await after.close()
    assert thanks.text == "Thanks: mood 3, note “better *now*”."
    assert [s.text for s in stale] == [after.catalog.text("core.form_expired")]


# -- private messages typed to the bot ---------------------------------------------------


async def test_a_private_message_is_answered_in_the_private_chat(driver: DiscordDriver) -> None:
    seen = await driver.say("carol", "hello there", shared=False)
    assert [(s.where, s.person) for s in seen] == [("private", "carol")]
    assert seen[0].text == driver.catalog.text("core.not_a_command")

    typed = await driver.say("carol", "/mine", shared=False)
    [reply] = [s for s in typed if s.where == "private"]
    assert reply.text == "secret-for carol"


# -- hygiene -----------------------------------------------------------------------------


async def test_every_message_mentions_nobody(driver: DiscordDriver) -> None:
    await driver.say("alice", "/echo @everyone <@1> hi", shared=True)
    await driver.say("alice", "/dm", shared=True)
    assert driver.fake.messages
    for message in driver.fake.messages:
        assert message.allowed_mentions is not None
        assert message.allowed_mentions.get("parse") == []
        assert message.pings == []


async def test_discord_pys_addresses_are_put_back_at_stop(fake: FakeDiscordApi) -> None:
    base, gateway = Route.BASE, DiscordWebSocket.DEFAULT_GATEWAY
    driver = DiscordDriver(fake)
    await driver.start()
    assert fake.api_base_url == Route.BASE
    await driver.close()
    assert (base, gateway) == (Route.BASE, DiscordWebSocket.DEFAULT_GATEWAY)


async def test_the_token_and_member_text_never_reach_the_log(
    fake: FakeDiscordApi, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    driver = DiscordDriver(fake)
    await driver.start()
    try:
        await driver.say("alice", "/echo my secret diary", shared=True)
        await fake.drop_gateway()
        await fake.wait_until_resumed()
    finally:
        await driver.close()
    assert fake.token not in caplog.text
    assert "my secret diary" not in caplog.text
    assert "alice" not in caplog.text
