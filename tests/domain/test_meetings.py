"""/next, /cancel, /move, /attendance and /calendar: members are told through the outbox, and
reminders follow the change."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from icalendar import Calendar

from bot.replies import Audience
from tests.fakes.clock import FakeClock
from tests.harness import Harness, person, write_config

pytestmark = pytest.mark.both_engines

LONDON = ZoneInfo("Europe/London")
alice, bob, cara, fran = (person(n) for n in ("alice", "bob", "cara", "fran"))


def london(*parts: int) -> datetime:
    return datetime(*parts, tzinfo=LONDON).astimezone(UTC)  # type: ignore[misc,arg-type]


async def _open(tmp_path: Path, clock: FakeClock) -> Harness:
    return await Harness.open(
        write_config(tmp_path, storage_url="sqlite:///m.sqlite3"), clock=clock
    )


async def _tick(harness: Harness) -> None:
    await harness.app.reminders.send_due()
    await harness.app.delivery.deliver_due()


def _texts(harness: Harness, who: object, start: str) -> list[str]:
    return [r.text for r in harness.inbox(who) if r.text.startswith(start)]  # type: ignore[arg-type]


async def test_next_shows_my_groups_next_meetings_in_their_local_time(tmp_path: Path) -> None:
    harness = await _open(tmp_path, FakeClock(london(2026, 11, 27, 9, 0)))
    await harness.say("/join circle", as_=alice)
    await harness.say("/join carers", as_=alice)
    [mine] = await harness.say("/next", as_=alice)
    [one] = await harness.say("/next carers", as_=bob)
    await harness.close()

    assert mine.audience is Audience.ONLY_YOU
    assert "Tuesday Circle: Tuesday 1 December, 19:00 (Europe/London)" in mine.text
    assert (
        "Carers' Circle: Thursday 10 December, 18:30 (Europe/London), at Riverside Library"
        in mine.text
    )
    assert one.audience is Audience.HERE
    assert "Carers' Circle" in one.text


async def test_cancelling_tells_members_and_stops_its_reminders(tmp_path: Path) -> None:
    clock = FakeClock(london(2026, 11, 30, 19, 30))  # the 24h reminder is due
    harness = await _open(tmp_path, clock)
    for member in (alice, bob, cara):
        await harness.say("/join circle", as_=member)
    await harness.app.reminders.send_due()  # queued, not yet sent
    [done] = await harness.say("/cancel circle 2026-12-01 the room is flooded", as_=fran)
    clock.advance(days=1)  # past the 1h reminder time
    await _tick(harness)
    upcoming = await harness.text("/next circle", as_=alice)
    refused = await harness.text("/cancel circle", as_=alice)
    await harness.close()

    assert done.audience is Audience.ONLY_YOU
    assert "letting 2 member(s) know" in done.text
    [notice] = _texts(harness, alice, "Hi — Tuesday Circle on Tuesday 1 December")
    assert "is cancelled (the room is flooded)" in notice
    assert _texts(harness, cara, "Hi") == []  # waiting, not seated
    assert _texts(harness, alice, "Reminder") == []  # withdrawn, and none after
    assert "cancelled (the room is flooded)" in upcoming
    assert "for group facilitators" in refused


async def test_moving_tells_members_and_reminds_at_the_new_time(tmp_path: Path) -> None:
    clock = FakeClock(london(2026, 11, 28, 9, 0))
    harness = await _open(tmp_path, clock)
    await harness.say("/join circle", as_=alice)
    [done] = await harness.say("/move circle 2026-12-01 2026-12-02 18:00", as_=fran)
    due = await harness.app.reminders.next_due()
    clock.advance(days=4, hours=8)  # Wednesday 17:00: an hour before the new time
    await _tick(harness)
    upcoming = await harness.text("/next", as_=alice)
    await harness.close()

    assert (
        "moves from Tuesday 1 December, 19:00 (Europe/London) to Wednesday 2 December, 18:00"
        in done.text
    )
    [notice] = _texts(harness, alice, "Hi — Tuesday Circle has moved")
    assert "it's now Wednesday 2 December, 18:00" in notice
    assert due == london(2026, 12, 1, 18, 0)  # the 24h reminder of the new time
    [reminder] = _texts(harness, alice, "Reminder")
    assert "Wednesday 2 December, 18:00" in reminder
    assert "moved to Wednesday 2 December, 18:00" in upcoming


async def test_kind_answers_for_a_wrong_date_or_time(tmp_path: Path) -> None:
    harness = await _open(tmp_path, FakeClock(london(2026, 11, 28, 9, 0)))
    no_meeting = await harness.text("/cancel circle 2026-12-02", as_=fran)
    bad_date = await harness.text("/move circle 1/12 19:00", as_=fran)
    bad_time = await harness.text("/move circle 2026-12-01 25:00", as_=fran)
    await harness.close()

    assert "couldn't find a meeting of Tuesday Circle on 2026-12-02" in no_meeting
    assert "couldn't read “1/12” as a date" in bad_date
    assert "couldn't read “25:00” as a time" in bad_time


async def test_attendance_counts_answers_privately(tmp_path: Path) -> None:
    harness = await _open(tmp_path, FakeClock(london(2026, 11, 28, 9, 0)))
    for member in (alice, bob):
        await harness.say("/join circle", as_=member)
    await harness.say("/rsvp circle yes", as_=alice)
    await harness.say("/rsvp circle maybe", as_=bob)
    await harness.say("/rsvp circle yes", as_=bob)  # a change of mind counts once
    [report] = await harness.say("/attendance circle", as_=fran)
    await harness.close()

    assert report.audience is Audience.ONLY_YOU
    assert "Coming (2): Alice, Bob" in report.text
    assert "Maybe (0)" in report.text
    assert "No answer yet: 0" in report.text


async def test_a_meeting_can_move_to_another_place_at_the_same_or_a_new_time(
    tmp_path: Path,
) -> None:
    harness = await _open(tmp_path, FakeClock(london(2026, 11, 28, 9, 0)))
    await harness.say("/join circle", as_=alice)
    [same_time] = await harness.say("/move circle 2026-12-01 at Room 4, Riverside", as_=fran)
    [both] = await harness.say("/move circle 2026-12-08 20:00 at the Old Library", as_=fran)
    [empty] = await harness.say("/move circle 2026-12-15 19:00 at", as_=fran)
    upcoming = await harness.text("/next", as_=alice)
    await harness.close()

    assert "to Tuesday 1 December, 19:00 (Europe/London), at Room 4, Riverside" in same_time.text
    assert "to Tuesday 8 December, 20:00 (Europe/London), at the Old Library" in both.text
    assert "couldn't read" in empty.text
    [notice, _] = _texts(harness, alice, "Hi — Tuesday Circle has moved")
    assert "at Room 4, Riverside" in notice
    assert "moved to Tuesday 1 December, 19:00 (Europe/London), at Room 4, Riverside" in upcoming


async def test_calendar_is_the_groups_ics_file_with_its_changes(tmp_path: Path) -> None:
    harness = await _open(tmp_path, FakeClock(london(2026, 11, 27, 9, 0)))
    await harness.say("/cancel circle 2026-12-01 snow", as_=fran)
    await harness.say("/move circle 2026-12-08 20:00", as_=fran)
    [reply] = await harness.say("/calendar circle", as_=bob)
    [unknown] = await harness.say("/calendar nowhere", as_=bob)
    await harness.close()

    assert reply.audience is Audience.HERE
    assert "Open the file to add the meetings to your calendar" in reply.text
    assert reply.attachment is not None
    assert (reply.attachment.filename, reply.attachment.media_type) == (
        "circle.ics",
        "text/calendar",
    )
    calendar = Calendar.from_ical(reply.attachment.content)
    events: list[Any] = calendar.walk("VEVENT")  # untyped: icalendar's values are unions
    series, moved = events
    assert series["RRULE"].to_ical() == b"FREQ=WEEKLY;BYDAY=TU"
    assert series["EXDATE"].dts[0].dt == datetime(2026, 12, 1, 19, 0, tzinfo=LONDON)
    assert moved["DTSTART"].dt == datetime(2026, 12, 8, 20, 0, tzinfo=LONDON)
    assert unknown.audience is Audience.ONLY_YOU
    assert unknown.attachment is None
