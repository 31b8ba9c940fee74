"""Reminders: at each of a group's offsets before a meeting, one message in each place
the group lives and a private one to each seated member (not to the waiting list, and not
to anyone who said they will not come, nor to anyone who switched reminders off in
/settings). A private reminder that comes due in the member's quiet hours waits for
their end; if the meeting starts first, it expires (recorded, never sent).

Nothing is kept in memory: ``send_due`` looks at the schedule, the exceptions and the
outbox each time, and puts what is due in the outbox under a key naming the group, the
meeting's start, the offset and the recipient, so running it again (after a restart, in
a second process) adds nothing. After downtime, only the latest reminder that came due
goes out, late, and only before the meeting starts: the outbox's not-after is the start,
so one that comes too late is recorded as expired, never sent.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import datetime, timedelta

from bot.clock import Clock
from bot.events import Actor, Place
from bot.scheduler import Scheduler
from bot.storage.database import Database, Executor
from groups.announcements import group_places
from groups.directory import GroupDirectory
from groups.meeting_notices import MeetingNotices, reminder_for
from groups.meetings_repo import MeetingsRepository
from groups.member_settings import MemberSettings, MemberSettingsService
from groups.membership_repo import MembershipRepository
from groups.models import Group, SeatStatus
from groups.recurrence import Occurrence, occurrences, reminder_times

logger = logging.getLogger(__name__)

LOOK_BACK = timedelta(hours=6)  # meetings that started this recently still get records
AHEAD = 4  # occurrences per group looked at for the next reminder time


class ReminderPlanner:
    def __init__(
        self,
        db: Database,
        directory: GroupDirectory,
        clock: Clock,
        notices: MeetingNotices,
        settings: MemberSettingsService,
    ) -> None:
        self._db = db
        self._directory = directory
        self._clock = clock
        self._notices = notices
        self._settings = settings
        self._meetings = MeetingsRepository()
        self._members = MembershipRepository()

    async def send_due(self) -> int:
        """Put every reminder whose time has come in the outbox; how many were new."""
        now = self._clock.now()
        added = 0
        for group in self._directory.all():
            for occurrence in await self._around(group, now - LOOK_BACK):
                offset = _latest_due(group, occurrence, now)
                if offset is not None:
                    added += await self._remind(group, occurrence, offset)
        return added

    async def next_due(self) -> datetime | None:
        """The next instant a reminder comes due, after now (None: no reminders ahead)."""
        now = self._clock.now()
        upcoming = [
            when
            for group in self._directory.all()
            for occurrence in await self._around(group, now)
            for when in reminder_times(occurrence, group.schedule.reminders)
            if when > now
        ]
        return min(upcoming, default=None)

    async def _around(self, group: Group, after: datetime) -> list[Occurrence]:
        changes = await self._meetings.changes(self._db, group.slug)
        return occurrences(group, after, AHEAD, changes, include_cancelled=False)

    async def _remind(self, group: Group, occurrence: Occurrence, offset: timedelta) -> int:
        """Queue what is missing. Looked at with reads first: once everyone's reminder
        is queued, the ticks until the meeting starts take no write lock."""
        wanted = await self._recipients(self._db, group, occurrence)
        queued = await self._notices.reminded(self._db, occurrence, offset)
        if all(reminder_for(occurrence, offset, to) in queued for to, _ in wanted):
            return 0
        added = 0
        now = self._clock.now()
        async with self._db.transaction() as tx:
            for to, mine in await self._recipients(tx, group, occurrence):
                if isinstance(to, Actor) and mine is not None:
                    added += await self._private(tx, group, occurrence, offset, to, mine, now)
                else:
                    added += await self._notices.reminder(tx, group, occurrence, offset, to)
        self._log(group, occurrence, offset, added)
        return added

    async def _recipients(
        self, db: Executor, group: Group, occurrence: Occurrence
    ) -> list[tuple[Actor | Place, MemberSettings | None]]:
        """The group's chats, then each seated member who did not say "no" and has not
        turned reminders off (with their settings)."""
        answers = await self._meetings.rsvps(db, group.slug, occurrence.key)
        settings = await self._settings.of_group(db, group.slug)  # one query for all
        found: list[tuple[Actor | Place, MemberSettings | None]] = [
            (place, None) for place in group_places(group)
        ]
        for membership in await self._members.of_group(db, group.slug):
            member = membership.member
            mine = self._settings.for_member(settings, member)
            seated = membership.status is SeatStatus.SEATED
            if seated and answers.get(member.key) != "no" and mine.reminders:
                found.append((member, mine))
        return found

    def _log(self, group: Group, occurrence: Occurrence, offset: timedelta, added: int) -> None:
        if added and occurrence.start <= self._clock.now():
            logger.warning(
                "reminders: %d for %s came too late (the meeting had started while the bot "
                "was down); recorded as not reminded, none sent",
                added,
                group.slug,
            )
        elif added:
            logger.info("reminders: %d queued for %s (%s before)", added, group.slug, offset)

    async def _private(
        self,
        tx: Executor,
        group: Group,
        occurrence: Occurrence,
        offset: timedelta,
        member: Actor,
        mine: MemberSettings,
        now: datetime,
    ) -> int:
        """A member's own reminder: times in their zone, held back by their quiet hours."""
        return await self._notices.reminder(
            tx,
            group,
            occurrence,
            offset,
            member,
            zone=mine.own_zone,
            not_before=mine.quiet_until(now),
        )


def _latest_due(group: Group, occurrence: Occurrence, now: datetime) -> timedelta | None:
    """The offset whose reminder came due last (at or before now), if any."""
    due = [o for o in group.schedule.reminders if occurrence.start - o <= now]
    return min(due, default=None)


class ReminderTimer:
    """Wakes the planner when the next reminder comes due (and at least every
    ``longest_sleep``, so a meeting moved or a member who joined since is seen soon)."""

    JOB = "reminders"

    def __init__(
        self,
        planner: ReminderPlanner,
        scheduler: Scheduler,
        clock: Clock,
        *,
        longest_sleep: timedelta = timedelta(minutes=1),
        after_each: Callable[[], None] | None = None,
    ) -> None:
        self._planner = planner
        self._scheduler = scheduler
        self._clock = clock
        self._longest_sleep = longest_sleep
        self._after_each = after_each

    async def start(self) -> None:
        """Catch up (whatever came due while the bot was down), then keep time."""
        self._scheduler.start()
        await self.tick()

    async def tick(self) -> None:
        try:
            if await self._planner.send_due() and self._after_each is not None:
                self._after_each()
        finally:
            now = self._clock.now()
            upcoming = await self._next_or_none()
            wake = min(upcoming or now + self._longest_sleep, now + self._longest_sleep)
            self._scheduler.wake_at(self.JOB, wake, self.tick)

    async def _next_or_none(self) -> datetime | None:
        try:
            return await self._planner.next_due()
        except Exception as error:  # storage trouble: look again after the longest sleep
            logger.warning("reminders: could not plan the next wake-up (%s)", type(error).__name__)
            return None
