"""Meetings as server events, end to end through the real core: the harness's "carers"
group lives in a Discord server and meets fortnightly on Thursdays at 18:30 (London) at
Riverside Library; the platform is a fake that refuses what Discord refuses."""

from __future__ import annotations

import logging
from dataclasses import replace
from datetime import UTC, datetime, time, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from bot.platforms import PlatformBusy
from groups.guild_event_sync import GuildEventSync, SyncReport
from groups.guild_events import EventWording
from tests.fakes.clock import FakeClock
from tests.fakes.scheduled_events import FakeScheduledEvents, starts
from tests.harness import Harness, person, write_config

LONDON = ZoneInfo("Europe/London")
GUILD = "111111111111111111"
gus = person("gus")


def london(*parts: int) -> datetime:
    return datetime(*parts, tzinfo=LONDON).astimezone(UTC)  # type: ignore[misc,arg-type]


async def _open(tmp_path: Path, clock: FakeClock, events: str = "") -> Harness:
    config = write_config(tmp_path, storage_url="sqlite:///e.sqlite3")
    if events:
        config.write_text(config.read_text() + f"\n[events]\n{events}\n", encoding="utf-8")
    return await Harness.open(config, clock=clock)


def _sync(harness: Harness, port: FakeScheduledEvents) -> GuildEventSync:
    app = harness.app
    wording = EventWording.from_settings(app.settings.events, app.catalog)
    horizon = app.settings.events.horizon
    return GuildEventSync(
        port, app.database, app.directory, harness.clock, wording, horizon=horizon
    )


async def test_the_next_four_meetings_become_neutral_events(tmp_path: Path) -> None:
    clock = FakeClock(london(2026, 11, 20, 9, 0))
    harness = await _open(tmp_path, clock)
    port = FakeScheduledEvents(clock)
    report = await _sync(harness, port).run()
    await harness.close()

    events = port.ours(GUILD)
    assert report == SyncReport(created=4)
    assert starts(events) == [
        london(2026, 11, 26, 18, 30),
        london(2026, 12, 10, 18, 30),
        london(2026, 12, 24, 18, 30),
        london(2027, 1, 7, 18, 30),
    ]
    assert all(e.end == e.start + timedelta(minutes=90) for e in events)
    assert {e.name for e in events} == {"Group meeting"}
    assert {e.location for e in events} == {"Riverside Library"}
    for event in events:
        shown = f"{event.name} {event.description} {event.location}".casefold()
        assert "carer" not in shown  # neither the group's name nor its description
        assert "interested" in event.description.casefold()  # who clicks it is seen


async def test_times_follow_the_group_s_wall_clock_across_a_daylight_saving_change(
    tmp_path: Path,
) -> None:
    clock = FakeClock(london(2027, 3, 10, 9, 0))  # the UK's clocks go forward on 28 March
    harness = await _open(tmp_path, clock)
    port = FakeScheduledEvents(clock)
    await _sync(harness, port).run()
    await harness.close()

    events = port.ours(GUILD)
    assert [e.start.astimezone(LONDON).strftime("%d %b %H:%M") for e in events] == [
        "18 Mar 18:30",
        "01 Apr 18:30",
        "15 Apr 18:30",
        "29 Apr 18:30",
    ]
    assert [e.start.hour for e in events] == [18, 17, 17, 17]  # in UTC
    assert all(e.start.tzinfo is not None for e in events)


async def test_running_again_changes_nothing_and_asks_the_server_only_now_and_then(
    tmp_path: Path,
) -> None:
    clock = FakeClock(london(2026, 11, 20, 9, 0))
    harness = await _open(tmp_path, clock)
    port = FakeScheduledEvents(clock)
    sync = _sync(harness, port)
    await sync.run()
    before = dict(port.events[GUILD])
    calls = len(port.calls)
    again = await sync.run()
    quiet = len(port.calls) == calls  # nothing changed: the server is not even asked
    clock.advance(minutes=16)  # time to look again
    later = await sync.run()
    await harness.close()

    assert again == SyncReport()
    assert later == SyncReport()
    assert quiet
    assert port.calls[calls:] == [("list", GUILD)]
    assert port.events[GUILD] == before


