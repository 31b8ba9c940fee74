"""Facilitator commands: who may see a roster, and removing someone kindly."""

from __future__ import annotations

from bot.events import Place
from bot.permissions import Role
from tests.harness import Harness, person

alice, bob, cara = (person(n) for n in ("alice", "bob", "cara"))
fran, gus, olive = person("fran"), person("gus"), person("olive")


async def test_a_member_cannot_see_a_roster_or_remove_anyone(harness: Harness) -> None:
    await harness.say("/join circle", as_=bob)

    roster = await harness.text("/roster circle", as_=alice)
    remove = await harness.text("/remove circle bob", as_=alice)

    assert "/roster is for group facilitators" in roster
    assert "Bob" not in roster
    assert "/remove is for group facilitators" in remove
    assert "you have a seat" in await harness.text("/mygroups", as_=bob)


async def test_a_facilitator_sees_their_own_roster_privately(harness: Harness) -> None:
    for member in (alice, bob, cara):
        await harness.say("/join circle", as_=member)

    [reply] = await harness.say("/roster circle", as_=fran)

    assert reply.private
    assert "Seats taken: 2 of 2" in reply.text
    assert "• Alice (console:alice)" in reply.text
    assert "• Bob (console:bob)" in reply.text
    assert "1. Cara (console:cara)" in reply.text


async def test_a_facilitator_of_one_group_cannot_see_another(harness: Harness) -> None:
    await harness.say("/join carers", as_=alice)

    reply = await harness.text("/roster carers", as_=fran)

    assert "isn't one of them" in reply
    assert "Alice" not in reply
    assert "Alice" in await harness.text("/roster carers", as_=gus)
    assert "isn't one of them" in await harness.text("/remove carers alice", as_=fran)


async def test_organizers_see_every_roster(harness: Harness) -> None:
    await harness.say("/join carers", as_=alice)
    assert "Alice" in await harness.text("/roster carers", as_=olive)


async def test_a_platform_facilitator_role_counts_only_where_the_group_lives(
    harness: Harness,
) -> None:
    mod = person("mod", platform="telegram", user_id="999")
    home = Place("telegram", chat_id="-100123", private=False)
    elsewhere = Place("telegram", chat_id="-100999", private=False)

    at_home = await harness.say("/roster circle", as_=mod, role=Role.FACILITATOR, place=home)
    away = await harness.say("/roster circle", as_=mod, role=Role.FACILITATOR, place=elsewhere)

    assert "Seats taken" in at_home[0].text
    assert "isn't one of them" in away[0].text


async def test_removing_a_member_tells_them_kindly_and_promotes_the_next(
    harness: Harness,
) -> None:
    for member in (alice, bob, cara):
        await harness.say("/join circle", as_=member)

    reply = await harness.text("/remove circle Bob", as_=fran)

    assert "Bob is no longer in Tuesday Circle" in reply
    [told] = harness.inbox(bob)
    assert told.private
    assert "This isn't a judgement of you" in told.text
    assert "/crisis" in told.text
    [promoted] = harness.inbox(cara)
    assert "a seat has opened up" in promoted.text
    assert "You haven't joined" in await harness.text("/mygroups", as_=bob)


async def test_remove_by_id_and_unknown_or_ambiguous_names(harness: Harness) -> None:
    ann = person("ann")
    for member in (alice, ann):
        await harness.say("/join circle", as_=member)

    assert "More than one person" in await harness.text("/remove circle a", as_=fran)
    assert "couldn't find “zed”" in await harness.text("/remove circle zed", as_=fran)
    assert "no longer in" in await harness.text("/remove circle console:ann", as_=fran)
    assert "the member is missing" in await harness.text("/remove circle", as_=fran)
