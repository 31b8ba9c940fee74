"""Facilitator commands: who may see a roster, and removing someone kindly."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from bot.catalog import Catalog
from bot.commands import CommandRegistry
from bot.context import Context
from bot.events import Actor, Place
from bot.replies import Audience
from bot.roles import Role
from groups.models import Membership, SeatStatus
from groups.removal import match_member
from tests.fakes.authority import EveryoneIsAMember
from tests.fakes.clock import FakeClock
from tests.harness import Harness, person

pytestmark = pytest.mark.both_engines

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

    assert reply.audience is Audience.ONLY_YOU
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
    assert "is for group facilitators" in away[0].text
    assert "Seats taken" not in away[0].text


async def test_removing_a_member_tells_them_kindly_and_promotes_the_next(
    harness: Harness,
) -> None:
    for member in (alice, bob, cara):
        await harness.say("/join circle", as_=member)

    reply = await harness.text("/remove circle Bob", as_=fran)

    assert "Bob is no longer in Tuesday Circle" in reply
    [told] = harness.inbox(bob)
    assert told.audience is Audience.PRIVATE_MESSAGE
    assert "This isn't a judgement of you" in told.text
    assert "/crisis" in told.text
    [promoted] = harness.inbox(cara)
    assert "a seat has opened up" in promoted.text
    assert "You haven't joined" in await harness.text("/mygroups", as_=bob)


async def _seated(harness: Harness) -> list[str]:
    roster = await harness.app.membership.roster(harness.app.directory.resolve("circle"))
    return sorted(m.member.key for m in roster)


async def test_remove_acts_on_an_exact_name_or_id_only(harness: Harness) -> None:
    ann, anna = person("ann"), person("anna")
    for member in (ann, anna):
        await harness.say("/join circle", as_=member)

    by_name = await harness.text("/remove circle ANN", as_=fran)
    assert "Ann is no longer in Tuesday Circle" in by_name
    assert await _seated(harness) == ["console:anna"]
    assert "no longer in" in await harness.text("/remove circle console:anna", as_=fran)
    assert await _seated(harness) == []


async def test_a_partial_name_asks_first_with_a_button_naming_each_person(
    harness: Harness,
) -> None:
    ann, anna = person("ann"), person("anna")
    for member in (ann, anna):
        await harness.say("/join circle", as_=member)

    [ask] = await harness.say("/remove circle an", as_=fran)

    assert "nobody was removed yet" in ask.text
    assert "Ann (console:ann)" in ask.text
    assert "Anna (console:anna)" in ask.text
    assert ask.audience is Audience.ONLY_YOU
    assert [(b.label, b.action) for b in ask.buttons] == [
        ("Remove Ann", "remove:circle console:ann"),
        ("Remove Anna", "remove:circle console:anna"),
    ]
    assert await _seated(harness) == ["console:ann", "console:anna"]

    [done] = await harness.press(ask.buttons[1].action, as_=fran)
    assert "Anna is no longer in Tuesday Circle" in done.text
    assert await _seated(harness) == ["console:ann"]


async def test_two_people_with_one_name_are_told_apart_by_id(harness: Harness) -> None:
    sam_tg = person("sam", platform="telegram", user_id="501")
    sam_dc = person("sam", platform="discord", user_id="123456789012345678")
    for member in (sam_tg, sam_dc):
        await harness.say("/join circle", as_=member)

    [ask] = await harness.say("/remove circle sam", as_=fran)

    assert [b.action for b in ask.buttons] == [
        "remove:circle telegram:501",
        "remove:circle discord:123456789012345678",
    ]
    assert len(await _seated(harness)) == 2


@pytest.mark.parametrize("query", ["@", "a", " @ ", "@a", "*"])
async def test_an_empty_or_one_letter_query_never_removes_anyone(
    harness: Harness, query: str
) -> None:
    await harness.say("/join circle", as_=alice)

    reply = await harness.text(f"/remove circle {query}", as_=fran)

    assert "Nobody was removed" in reply or "nobody was removed" in reply
    assert await _seated(harness) == ["console:alice"]
    assert harness.inbox(alice) == []


async def test_unknown_and_missing_members(harness: Harness) -> None:
    await harness.say("/join circle", as_=alice)

    assert "couldn't find “zed”" in await harness.text("/remove circle zed", as_=fran)
    assert "the member is missing" in await harness.text("/remove circle", as_=fran)
    assert await _seated(harness) == ["console:alice"]


async def test_an_at_sign_before_a_whole_name_is_fine_and_two_letters_ask(
    harness: Harness,
) -> None:
    ann = person("ann")
    await harness.say("/join circle", as_=ann)

    [ask] = await harness.say("/remove circle an", as_=fran)  # two letters: asks, no removal
    assert [b.action for b in ask.buttons] == ["remove:circle console:ann"]
    assert await _seated(harness) == ["console:ann"]

    assert "Ann is no longer in" in await harness.text("/remove circle @Ann", as_=fran)
    assert await _seated(harness) == []


def test_a_person_whose_button_would_not_fit_is_listed_but_gets_no_button() -> None:
    people = [Actor("telegram", "1234567890123", "Sam A"), Actor("console", "sam", "Sam B")]
    rows = [Membership("g", p, SeatStatus.SEATED, datetime(2026, 1, 1, tzinfo=UTC)) for p in people]
    found = match_member(rows, "sam")
    ctx = Context(
        people[1],
        Place("console", "sam", private=True),
        Role.FACILITATOR,
        Role.FACILITATOR,
        FakeClock(),
        Catalog.load(),
        CommandRegistry(),
        EveryoneIsAMember(),
    )
    long_slug = "a-very-long-group-slug-of-forty-chars-xx"

    buttons = found.buttons(ctx, long_slug)

    assert [p.key for p in found.candidates] == ["telegram:1234567890123", "console:sam"]
    assert [b.label for b in buttons] == ["Remove Sam B"]  # the other action is over 64 bytes
    assert all(len(b.action.encode()) <= 64 for b in buttons)


async def test_the_roster_counts_the_waiting_list_and_says_nobody(harness: Harness) -> None:
    empty = await harness.text("/roster carers", as_=person("gus"))
    assert "Seats taken: 0 of 5" in empty
    assert "Waiting list: 0" in empty
    assert empty.count("(nobody yet)") == 2
    assert "(carers)" in empty

    for member in (alice, bob, cara, person("dan")):
        await harness.say("/join circle", as_=member)
    full = await harness.text("/roster circle", as_=fran)
    assert "Waiting list: 2" in full
    assert "2. Dan (console:dan)" in full


async def test_removal_reports_how_many_seats_passed_on(harness: Harness) -> None:
    for member in (alice, bob, cara):
        await harness.say("/join circle", as_=member)

    first = await harness.text("/remove circle Alice", as_=fran)
    second = await harness.text("/remove circle Cara", as_=fran)

    assert "Seats passed on to the waiting list: 1." in first
    assert "Seats passed on to the waiting list: 0." in second
