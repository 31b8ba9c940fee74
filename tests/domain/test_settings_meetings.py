"""Settings at work on meetings: reminders switched off, quiet hours that hold a reminder
back (or let it expire), and meeting times in a member's own zone."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from bot.events import Place
from bot.replies import Audience
from tests.fakes.clock import FakeClock
from tests.harness import Harness, person, write_config

pytestmark = pytest.mark.both_engines

LONDON = ZoneInfo("Europe/London")
alice, bob, fran = person("alice"), person("bob"), person("fran")
CIRCLE_CHAT = Place("telegram", "-100123", private=False)


def london(*parts: int) -> datetime:
    return datetime(*parts, tzinfo=LONDON).astimezone(UTC)  # type: ignore[misc,arg-type]


async def _open(tmp_path: Path, clock: FakeClock | None = None) -> Harness:
    config = write_config(tmp_path, storage_url="sqlite:///m.sqlite3")
    return await Harness.open(config, clock=clock)


async def _tick(harness: Harness) -> int:
    added = await harness.app.reminders.send_due()
    await harness.app.delivery.deliver_due()
    return added


def _at(clock: FakeClock, when: datetime) -> None:
    """Move the clock to ``when`` (each command the harness runs takes a second)."""
    clock.advance(seconds=(when - clock.now()).total_seconds())


def _reminders(harness: Harness, who: object) -> list[str]:
    return [r.text for r in harness.inbox(who) if r.text.startswith("Reminder")]  # type: ignore[arg-type]


def _chat_reminders(harness: Harness) -> list[str]:
    posted = harness.outbound["telegram"].posted
    return [r.text for p, r in posted if p == CIRCLE_CHAT and r.text.startswith("Reminder")]


async def test_reminders_off_means_no_private_reminder_but_the_group_chat_gets_one(
    tmp_path: Path,
) -> None:
    clock = FakeClock(london(2026, 12, 1, 17, 0))
    harness = await _open(tmp_path, clock)
    for member in (alice, bob):
        await harness.say("/join circle", as_=member)
    await harness.say("/settings reminders off", as_=alice)
    await _tick(harness)  # the 24h one, late
    clock.advance(hours=1)
    await _tick(harness)  # the 1h one
    attendance = await harness.text("/attendance circle", as_=fran)
    await harness.close()

    assert _reminders(harness, alice) == []
    assert len(_reminders(harness, bob)) == 2
    assert len(_chat_reminders(harness)) == 2
    assert "couldn't reach someone in time: 0" in attendance  # switched off, not missed


async def test_a_reminder_due_at_23_in_quiet_hours_goes_at_08_and_one_due_too_late_expires(
    tmp_path: Path,
) -> None:
    """Tuesday Circle meets at 19:00 London (GMT), 23:00 in Dubai (UTC+4). Alice lives in
    Dubai with quiet hours 22:00-08:00: the 24h reminder, due at 23:00 her time, waits
    until 08:00; the 1h one, due at 22:00 her time, would wait past the start: expired."""
    clock = FakeClock(london(2026, 11, 30, 12, 0))
    harness = await _open(tmp_path, clock)
    for member in (alice, bob):
        await harness.say("/join circle", as_=member)
    await harness.say("/settings timezone Asia/Dubai", as_=alice)
    await harness.say("/settings quiet 22:00-08:00", as_=alice)

    _at(clock, london(2026, 11, 30, 19, 0))  # 23:00 in Dubai: the 24h reminder is due
    assert await _tick(harness) == 3  # bob, alice (held back) and the group chat
    assert _reminders(harness, alice) == []
    assert len(_reminders(harness, bob)) == 1
    _at(clock, london(2026, 12, 1, 3, 59, 59))  # 07:59:59 in Dubai
    assert await _tick(harness) == 0  # keyed as before: nothing new, and still quiet
    assert _reminders(harness, alice) == []
    _at(clock, london(2026, 12, 1, 4, 0))  # 08:00 in Dubai
    await _tick(harness)
    [held] = _reminders(harness, alice)

    _at(clock, london(2026, 12, 1, 18, 0))  # 22:00 in Dubai: the 1h reminder
    assert await _tick(harness) == 3
    _at(clock, london(2026, 12, 1, 19, 1))  # the meeting has started
    await _tick(harness)
    attendance = await harness.text("/attendance circle 2026-12-01", as_=fran)
    await harness.close()

    assert "Tuesday 1 December, 23:00 Asia/Dubai (19:00 Europe/London)" in held
    assert len(_reminders(harness, alice)) == 1  # the 1h one expired, never sent
    assert len(_reminders(harness, bob)) == 2
    assert "couldn't reach someone in time: 1" in attendance


async def test_quiet_hours_follow_the_bots_zone_until_the_member_picks_one(
    tmp_path: Path,
) -> None:
    clock = FakeClock(london(2026, 12, 1, 17, 0))
    harness = await _open(tmp_path, clock)
    await harness.say("/join circle", as_=alice)
    await harness.say("/settings quiet 17:30-18:30", as_=alice)  # Europe/London's
    _at(clock, london(2026, 12, 1, 18, 0))  # the 1h reminder is due
    await _tick(harness)
    held_back = _reminders(harness, alice)
    _at(clock, london(2026, 12, 1, 18, 29, 59))
    await _tick(harness)
    still_held = _reminders(harness, alice)
    _at(clock, london(2026, 12, 1, 18, 30))
    await _tick(harness)
    await harness.close()

    assert held_back == still_held == []
    [reminder] = _reminders(harness, alice)
    assert "Tuesday 1 December, 19:00 (Europe/London)" in reminder  # the group's zone


async def test_next_and_notices_show_my_zone_beside_the_groups(tmp_path: Path) -> None:
    harness = await _open(tmp_path, FakeClock(london(2026, 11, 27, 9, 0)))
    tina = person("tina", platform="telegram", user_id="777")
    for member in (alice, tina):
        await harness.say("/join circle", as_=member)
        await harness.say("/settings timezone Asia/Tokyo", as_=member)
    [mine] = await harness.say("/next", as_=alice)
    [named] = await harness.say("/next circle", as_=alice)
    [in_chat] = await harness.say("/next circle", as_=tina, place=CIRCLE_CHAT)
    [rsvp] = await harness.say("/rsvp circle yes", as_=alice)
    [bobs] = await harness.say("/next circle", as_=bob)
    await harness.say("/cancel circle snow", as_=fran)
    await harness.close()

    tokyo = "Wednesday 2 December, 04:00 Asia/Tokyo (Tuesday 19:00 Europe/London)"
    assert mine.audience is Audience.ONLY_YOU
    assert f"Tuesday Circle: {tokyo}" in mine.text
    assert tokyo in named.text
    assert in_chat.audience is Audience.HERE
    assert "Tuesday 1 December, 19:00 (Europe/London)" in in_chat.text
    assert "Asia/Tokyo" not in in_chat.text
    assert tokyo in rsvp.text
    assert "Tuesday 1 December, 19:00 (Europe/London)" in bobs.text
    [notice] = [r.text for r in harness.inbox(alice) if r.text.startswith("Hi")]
    assert f"Tuesday Circle on {tokyo} is cancelled" in notice
