"""The timers at start-up and over time. ``run`` answers first: the reminder and
check-in timers' catching up is their first wake-up, at once; a reminder due at start
then goes out once (only the latest that came due, late), a period that closed while the
bot was down is released once. And the reminder planner, which reuses each group's last
look at its meetings while it holds, still sees time pass and a meeting cancelled."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

from bot.scheduler import Job, Scheduler
from groups.checkin_timer import CheckinTimer
from groups.reminders import ReminderTimer
from tests.domain.checkin_helpers import CLOSES_AT, check_in, join_all, open_harness, people
from tests.fakes.clock import FakeClock
from tests.harness import Harness, person, write_config

LONDON = ZoneInfo("Europe/London")
alice, bob, fran = (person(n) for n in ("alice", "bob", "fran"))


def london(*parts: int) -> datetime:
    return datetime(*parts, tzinfo=LONDON).astimezone(UTC)  # type: ignore[misc,arg-type]


class NotingScheduler(Scheduler):
    """Notes each wake-up; the test runs it."""

    def __init__(self) -> None:
        super().__init__()
        self.wake_ups: dict[str, tuple[datetime, Job]] = {}

    def start(self) -> None:
        pass

    def wake_at(self, job_id: str, when: datetime, job: Job) -> None:
        self.wake_ups[job_id] = (when, job)

    def shutdown(self) -> None:
        pass

    async def run(self, job_id: str) -> None:
        _, job = self.wake_ups.pop(job_id)
        await job()


async def _open(tmp_path: Path, clock: FakeClock) -> Harness:
    return await Harness.open(
        write_config(tmp_path, storage_url="sqlite:///t.sqlite3"), clock=clock
    )


def _reminders(harness: Harness, who: object) -> list[str]:
    return [r.text for r in harness.inbox(who) if r.text.startswith("Reminder")]  # type: ignore[arg-type]


async def test_a_reminder_due_at_start_goes_out_once_at_the_first_wake_up(
    tmp_path: Path,
) -> None:
    clock = FakeClock(london(2026, 11, 30, 12, 0))
    harness = await _open(tmp_path, clock)
    try:
        for member in (alice, bob):
            await harness.say("/join circle", as_=member)
        # Down from before the day-before reminder until half an hour before the meeting.
        clock.advance(days=1, hours=6, minutes=30)
        scheduler = NotingScheduler()
        timer = ReminderTimer(harness.app.reminders, scheduler, clock)
        timer.start_soon()
        await harness.app.delivery.deliver_due()
        assert _reminders(harness, alice) == []  # planned, not yet run: start-up is done
        assert scheduler.wake_ups[ReminderTimer.JOB][0] == clock.now()  # at once
        await scheduler.run(ReminderTimer.JOB)
        await harness.app.delivery.deliver_due()
        clock.advance(minutes=1)
        await scheduler.run(ReminderTimer.JOB)  # the next wake-up finds it done
        await harness.app.delivery.deliver_due()
    finally:
        await harness.close()
    for member in (alice, bob):
        [reminder] = _reminders(harness, member)  # the latest that came due, once
        assert "Tuesday Circle" in reminder


async def test_a_period_that_closed_while_down_is_released_once_at_the_first_wake_up(
    tmp_path: Path,
) -> None:
    harness = await open_harness(tmp_path)
    try:
        crowd = people(6)
        await join_all(harness, crowd)
        await harness.app.checkins.run_due()  # the period opens
        for member in crowd:
            await check_in(harness, member, 4)
        clock = harness.clock
        clock.advance(seconds=(CLOSES_AT - clock.now()).total_seconds() + 3600)  # down
        scheduler = NotingScheduler()
        timer = CheckinTimer(harness.app.checkins, scheduler, clock)
        timer.start_soon()
        assert scheduler.wake_ups[CheckinTimer.JOB][0] == clock.now()  # at once
        await harness.app.delivery.deliver_due(limit=100)
        assert harness.inbox(fran) == []  # planned, not yet run: start-up is done
        await scheduler.run(CheckinTimer.JOB)
        await scheduler.run(CheckinTimer.JOB)  # the next wake-up finds it released
        await harness.app.delivery.deliver_due(limit=100)
    finally:
        await harness.close()
    [release] = harness.inbox(fran)
    assert "6 people checked in" in release.text


async def test_the_next_reminder_follows_time_and_a_cancelled_meeting(tmp_path: Path) -> None:
    clock = FakeClock(london(2026, 11, 30, 12, 0))  # Monday; the circle meets Tuesdays 19:00
    harness = await _open(tmp_path, clock)
    planner = harness.app.reminders
    try:
        found = [await planner.next_due()]
        clock.advance(hours=7, minutes=1)  # past Monday 19:00, the day-before reminder
        found.append(await planner.next_due())
        clock.advance(hours=23)  # Tuesday 18:01, past the hour-before one
        found.append(await planner.next_due())
        [done] = await harness.say("/cancel circle 2026-12-08 a holiday", as_=fran)
        found.append(await planner.next_due())
    finally:
        await harness.close()
    assert "cancelled" in done.text or "letting" in done.text
    assert found == [
        london(2026, 11, 30, 19, 0),  # a day before Tuesday 1 December
        london(2026, 12, 1, 18, 0),  # an hour before it
        london(2026, 12, 7, 19, 0),  # a day before Tuesday 8 December
        london(2026, 12, 9, 18, 30),  # that one cancelled: the carers, Thursday 10th
    ]
