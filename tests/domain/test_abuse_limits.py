"""Abuse limits in the domain: announcements per group, anonymous support alerts per
member, changes to one check-in. Each refusal is kind and private, and nothing about
it is stored."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

from bot.events import Actor
from bot.replies import Audience
from groups.announcements import PER_GROUP_PER_HOUR
from groups.checkins import CHANGES_PER_PERIOD
from groups.crisis_support import ANON_PER_DAY
from tests.domain.checkin_helpers import check_in, join_all, open_harness, people
from tests.harness import Harness, person

fran, gus, olive = person("fran"), person("gus"), person("olive")
tina = person("tina", user_id="m-55501")


async def _announce(harness: Harness, slug: str, speaker: Actor = fran) -> str:
    return await harness.text(f"/announce {slug} Room 4 tonight", as_=speaker)


async def test_a_group_gets_so_many_announcements_an_hour(harness: Harness) -> None:
    room_again = harness.clock.now() + timedelta(hours=1, seconds=1)  # London is UTC now
    sent = [await _announce(harness, "circle") for _ in range(PER_GROUP_PER_HOUR)]
    refused = await _announce(harness, "circle", olive)  # whoever sends it
    other_group = await harness.text("/announce carers Room 4 tonight", as_=gus)
    harness.clock.advance(minutes=61)
    later = await _announce(harness, "circle")

    assert all("Tuesday Circle" in text and "hasn't" not in text for text in sent)
    assert "5 announcements in the last hour" in refused
    assert f"You can send it from {room_again:%H:%M} (Europe/London)" in refused
    assert "haven't sent" not in other_group
    assert "haven't sent" not in later
    posted = [reply for _, reply in harness.outbound["telegram"].posted]
    assert len(posted) == PER_GROUP_PER_HOUR + 1


async def _alert(harness: Harness) -> list[str]:
    replies = await harness.press("supportalert:anon", as_=tina)
    assert [reply.audience for reply in replies] == [Audience.ONLY_YOU]
    return [reply.text for reply in replies]


async def test_anonymous_alerts_are_capped_a_day_and_nothing_says_who(harness: Harness) -> None:
    await harness.say("/join circle", as_=tina)
    for _ in range(ANON_PER_DAY):
        await _alert(harness)
    [capped] = await _alert(harness)
    rows = await harness.app.database.fetch_all(
        "SELECT dedupe_key FROM outbox WHERE dedupe_key LIKE 'support:anon:%'"
    )
    harness.clock.advance(hours=24)
    [tomorrow] = await _alert(harness)

    assert f"already passed on {ANON_PER_DAY} anonymous requests" in capped
    assert "/crisis" in capped
    facilitators = 2  # circle names console:fran and telegram:4242
    assert len(rows) == ANON_PER_DAY * facilitators
    assert all(tina.user_id not in row["dedupe_key"] for row in rows)
    assert "without your name" in tomorrow
    assert "already passed on" not in tomorrow


async def test_one_check_in_can_be_changed_only_so_often(tmp_path: Path) -> None:
    harness = await open_harness(tmp_path)
    try:
        [member] = people(1)
        await join_all(harness, [member])
        changes = [
            await check_in(harness, member, 1 + index % 5) for index in range(CHANGES_PER_PERIOD)
        ]
        [refused] = await check_in(harness, member, 3)
    finally:
        await harness.close()

    assert all("changed your check-in" not in r.text for replies in changes for r in replies)
    assert f"changed your check-in for Tuesday Circle {CHANGES_PER_PERIOD} times" in refused.text
    assert refused.audience is Audience.ONLY_YOU
