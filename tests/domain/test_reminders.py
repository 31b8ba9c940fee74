"""Reminders through the outbox, on a fake clock: at the right local time across
daylight-saving changes, once, never to the waiting list or to a "no", and never lost or
doubled across restarts."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from bot.events import Place
from bot.replies import Audience
from tests.adapters.write_lock import WriteLock
from tests.fakes.clock import FakeClock
from tests.harness import Harness, person, write_config

pytestmark = pytest.mark.both_engines

LONDON = ZoneInfo("Europe/London")
alice, bob, cara = (person(n) for n in ("alice", "bob", "cara"))
fran = person("fran")
CIRCLE_CHAT = Place("telegram", "-100123", private=False)


def local(zone: ZoneInfo, *parts: int) -> datetime:
    return datetime(*parts, tzinfo=zone).astimezone(UTC)  # type: ignore[misc,arg-type]


async def _open(tmp_path: Path, clock: FakeClock, zone: str = "Europe/London") -> Harness:
    path = write_config(tmp_path, storage_url="sqlite:///bot.sqlite3")
    path.write_text(path.read_text(encoding="utf-8").replace("Europe/London", zone))
    return await Harness.open(path, clock=clock)


async def _tick(harness: Harness) -> int:
    added = await harness.app.reminders.send_due()
    await harness.app.delivery.deliver_due()
    return added


def _reminders(harness: Harness, who: object) -> list[str]:
    return [r.text for r in harness.inbox(who) if r.text.startswith("Reminder")]  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("zone", "meeting_day"),
    [
        ("Europe/London", (2026, 3, 24)),  # GMT, the week before clocks go forward
        ("Europe/London", (2026, 3, 31)),  # BST
        ("Europe/London", (2026, 10, 20)),  # BST, the week before clocks go back
        ("Europe/London", (2026, 10, 27)),  # GMT
        ("Asia/Tokyo", (2026, 3, 31)),  # no daylight saving at all
        ("Australia/Sydney", (2026, 3, 31)),  # AEDT, before clocks go back on 5 April
        ("Australia/Sydney", (2026, 4, 7)),  # AEST
        ("Australia/Sydney", (2026, 10, 6)),  # AEDT again, after 4 October
    ],
)
async def test_the_hour_before_reminder_comes_at_18_local_on_both_sides_of_a_change(
    tmp_path: Path, zone: str, meeting_day: tuple[int, int, int]
) -> None:
    tz = ZoneInfo(zone)
    clock = FakeClock(local(tz, *meeting_day, 12, 0))
    harness = await _open(tmp_path, clock, zone)
    await harness.say("/join circle", as_=alice)
    await _tick(harness)  # the 24h reminder, late but before the meeting

    due = await harness.app.reminders.next_due()
    assert due is not None
    assert due.astimezone(tz).replace(tzinfo=None) == datetime(*meeting_day, 18, 0)
    clock.advance(seconds=(due - clock.now()).total_seconds() - 1)
    assert await _tick(harness) == 0  # a second early: nothing new
    clock.advance(seconds=1)
    assert await _tick(harness) == 2  # alice and the group's Telegram chat
    await harness.close()

    texts = _reminders(harness, alice)
    assert len(texts) == 2  # the 24h one (sent late, once) and the 1h one
    assert "19:00" in texts[-1]
    assert f"({zone})" in texts[-1]


async def test_each_member_is_reminded_once_in_private_and_the_group_chat_once(
    tmp_path: Path,
) -> None:
    clock = FakeClock(local(LONDON, 2026, 12, 1, 18, 0))  # an hour before Tuesday's circle
    harness = await _open(tmp_path, clock)
    for member in (alice, bob, cara):  # two seats: cara waits
        await harness.say("/join circle", as_=member)
    await _tick(harness)
    await _tick(harness)
    clock.advance(minutes=5)
    await _tick(harness)
    chat_posts = [r for p, r in harness.outbound["telegram"].posted if p == CIRCLE_CHAT]
    await harness.close()

    assert len(_reminders(harness, alice)) == 1
    assert len(_reminders(harness, bob)) == 1
    assert _reminders(harness, cara) == []  # the waiting list is not reminded
    assert len(chat_posts) == 1
    assert chat_posts[0].audience is Audience.HERE
    [private] = [r for r in harness.inbox(alice) if r.text.startswith("Reminder")]
    assert private.audience is Audience.PRIVATE_MESSAGE
    assert [b.action for b in private.buttons] == [
        "rsvp:circle yes",
        "rsvp:circle no",
        "rsvp:circle maybe",
    ]


async def test_a_no_is_not_reminded_and_a_reminders_button_answers(tmp_path: Path) -> None:
    clock = FakeClock(local(LONDON, 2026, 11, 30, 12, 0))
    harness = await _open(tmp_path, clock)
    for member in (alice, bob):
        await harness.say("/join circle", as_=member)
    [answer] = await harness.press("rsvp:circle no", as_=alice)
    clock.advance(days=1, hours=6)  # Tuesday 18:00 and a bit
    await _tick(harness)
    attendance = await harness.text("/attendance circle", as_=fran)
    await harness.close()

    assert answer.audience is Audience.ONLY_YOU
    assert "can't make Tuesday Circle on Tuesday 1 December, 19:00" in answer.text
    assert _reminders(harness, alice) == []
    assert len(_reminders(harness, bob)) == 1  # only the latest due: the 1h one
    assert "Not coming (1): Alice" in attendance


async def test_a_restart_across_the_reminder_time_sends_it_once(tmp_path: Path) -> None:
    clock = FakeClock(local(LONDON, 2026, 12, 1, 17, 59))
    first = await _open(tmp_path, clock)
    await first.say("/join circle", as_=alice)
    await _tick(first)  # the 24h reminder (late) goes now
    await first.close()

    clock.advance(minutes=2)  # down across 18:00
    second = await _open(tmp_path, clock)
    await _tick(second)
    await _tick(second)
    await second.close()

    assert len(_reminders(first, alice)) == 1
    assert len(_reminders(second, alice)) == 1  # the 1h one, exactly once


async def test_after_the_meeting_began_no_reminder_goes_and_it_is_counted(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    clock = FakeClock(local(LONDON, 2026, 11, 29, 12, 0))
    first = await _open(tmp_path, clock)
    await first.say("/join circle", as_=alice)
    await first.close()

    clock.advance(days=2, hours=7, minutes=10)  # down until 19:10 on Tuesday
    second = await _open(tmp_path, clock)
    await _tick(second)
    attendance = await second.text("/attendance circle 2026-12-01", as_=fran)
    await second.close()

    assert _reminders(second, alice) == []
    assert "couldn't reach someone in time: 2" in attendance  # alice and the chat
    assert "2 for circle came too late" in caplog.text


async def test_two_bots_on_one_database_never_send_a_reminder_twice(tmp_path: Path) -> None:
    clock = FakeClock(local(LONDON, 2026, 12, 1, 18, 0))
    one = await _open(tmp_path, clock)
    two = await _open(tmp_path, clock)
    await one.say("/join circle", as_=alice)
    added = [await one.app.reminders.send_due(), await two.app.reminders.send_due()]
    await one.app.delivery.deliver_due()
    await two.app.delivery.deliver_due()
    await one.close()
    await two.close()

    assert added == [2, 0]
    assert len(_reminders(one, alice)) + len(_reminders(two, alice)) == 1


async def test_once_everyone_is_reminded_later_ticks_only_read(tmp_path: Path) -> None:
    clock = FakeClock(local(LONDON, 2026, 12, 1, 18, 0))
    database = tmp_path / "tick.sqlite3"
    config = write_config(tmp_path, database_path=database, busy_timeout_ms=50)
    harness = await Harness.open(config, clock=clock)
    try:
        await harness.say("/join circle", as_=alice)
        assert await harness.app.reminders.send_due() == 2
        clock.advance(minutes=1)
        with WriteLock(database):  # another program holds the write lock
            assert await harness.app.reminders.send_due() == 0  # no write needed, none tried
    finally:
        await harness.close()


async def test_a_big_groups_reminders_let_other_writes_in_while_they_are_queued(
    tmp_path: Path,
) -> None:
    """A fan-out going out records each send (a write) while the next group's reminders
    are queued: the planner holds the write lock for a slice of them at a time, so a
    writer waiting beside it sees some queued and some not yet."""
    clock = FakeClock(local(LONDON, 2026, 12, 1, 18, 0))
    harness = await Harness.open(write_config(tmp_path, capacity=400), clock=clock)
    try:
        for n in range(320):
            await harness.say("/join circle", as_=person(f"member{n}"))
        planning = asyncio.create_task(harness.app.reminders.send_due())
        seen: list[int] = []
        while not planning.done():
            async with harness.app.database.transaction(quick=True) as tx:
                row = await tx.fetch_one("SELECT COUNT(*) AS n FROM outbox WHERE body <> ''")
                assert row is not None
                seen.append(int(row["n"]))
            await asyncio.sleep(0)
        added = await planning
    finally:
        await harness.close()

    assert added == 321  # each member, and the group's chat
    assert any(0 < n < added for n in seen), sorted(set(seen))
