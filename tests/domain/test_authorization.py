"""Who may see and change which roster: decided per group, never by a global rank.

Organizers come from the config file only. A facilitator of a group is named in its
config, or holds a platform grant (chat admin, server role) *in a place where that group
lives*. Everything else is refused, and nothing about the group is shown.
"""

from __future__ import annotations

import pytest

from bot.config import GroupConfig
from bot.events import Actor, Place
from bot.roles import Role
from groups.access import GroupAccess
from groups.directory import GroupDirectory, group_from_config
from tests.harness import Harness, person

CIRCLE_CHAT = Place("telegram", chat_id="-100123", private=False)  # "circle" lives here
OTHER_CHAT = Place("telegram", chat_id="-100999", private=False)  # no group lives here
CARERS_CHANNEL = Place(
    "discord", chat_id="222222222222222222", guild_id="111111111111111111", private=False
)
CARERS_OTHER_CHANNEL = Place(
    "discord", chat_id="333333333333333333", guild_id="111111111111111111", private=False
)
OTHER_GUILD = Place(
    "discord", chat_id="222222222222222222", guild_id="999999999999999999", private=False
)

alice, bob = person("alice"), person("bob")
fran, gus, olive = person("fran"), person("gus"), person("olive")
tg_admin = person("mallory", platform="telegram", user_id="666")
dc_mod = person("dee", platform="discord", user_id="555555555555555555")


async def _members(harness: Harness) -> None:
    for member in (alice, bob):
        await harness.say("/join circle", as_=member)
        await harness.say("/join carers", as_=member)


async def _seated(harness: Harness, slug: str) -> set[str]:
    roster = await harness.app.membership.roster(harness.app.directory.resolve(slug))
    return {m.member.key for m in roster}


@pytest.mark.parametrize("granted", [Role.FACILITATOR, Role.ORGANIZER])
async def test_a_chat_admin_elsewhere_sees_and_changes_nothing(
    harness: Harness, granted: Role
) -> None:
    await _members(harness)

    for text in ("/roster circle", "/roster carers", "/remove circle Alice", "/remove carers Bob"):
        [reply] = await harness.say(text, as_=tg_admin, role=granted, place=OTHER_CHAT)
        assert "is for group facilitators" in reply.text
        assert "Alice" not in reply.text
        assert "Bob" not in reply.text
    assert await _seated(harness, "circle") == {alice.key, bob.key}
    assert await _seated(harness, "carers") == {alice.key, bob.key}


async def test_a_platform_organizer_grant_is_never_more_than_facilitator(
    harness: Harness,
) -> None:
    await _members(harness)

    at_home = await harness.text("/roster circle", as_=tg_admin, role=Role.ORGANIZER)
    in_circle = await harness.say(
        "/roster carers", as_=tg_admin, role=Role.ORGANIZER, place=CIRCLE_CHAT
    )

    assert "is for group facilitators" in at_home  # a private chat is no group's home
    assert "isn't one of them" in in_circle[0].text  # facilitator of circle, not carers


async def test_a_chat_admin_where_a_group_lives_runs_only_that_group(harness: Harness) -> None:
    await _members(harness)

    [roster] = await harness.say(
        "/roster circle", as_=tg_admin, role=Role.FACILITATOR, place=CIRCLE_CHAT
    )
    [other] = await harness.say(
        "/remove carers Bob", as_=tg_admin, role=Role.FACILITATOR, place=CIRCLE_CHAT
    )

    assert "Seats taken: 2 of 2" in roster.text
    assert "isn't one of them" in other.text
    assert await _seated(harness, "carers") == {alice.key, bob.key}


@pytest.mark.parametrize(
    ("place", "allowed"),
    [(CARERS_CHANNEL, True), (CARERS_OTHER_CHANNEL, False), (OTHER_GUILD, False)],
    ids=["the group's channel", "another channel", "another server"],
)
async def test_a_discord_role_counts_in_the_groups_channel_only(
    harness: Harness, place: Place, allowed: bool
) -> None:
    await _members(harness)

    [reply] = await harness.say("/roster carers", as_=dc_mod, role=Role.FACILITATOR, place=place)

    assert ("Seats taken" in reply.text) is allowed


