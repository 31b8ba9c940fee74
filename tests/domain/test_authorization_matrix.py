"""The authorization matrix: every registered command, tried by everyone, everywhere.

Each command of the registry (listed or only a button's) is typed by a member of the
group, a facilitator of the group, a facilitator of another group, an organizer, a
non-member and a chat admin of the group's chat, in a private chat, the group's own chat
and an unrelated chat. Every cell ends as the declared rule (``matrix_world.RULES``) says:
allowed, or one kind refusal for the person only that changes nothing; never an incident;
and no reply anyone in the chat can see, and nothing posted to a chat, names a person.

This supersedes test_audiences' check that no reply naming a member is ever ``HERE``
(two speakers, one chat); test_audiences still pins each reply's audience and
test_authorization the role rules themselves (platform grants, Discord, organizers).
"""

from __future__ import annotations

import re
from collections.abc import AsyncIterator
from dataclasses import replace
from pathlib import Path

import pytest

from bot.args import Args
from bot.commands import CommandRegistry, CommandSpec, HandlerResult
from bot.context import Context
from bot.replies import Audience, Reply
from bot.roles import Role
from tests.domain.matrix_world import (
    PEOPLE,
    PLACES,
    RULES,
    matrix_config,
    run_matrix,
    setup_world,
)
from tests.harness import Harness, write_config


@pytest.fixture
async def world(tmp_path: Path) -> AsyncIterator[Harness]:
    harness = await Harness.open(matrix_config(write_config(tmp_path)))
    try:
        await setup_world(harness)
        yield harness
    finally:
        await harness.close()


def test_every_registered_command_has_a_declared_rule(world: Harness) -> None:
    registered = {spec.name for spec in world.app.dispatcher.commands}
    assert set(RULES) - registered == set(), "a rule for a command that no longer exists"
    assert registered - set(RULES) == set(), "declare the new command's rule in RULES"


def test_the_table_knows_which_commands_are_only_buttons(world: Harness) -> None:
    for spec in world.app.dispatcher.commands:
        assert RULES[spec.name].listed is spec.listed, spec.name


@pytest.mark.parametrize("command", sorted(RULES))
async def test_every_cell_of_the_matrix(world: Harness, command: str) -> None:
    cells, failures = await run_matrix(world, command)

    assert cells == len(RULES[command].lines) * len(PEOPLE) * len(PLACES)
    assert failures == []


@pytest.mark.parametrize("place", PLACES)
async def test_help_lists_what_each_person_may_run_there(world: Harness, place: str) -> None:
    for who in PEOPLE:
        here, _ = who.roles(place)
        granted = Role.FACILITATOR if who.chat_admin else Role.MEMBER
        [reply] = await world.say("/help", as_=who.actor, role=granted, place=who.place(place))
        listed = set(re.findall(r"^/([a-z0-9_]+)", reply.text, re.MULTILINE))
        may = {name for name, rule in RULES.items() if rule.listed and rule.min_role <= here}
        assert listed == may, f"{who.label} in {place}"


# -- the matrix can fail: defects planted in a copy of the registry --------------------------


def _planted(world: Harness, planted: CommandSpec) -> None:
    """``planted`` in place of the registered command of its name."""
    commands = world.app.dispatcher.commands
    specs = [planted if spec.name == planted.name else spec for spec in commands]
    world.app.dispatcher.commands = CommandRegistry(specs)


def _registered(world: Harness, name: str) -> CommandSpec:
    spec = world.app.dispatcher.commands.get(name)
    assert spec is not None
    return spec


async def test_a_facilitator_command_opened_to_members_fails_the_matrix(world: Harness) -> None:
    _planted(world, replace(_registered(world, "roster"), min_role=Role.MEMBER))

    _, failures = await run_matrix(world, "roster")

    assert "'/roster circle' by member in group chat: expected refused: needs a role, " in (
        "\n".join(failures)
    )


async def test_a_roster_shown_to_everyone_fails_the_matrix(world: Harness) -> None:
    spec = _registered(world, "roster")
    original = spec.handler

    async def for_everyone(ctx: Context, args: Args) -> HandlerResult:
        result = await original(ctx, args)
        replies = [result] if isinstance(result, Reply) else list(result)
        return [replace(reply, audience=Audience.HERE) for reply in replies]

    _planted(world, replace(spec, handler=for_everyone))

    _, failures = await run_matrix(world, "roster")

    shown = [f for f in failures if "a reply for everyone shows" in f]
    assert any("Bartholomew" in f and "by facilitator in group chat" in f for f in shown)


async def test_a_handler_that_forgets_the_group_check_fails_the_matrix(world: Harness) -> None:
    async def anyone(ctx: Context, args: Args) -> HandlerResult:
        return ctx.reply("groups.roster.nobody", audience=Audience.ONLY_YOU)

    _planted(world, replace(_registered(world, "checkins"), handler=anyone))

    _, failures = await run_matrix(world, "checkins")

    assert any("by other facilitator" in f and "not your group" in f for f in failures)


def test_a_command_without_a_rule_fails_the_coverage(world: Harness) -> None:
    async def new(ctx: Context, args: Args) -> HandlerResult:
        return ctx.reply("groups.roster.nobody", audience=Audience.ONLY_YOU)

    commands = [*world.app.dispatcher.commands, CommandSpec("brandnew", "commands.help", new)]
    world.app.dispatcher.commands = CommandRegistry(commands)

    with pytest.raises(AssertionError, match="declare the new command's rule"):
        test_every_registered_command_has_a_declared_rule(world)
