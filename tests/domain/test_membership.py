"""Group sign-ups through the whole core: seats, the waiting list, promotion, leaving."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest

from bot.replies import Audience
from tests.harness import Harness, person, write_config

pytestmark = pytest.mark.both_engines

alice, bob, cara, dan = (person(n) for n in ("alice", "bob", "cara", "dan"))


async def test_join_gives_a_seat_and_joining_twice_changes_nothing(harness: Harness) -> None:
    first = await harness.text("/join circle", as_=alice)
    again = await harness.text("/join circle", as_=alice)

    assert "You're in" in first
    assert "Tuesday Circle" in first
    assert "already have a seat" in again
    assert "Tuesday Circle — you have a seat" in await harness.text("/mygroups", as_=alice)
    occupancy = await harness.app.membership.occupancy()
    assert (occupancy["circle"].seated, occupancy["circle"].waiting) == (1, 0)


async def test_a_full_group_waitlists_the_next_joiner_at_position_one(harness: Harness) -> None:
    await harness.say("/join circle", as_=alice)
    await harness.say("/join circle", as_=bob)

    reply = await harness.text("/join circle", as_=cara)
    later = await harness.text("/join circle", as_=dan)

    assert "waiting list" in reply
    assert "number 1" in reply
    assert "number 2" in later
    assert "waiting list, number 1" in await harness.text("/mygroups", as_=cara)
    assert "already on the waiting list" in await harness.text("/join circle", as_=cara)


async def test_leaving_promotes_the_first_waiting_and_tells_them_privately(
    harness: Harness,
) -> None:
    for member in (alice, bob, cara, dan):
        await harness.say("/join circle", as_=member)

    reply = await harness.text("/leave circle", as_=alice)

    assert "you've left Tuesday Circle" in reply
    [notice] = harness.inbox(cara)
    assert notice.audience is Audience.PRIVATE_MESSAGE
    assert "a seat has opened up in Tuesday Circle" in notice.text
    assert harness.inbox(dan) == []
    assert "you have a seat" in await harness.text("/mygroups", as_=cara)
    assert "waiting list, number 1" in await harness.text("/mygroups", as_=dan)
    assert "You haven't joined" in await harness.text("/mygroups", as_=alice)


async def test_leaving_the_waiting_list_moves_others_up(harness: Harness) -> None:
    for member in (alice, bob, cara, dan):
        await harness.say("/join circle", as_=member)

    reply = await harness.text("/leave circle", as_=cara)

    assert "off the waiting list" in reply
    assert "number 1" in await harness.text("/mygroups", as_=dan)
    assert harness.inbox(dan) == []
    eve = person("eve")
    assert "you're number 2" in await harness.text("/join circle", as_=eve)
    assert "waiting list, number 2" in await harness.text("/mygroups", as_=eve)


async def test_leaving_a_group_you_are_not_in_is_a_kind_no_op(harness: Harness) -> None:
    assert "nothing to leave" in await harness.text("/leave circle", as_=alice)


async def test_one_group_holds_members_from_every_platform(harness: Harness) -> None:
    tg = person("tina", platform="telegram", user_id="777")
    dc = person("dev", platform="discord", user_id="123456789012345678")
    await harness.say("/join circle", as_=tg)
    await harness.say("/join circle", as_=dc)
    await harness.say("/join circle", as_=alice)  # third: waitlisted

    await harness.say("/leave circle", as_=tg)

    [notice] = harness.inbox(alice)
    assert "Tuesday Circle" in notice.text
    roster = await harness.text("/roster circle", as_=person("fran"))
    assert "discord:123456789012345678" in roster
    assert "console:alice" in roster
    assert "telegram:777" not in roster


async def test_racing_for_the_last_seats_never_overfills(harness: Harness) -> None:
    people = [person(f"p{i}") for i in range(6)]
    await asyncio.gather(*(harness.say("/join circle", as_=p) for p in people))

    occupancy = (await harness.app.membership.occupancy())["circle"]
    assert (occupancy.seated, occupancy.waiting) == (2, 4)
    memberships = [m for p in people for m in await harness.app.membership.memberships_of(p)]
    positions = sorted(m.waitlist_position for m in memberships if m.waitlist_position)
    assert positions == [1, 2, 3, 4]


async def test_groups_list_shows_seats_but_never_who_is_in_them(harness: Harness) -> None:
    await harness.say("/join circle", as_=alice)
    await harness.say("/join circle", as_=bob)
    await harness.say("/join circle", as_=cara)

    [reply] = await harness.say("/groups", as_=dan)

    assert "Full at the moment" in reply.text
    assert "(1 waiting)" in reply.text
    assert "5 of 5 seats free" in reply.text
    assert "Riverside Library" in reply.text
    assert "every other Thursday" in reply.text
    for name in ("Alice", "Bob", "Cara", "alice", "console:"):
        assert name not in reply.text
    assert [b.action for b in reply.buttons] == ["join:circle", "join:carers"]


async def test_the_join_button_joins(harness: Harness) -> None:
    [reply] = await harness.press("join:carers", as_=alice)
    assert "you have a seat in Carers' Circle" in reply.text


async def test_group_names_are_matched_forgivingly(harness: Harness) -> None:
    assert "Carers' Circle" in await harness.text("/join CARERS", as_=alice)
    assert "Tuesday Circle" in await harness.text("/join tuesday circle", as_=bob)
    assert "Tuesday Circle" in await harness.text("/join Tues", as_=cara)
    assert "Did you mean circle" in await harness.text("/leave cirle", as_=dan)
    assert "More than one group" not in await harness.text("/join car", as_=dan)


async def test_an_unknown_group_gets_help_not_an_error(harness: Harness) -> None:
    reply = await harness.text("/join 🌈 مرحبا", as_=alice)
    assert "couldn't find a group called “🌈 مرحبا”" in reply
    assert "/groups" in reply


async def test_a_blocked_member_does_not_stop_the_seat_moving_on(harness: Harness) -> None:
    for member in (alice, bob, cara):
        await harness.say("/join circle", as_=member)
    harness.outbound["console"].unreachable.add(cara.key)

    reply = await harness.text("/leave circle", as_=alice)

    assert "you've left" in reply
    assert "you have a seat" in await harness.text("/mygroups", as_=cara)


async def test_seats_added_while_the_bot_was_down_go_to_those_waiting(tmp_path: Path) -> None:
    storage = "sqlite:///members.sqlite3"
    small = write_config(tmp_path, capacity=1, carers_capacity=1, storage_url=storage)
    first = await Harness.open(small)
    for member in (alice, bob, cara):
        await first.say("/join circle", as_=member)
    for member in (dan, cara):
        await first.say("/join carers", as_=member)
    await first.close()

    larger = write_config(tmp_path, capacity=2, carers_capacity=2, storage_url=storage)
    second = await Harness.open(larger)
    await second.app.start()
    await second.app.delivery.deliver_due()

    [notice] = second.inbox(bob)
    assert "a seat has opened up in Tuesday Circle" in notice.text
    [carers_notice] = second.inbox(cara)  # every group is filled, not only the first
    assert "a seat has opened up in Carers' Circle" in carers_notice.text
    assert "waiting list, number 1" in await second.text("/mygroups", as_=cara)
    await second.close()


async def test_join_and_leave_without_a_group_offer_choices(harness: Harness) -> None:
    [join] = await harness.say("/join", as_=alice)
    assert "Which group would you like to join?" in join.text
    assert [b.action for b in join.buttons] == ["join:circle", "join:carers"]

    assert "You haven't joined" in await harness.text("/leave", as_=alice)

    await harness.press(join.buttons[1].action, as_=alice)
    [leave] = await harness.say("/leave", as_=alice)
    assert [(b.label, b.action) for b in leave.buttons] == [
        ("Leave Carers' Circle", "leave:carers")
    ]
    [done] = await harness.press("leave:carers", as_=alice)
    assert "you've left Carers' Circle" in done.text


async def test_an_empty_or_ambiguous_group_name_asks_which(harness: Harness) -> None:
    assert "Which group?" in await harness.text("/join #", as_=alice)
    assert "Which group?" in await harness.text("/join _-_", as_=alice)
    both = await harness.text("/join c", as_=alice)  # "circle" and "carers" both start so
    assert "More than one group starts with “c”: circle, carers" in both
    assert "You haven't joined" in await harness.text("/mygroups", as_=alice)


async def test_a_group_taken_out_of_the_config_is_shown_as_no_longer_running(
    tmp_path: Path,
) -> None:
    storage = "sqlite:///members.sqlite3"
    first = await Harness.open(write_config(tmp_path, storage_url=storage))
    await first.say("/join carers", as_=alice)
    await first.close()
    config = write_config(tmp_path, storage_url=storage)
    text = config.read_text(encoding="utf-8")
    config.write_text(text[: text.index('[[groups]]\nslug = "carers"')], encoding="utf-8")

    second = await Harness.open(config)
    mine = await second.text("/mygroups", as_=alice)
    await second.close()

    assert "• carers — this group isn't running any more" in mine


async def test_with_no_groups_configured_the_list_says_so(tmp_path: Path) -> None:
    config = write_config(tmp_path)
    text = config.read_text(encoding="utf-8")
    config.write_text(text[: text.index("[[groups]]")], encoding="utf-8")

    empty = await Harness.open(config)
    [reply] = await empty.say("/groups", as_=alice)
    await empty.close()

    assert reply.text == "There are no groups open yet. Please check back soon."
    assert reply.buttons == ()


async def test_the_group_list_shows_each_groups_name_slug_and_description(
    harness: Harness,
) -> None:
    [reply] = await harness.say("/groups", as_=alice)

    assert "Tuesday Circle — /join circle\nA weekly circle.\nMeets every Tuesday" in reply.text
    assert "2 of 2 seats free" in reply.text
    await harness.say("/join circle", as_=bob)
    await harness.say("/join circle", as_=cara)
    [full] = await harness.say("/groups", as_=alice)
    assert "Full at the moment: you can join the waiting list (0 waiting)" in full.text


async def test_joining_tells_you_when_the_group_meets(harness: Harness) -> None:
    seated = await harness.text("/join carers", as_=alice)
    assert "We meet: every other Thursday, 18:30–20:00 (Europe/London)" in seated


async def test_a_promotion_notice_names_the_group_its_schedule_and_how_to_leave(
    harness: Harness,
) -> None:
    for member in (alice, bob, cara):
        await harness.say("/join circle", as_=member)

    await harness.say("/leave circle", as_=alice)

    [notice] = harness.inbox(cara)
    assert "a seat has opened up in Tuesday Circle" in notice.text
    assert "We meet: every Tuesday, 19:00–20:30 (Europe/London)." in notice.text
    assert "/leave circle passes it on" in notice.text