async def test_a_cancelled_meeting_s_event_is_deleted_and_a_moved_one_s_updated(
    tmp_path: Path,
) -> None:
    clock = FakeClock(london(2026, 11, 20, 9, 0))
    harness = await _open(tmp_path, clock)
    port = FakeScheduledEvents(clock)
    sync = _sync(harness, port)
    await sync.run()
    [first, second, *_] = port.ours(GUILD)
    await harness.say("/cancel carers 2026-11-26 the library is closed", as_=gus)
    await harness.say("/move carers 2026-12-10 2026-12-11 19:00 at Room 4, Town Hall", as_=gus)
    report = await sync.run()
    await harness.close()

    events = port.ours(GUILD)
    assert report == SyncReport(created=1, edited=1, deleted=1)
    assert first.event_id not in port.events[GUILD]
    moved = port.events[GUILD][second.event_id]  # the same event, updated
    assert moved.start == london(2026, 12, 11, 19, 0)
    assert moved.location == "Room 4, Town Hall"
    assert starts(events)[-1] == london(2027, 1, 21, 18, 30)  # one more comes into view


async def test_a_meeting_that_is_over_loses_its_event(tmp_path: Path) -> None:
    clock = FakeClock(london(2026, 11, 26, 18, 0))
    harness = await _open(tmp_path, clock)
    port = FakeScheduledEvents(clock)
    sync = _sync(harness, port)
    await sync.run()
    [tonight, *_] = port.ours(GUILD)
    clock.advance(hours=1)  # under way: kept
    during = await sync.run()
    kept = tonight.event_id in port.events[GUILD]
    clock.advance(hours=1)  # over at 20:00
    after = await sync.run()
    await harness.close()

    assert during == SyncReport()
    assert kept
    assert after == SyncReport(created=1, deleted=1)
    assert tonight.event_id not in port.events[GUILD]
    assert len(port.ours(GUILD)) == 4


async def test_other_events_in_the_server_are_never_touched(tmp_path: Path) -> None:
    clock = FakeClock(london(2026, 11, 20, 9, 0))
    harness = await _open(tmp_path, clock)
    port = FakeScheduledEvents(clock)
    others = port.add_foreign(GUILD, 3)
    others += port.add_foreign(GUILD, 1, description="made by hand", made_by_bot=True)
    sync = _sync(harness, port)
    await sync.run()
    harness.app.directory.replace([])  # every group gone: the bot's own events go too
    clock.advance(minutes=1)
    report = await sync.run()
    await harness.close()

    assert report == SyncReport(deleted=4)
    assert port.guild(GUILD) == others
    touched = {call[2] for call in port.writes() if call[0] in ("edit", "delete")}
    assert touched.isdisjoint({event.event_id for event in others})


async def test_the_server_s_cap_is_never_passed(tmp_path: Path) -> None:
    clock = FakeClock(london(2026, 11, 20, 9, 0))
    harness = await _open(tmp_path, clock, "horizon = 25")
    port = FakeScheduledEvents(clock)
    port.add_foreign(GUILD, 80)
    report = await _sync(harness, port).run()
    await harness.close()

    assert report == SyncReport(created=20, left_out=5)
    assert port.peak[GUILD] == 100
    assert max(starts(port.ours(GUILD))) == london(2027, 8, 19, 18, 30)  # the 20 nearest


async def test_a_group_may_have_its_own_event_name_and_keep_its_place_private(
    tmp_path: Path,
) -> None:
    clock = FakeClock(london(2026, 11, 20, 9, 0))
    settings = 'name = "Meeting"\nshow_place = false\nnames = { carers = "Thursday meetup" }'
    harness = await _open(tmp_path, clock, settings)
    port = FakeScheduledEvents(clock)
    await _sync(harness, port).run()
    await harness.close()

    events = port.ours(GUILD)
    assert {e.name for e in events} == {"Thursday meetup"}
    assert {e.location for e in events} == {"Type /next in this server to see where"}


