"""/announce: once into each chat where the group meets, as the facilitator wrote it."""

from __future__ import annotations

import pytest

from bot.events import Place
from bot.replies import Audience
from tests.harness import Harness, person

pytestmark = pytest.mark.both_engines

fran, gus, alice = person("fran"), person("gus"), person("alice")
CIRCLE_CHAT = Place("telegram", "-100123", private=False)


async def test_an_announcement_goes_once_to_the_groups_chat(harness: Harness) -> None:
    [done] = await harness.say("/announce circle Bring a mug <b>@everyone</b>", as_=fran)
    await harness.app.delivery.deliver_due()

    assert done.audience is Audience.ONLY_YOU
    assert "on its way to 1 chat(s)" in done.text
    [(place, post)] = harness.outbound["telegram"].posted
    assert place == CIRCLE_CHAT
    assert post.audience is Audience.HERE
    assert post.text == "📣 Tuesday Circle: Bring a mug <b>@everyone</b>"  # escaped by adapters


async def test_a_group_in_a_discord_channel_is_announced_there(harness: Harness) -> None:
    await harness.say("/announce carers The library is closed, we meet upstairs", as_=gus)

    [(place, _)] = harness.outbound["discord"].posted
    assert (place.chat_id, place.guild_id) == ("222222222222222222", "111111111111111111")


async def test_only_the_groups_facilitators_announce(harness: Harness) -> None:
    member = await harness.text("/announce circle hello", as_=alice)
    other = await harness.text("/announce carers hello", as_=fran)

    assert "for group facilitators" in member
    assert "Carers' Circle" in other
    assert harness.outbound["telegram"].posted == []
    assert harness.outbound["discord"].posted == []


async def test_members_who_asked_get_a_private_copy(harness: Harness) -> None:
    bob = person("bob")
    for member in (alice, bob):
        await harness.say("/join circle", as_=member)
    await harness.say("/settings announcements on", as_=alice)

    [done] = await harness.say("/announce circle See you at the new room", as_=fran)

    assert "privately to 1 member(s)" in done.text
    [copy] = [r for r in harness.inbox(alice) if r.text.startswith("📣")]
    assert copy.text == "📣 Tuesday Circle: See you at the new room"
    assert copy.audience is Audience.PRIVATE_MESSAGE
    assert not [r for r in harness.inbox(bob) if r.text.startswith("📣")]
