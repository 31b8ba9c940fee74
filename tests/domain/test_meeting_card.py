"""The meeting card (/next <group> in a shared chat): the next meeting, RSVP buttons and
counts for everyone, never a name; a press answers the presser alone and refreshes the
card; a cancel refreshes the cards pressed before."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest

from bot.catalog import Catalog
from bot.events import ActionPressed, Actor, MessageRef, Place
from bot.replies import Audience, Reply
from bot.roles import Role
from tests.harness import Harness, person, write_config

pytestmark = pytest.mark.both_engines

CATALOG = Catalog.load()
CHAT = Place("telegram", "-100123", private=False)
CARD = MessageRef("telegram", "-100123", ("77",))
LABELS = tuple(CATALOG.text(f"buttons.rsvp_{a}") for a in ("yes", "no", "maybe"))
members = [person(name, "telegram", str(1000 + n)) for n, name in enumerate(
    ("alice", "bob", "cara", "dev", "eli")
)]  # fmt: skip
fran = person("fran", "telegram", "4242")  # facilitates "circle"


async def _open(tmp_path: Path) -> Harness:
    harness = await Harness.open(write_config(tmp_path, capacity=10))
    for member in members:
        await harness.say("/join circle", as_=member)
    return harness


async def _press(harness: Harness, who: Actor, answer: str) -> list[Reply]:
    pressed = ActionPressed(who, CHAT, f"rsvp:circle {answer}", origin=CARD)
    harness.outbound["telegram"].grant(who, CHAT, Role.MEMBER)
    return await harness.handle(pressed)


async def _settled(harness: Harness) -> list[tuple[MessageRef, Reply]]:
    """The card edits once every refresh has gone out."""
    for _ in range(200):
        if harness.app.live.pending == 0:
            break
        await asyncio.sleep(0.02)
    assert harness.app.live.pending == 0
    return harness.outbound["telegram"].edited


async def test_next_in_a_shared_chat_is_a_card_with_the_reminder_buttons(tmp_path: Path) -> None:
    harness = await _open(tmp_path)
    try:
        [card] = await harness.say("/next circle", as_=members[0], place=CHAT)
        [private] = await harness.say("/next circle", as_=members[0])
    finally:
        await harness.close()
    assert card.audience is Audience.HERE
    assert "Tuesday Circle: Tuesday 1 December, 19:00" in card.text
    assert CATALOG.text("meetings.card.no_answers") in card.text
    assert tuple(b.label for b in card.buttons) == LABELS
    assert [b.action for b in card.buttons] == [
        "rsvp:circle yes",
        "rsvp:circle no",
        "rsvp:circle maybe",
    ]
    assert private.buttons == ()  # a private chat's /next stays a line


async def test_presses_answer_only_the_presser_and_the_card_shows_counts_not_names(
    tmp_path: Path,
) -> None:
    harness = await _open(tmp_path)
    try:
        answers = ["yes", "yes", "maybe", "no", "yes"]
        replies = [await _press(harness, m, a) for m, a in zip(members, answers, strict=True)]
        edits = await _settled(harness)
        stranger = person("zed", "telegram", "9999")  # no seat: refused, counts unchanged
        [refused] = await _press(harness, stranger, "yes")
        await _settled(harness)
        [again] = await harness.say("/next circle", as_=stranger, place=CHAT)
    finally:
        await harness.close()
    for reply in replies:
        [confirmation] = reply
        assert confirmation.audience is Audience.ONLY_YOU  # pins the audience: never HERE
    assert refused.audience is Audience.ONLY_YOU
    assert {ref for ref, _ in edits} == {CARD}
    assert 1 <= len(edits) <= 3  # five presses in a few milliseconds: coalesced
    final = edits[-1][1]
    assert CATALOG.text("meetings.card.counts", yes=3, maybe=1) in final.text
    assert final == again  # the card after the last press reads like a fresh /next
    for card in [reply for _, reply in edits] + [again]:
        assert card.audience is Audience.HERE
        for member in [*members, stranger]:
            assert member.display_name not in card.text


async def test_a_cancel_refreshes_the_cards_pressed_before(tmp_path: Path) -> None:
    harness = await _open(tmp_path)
    try:
        await _press(harness, members[0], "yes")
        before = len(await _settled(harness))
        await harness.say("/cancel circle snow", as_=fran, role=Role.MEMBER)
        edits = await _settled(harness)
    finally:
        await harness.close()
    assert len(edits) == before + 1
    refreshed = edits[-1][1].text
    assert "cancelled (snow)" in refreshed
    assert "Tuesday 8 December, 19:00" in refreshed  # the next one, to answer for
    assert CATALOG.text("meetings.card.no_answers") in refreshed


async def test_a_typed_rsvp_in_a_private_chat_refreshes_known_cards_not_the_chat(
    tmp_path: Path,
) -> None:
    harness = await _open(tmp_path)
    try:
        await _press(harness, members[0], "yes")
        await _settled(harness)
        await harness.say("/rsvp circle maybe", as_=members[1])
        edits = await _settled(harness)
    finally:
        await harness.close()
    assert {ref for ref, _ in edits} == {CARD}
    assert CATALOG.text("meetings.card.counts", yes=1, maybe=1) in edits[-1][1].text


async def test_closing_the_app_flushes_a_waiting_refresh_without_waiting_its_turn(
    tmp_path: Path,
) -> None:
    harness = await _open(tmp_path)
    try:
        await _press(harness, members[0], "yes")  # edited at once
        await _press(harness, members[1], "maybe")  # waits 0.5 s for its turn...
    finally:
        loop = asyncio.get_running_loop()
        started = loop.time()
        await harness.close()  # ...but a stop does not wait for it
        took = loop.time() - started
    assert took < 0.45
    edits = harness.outbound["telegram"].edited
    assert CATALOG.text("meetings.card.counts", yes=1, maybe=1) in edits[-1][1].text