async def test_without_the_permission_it_is_said_once_and_the_bot_carries_on(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO)
    clock = FakeClock(london(2026, 11, 20, 9, 0))
    harness = await _open(tmp_path, clock)
    port = FakeScheduledEvents(clock)
    port.deny(GUILD)
    sync = _sync(harness, port)
    reports = []
    for _ in range(3):
        reports.append(await sync.run())
        clock.advance(minutes=20)
    missing = sync.missing_permission
    problems = await sync.permission_problems()
    answer = await harness.text("/next carers", as_=person("alice"))
    port.allow(GUILD)
    clock.advance(minutes=20)
    granted = await sync.run()
    await harness.close()

    warnings = [r.getMessage() for r in caplog.records if "may not manage events" in r.getMessage()]
    assert len(warnings) == 1
    assert GUILD in warnings[0]
    assert "Create Events" in warnings[0]
    assert reports == [SyncReport()] * 3
    assert missing == (GUILD,)
    assert problems == (GUILD,)
    assert "Carers' Circle" in answer  # the rest of the bot is unaffected
    assert granted == SyncReport(created=4)
    assert sync.missing_permission == ()
    assert any("again" in r.getMessage() for r in caplog.records)


async def test_a_permission_lost_midway_is_noted_the_same_way(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    clock = FakeClock(london(2026, 11, 20, 9, 0))
    harness = await _open(tmp_path, clock)
    port = FakeScheduledEvents(clock)
    port.revoke_quietly(GUILD)
    sync = _sync(harness, port)
    report = await sync.run()
    await harness.close()

    assert report == SyncReport()
    assert sync.missing_permission == (GUILD,)
    assert not [r for r in caplog.records if r.levelno >= logging.ERROR]


async def test_a_rate_limit_stops_the_run_until_the_wait_is_over(tmp_path: Path) -> None:
    clock = FakeClock(london(2026, 11, 20, 9, 0))
    harness = await _open(tmp_path, clock)
    port = FakeScheduledEvents(clock)
    sync = _sync(harness, port)
    port.fail_next(PlatformBusy(120))
    first = await sync.run()
    clock.advance(seconds=60)
    waiting = await sync.run()
    asked = len(port.calls)
    clock.advance(seconds=61)
    after = await sync.run()
    await harness.close()

    assert first == SyncReport()
    assert waiting == SyncReport()
    assert asked == 1
    assert after == SyncReport(created=4)


async def test_a_failure_is_logged_and_tried_again_soon(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    clock = FakeClock(london(2026, 11, 20, 9, 0))
    harness = await _open(tmp_path, clock)
    port = FakeScheduledEvents(clock)
    sync = _sync(harness, port)
    port.fail_next(RuntimeError("the platform had a bad day"))
    failed = await sync.run()
    clock.advance(minutes=1)
    too_soon = await sync.run()
    clock.advance(minutes=2)
    after = await sync.run()
    await harness.close()

    assert failed == SyncReport()
    assert too_soon == SyncReport()
    assert after == SyncReport(created=4)
    [incident] = [r.getMessage() for r in caplog.records if r.levelno >= logging.ERROR]
    assert "RuntimeError" in incident
    assert "bad day" not in incident


async def test_many_groups_in_one_server_share_the_cap_nearest_meetings_first(
    tmp_path: Path,
) -> None:
    clock = FakeClock(london(2026, 11, 20, 7, 0))  # before any group's first meeting
    harness = await _open(tmp_path, clock)
    carers = harness.app.directory.get("carers")
    assert carers is not None
    weekly = replace(carers.schedule, frequency="weekly", starts_on=None)
    many = [
        replace(carers, slug=f"group-{n:02}", name=f"Group {n}",
                schedule=replace(weekly, weekday=n % 7, start=time(8 + n % 12, 0)))
        for n in range(30)
    ]  # fmt: skip
    harness.app.directory.replace(many)
    port = FakeScheduledEvents(clock)
    sync = _sync(harness, port)
    report = await sync.run()
    wanted = (await sync.wanted())[GUILD]
    await harness.close()

    assert len(wanted) == 120  # 30 groups, 4 meetings each
    assert report == SyncReport(created=100, left_out=20)
    assert port.peak[GUILD] == 100
    shown = sorted(starts(port.ours(GUILD)))
    assert shown == [spec.start for spec in wanted[:100]]
    assert shown[-1] <= wanted[100].start