async def test_a_facilitator_of_one_group_cannot_act_on_another(harness: Harness) -> None:
    await _members(harness)

    for text in ("/roster carers", "/remove carers Alice"):
        reply = await harness.text(text, as_=fran)
        assert "isn't one of them" in reply
        assert "Alice" not in reply
    assert await _seated(harness, "carers") == {alice.key, bob.key}
    assert "Seats taken" in await harness.text("/roster circle", as_=fran)


async def test_a_configured_organizer_acts_on_every_group(harness: Harness) -> None:
    await _members(harness)

    for slug in ("circle", "carers"):
        assert "Seats taken: 2" in await harness.text(f"/roster {slug}", as_=olive)
        assert "no longer in" in await harness.text(f"/remove {slug} Alice", as_=olive)
        assert await _seated(harness, slug) == {bob.key}


def _access(harness: Harness) -> GroupAccess:
    return GroupAccess(["console:olive"], harness.app.directory)


@pytest.mark.parametrize(
    ("actor", "place", "granted", "circle", "carers", "here"),
    [
        (olive, Place("console", "olive", private=True), Role.MEMBER, 3, 3, 3),
        (fran, Place("console", "fran", private=True), Role.MEMBER, 2, 1, 2),
        (gus, Place("console", "gus", private=True), Role.MEMBER, 1, 2, 2),
        (alice, Place("console", "alice", private=True), Role.MEMBER, 1, 1, 1),
        (tg_admin, CIRCLE_CHAT, Role.FACILITATOR, 2, 1, 2),
        (tg_admin, OTHER_CHAT, Role.FACILITATOR, 1, 1, 1),
        (tg_admin, Place("telegram", "666", private=True), Role.FACILITATOR, 1, 1, 1),
        (dc_mod, CARERS_CHANNEL, Role.FACILITATOR, 1, 2, 2),
        (dc_mod, OTHER_GUILD, Role.FACILITATOR, 1, 1, 1),
        (person("kim"), Place("console", "kim", private=True), Role.FACILITATOR, 2, 2, 2),
    ],
)
def test_the_role_matrix(
    harness: Harness,
    actor: Actor,
    place: Place,
    granted: Role,
    circle: int,
    carers: int,
    here: int,
) -> None:
    access = _access(harness)
    assert access.role_in(actor, place, granted, "circle") == Role(circle)
    assert access.role_in(actor, place, granted, "carers") == Role(carers)
    assert access.role_here(actor, place, granted) == Role(here)
    assert access.role_in(actor, place, granted, "no-such-group") <= Role.MEMBER or (
        actor.key == olive.key
    )


def test_a_group_that_lives_in_a_whole_discord_server_counts_in_every_channel() -> None:
    config = GroupConfig.model_validate(
        {
            "slug": "server-wide",
            "name": "Server-wide",
            "capacity": 5,
            "timezone": "UTC",
            "discord_guild_id": 111111111111111111,
            "schedule": {"weekday": "monday", "time": "10:00"},
        }
    )
    group = group_from_config(config)
    access = GroupAccess([], GroupDirectory([group]))

    for place in (CARERS_CHANNEL, CARERS_OTHER_CHANNEL):
        assert access.role_in(dc_mod, place, Role.FACILITATOR, "server-wide") is Role.FACILITATOR
    assert access.role_in(dc_mod, OTHER_GUILD, Role.FACILITATOR, "server-wide") is Role.MEMBER
    assert access.role_in(tg_admin, CIRCLE_CHAT, Role.FACILITATOR, "server-wide") is Role.MEMBER
    dm = Place("discord", "555555555555555555", private=True)
    assert access.role_in(dc_mod, dm, Role.FACILITATOR, "server-wide") is Role.MEMBER
