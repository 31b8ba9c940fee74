"""The outbox rows about one person (/mydata, /forgetme): the messages to them, and those
whose dedupe key names them, whatever their status; never a row of someone whose id
merely starts like theirs, nor one a LIKE wildcard in their id would catch."""

from __future__ import annotations

import pytest

from bot.events import Actor, Place
from bot.outbox import Outbox, OutboxMessage
from tests.harness import Harness

pytestmark = pytest.mark.both_engines

tina = Actor("telegram", "42", "Tina")
tim = Actor("telegram", "421", "Tim")  # an id that starts like tina's
odd = Actor("console", "4_2", "Odd")  # LIKE's "_" in an id
four_x_two = Actor("console", "4x2", "Fourxtwo")
fran = Actor("console", "fran", "Fran")
CHAT = Place("telegram", "-100123", private=False)


def note(key: str, to: Actor | Place) -> OutboxMessage:
    return OutboxMessage(dedupe_key=key, kind="membership", target=to, text=f"note {key}")


async def put(harness: Harness, *messages: OutboxMessage) -> Outbox:
    outbox = Outbox(harness.clock)
    async with harness.app.database.transaction() as tx:
        for message in messages:
            assert await outbox.enqueue(tx, message)
    return outbox


async def keys(harness: Harness) -> set[str]:
    rows = await harness.app.database.fetch_all("SELECT dedupe_key FROM outbox")
    return {str(row["dedupe_key"]) for row in rows}


async def test_erasing_a_person_takes_their_rows_and_only_theirs(harness: Harness) -> None:
    outbox = await put(
        harness,
        note("seat-offer:circle:telegram:42:1", tina),
        note("reminder:circle:1:60m:telegram:42", tina),
        note("contact:circle:telegram:42:console:fran", fran),  # about her, to fran
        note("odd-key-but-to-her", tina),
        note("seat-offer:circle:telegram:421:1", tim),
        note("reminder:circle:1:60m:telegram:421", tim),
        note("contact:circle:telegram:421:console:fran", fran),
        note("reminder:circle:1:60m:telegram:-100123", CHAT),
        note("seat-offer:circle:console:4x2:1", four_x_two),
    )
    async with harness.app.database.transaction() as tx:
        removed = await outbox.erase_person(tx, tina)
        odd_removed = await outbox.erase_person(tx, odd)

    assert removed == 4
    assert odd_removed == 0
    assert await keys(harness) == {
        "seat-offer:circle:telegram:421:1",
        "reminder:circle:1:60m:telegram:421",
        "contact:circle:telegram:421:console:fran",
        "reminder:circle:1:60m:telegram:-100123",
        "seat-offer:circle:console:4x2:1",
    }


async def test_a_persons_rows_say_whether_they_were_to_them(harness: Harness) -> None:
    outbox = await put(
        harness,
        note("seat-offer:circle:telegram:42:1", tina),
        note("contact:circle:telegram:42:console:fran", fran),
        note("seat-offer:circle:telegram:421:1", tim),
    )
    found = await outbox.about_person(harness.app.database, tina)

    assert [(m.to_them, m.text, m.status) for m in found] == [
        (True, "note seat-offer:circle:telegram:42:1", "pending"),
        (False, "note contact:circle:telegram:42:console:fran", "pending"),
    ]
    assert all(m.finished_at is None and m.not_after is None for m in found)
