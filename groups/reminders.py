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

import asyncio
import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

from bot.clock import Clock
from bot.events import Actor, Place
from bot.outbox import OutboxMessage
from bot.scheduler import Scheduler
from bot.storage.database import Database, Executor
from groups.announcements import group_places
from groups.directory import GroupDirectory
from groups.meeting_notices import MeetingNotices, reminder_for, reminder_key
from groups.meetings_repo import MeetingsRepository
from groups.member_settings import MemberSettings, MemberSettingsService
from groups.membership_repo import MembershipRepository
from groups.models import Group, SeatStatus
from groups.recurrence import (
    MOVE_REACH,
    Occurrence,
    OccurrenceChange,
    occurrences,
    occurrences_in_order,
    reminder_times,
)
from groups.reminder_targets import ReminderTargets

logger = logging.getLogger(__name__)

Due = tuple[Group, Occurrence, timedelta]  # a reminder that has come due: whose, of what

LOOK_BACK = timedelta(hours=6)  # meetings that started this recently still get records
AHEAD = 4  # occurrences per group looked at for the next reminder time
SLICE = 500  # groups looked at between two turns of the event loop (a command may run)
WRITTEN_PER_TURN = 50  # reminders written out between two turns of the event loop
QUEUED_PER_TRANSACTION = 100  # reminders inserted in one write transaction
NO_CHANGES: dict[datetime, OccurrenceChange] = {}  # shared, never changed


@dataclass(frozen=True, slots=True)
class _Looked:
    """A group's meetings that matter (``_around``) as found at ``since``: the same for
    every instant before ``until``, while the group and its exceptions are the same."""

    group: Group
    changes: dict[datetime, OccurrenceChange]
    since: datetime
    until: datetime | None  # None: for as long as the group and its exceptions stay
    around: list[Occurrence]

    def holds(self, group: Group, changes: dict[datetime, OccurrenceChange], now: datetime) -> bool:
        return (
            self.since <= now
            and (self.until is None or now < self.until)
            and (self.group is group or self.group == group)
            and self.changes == changes
        )


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
        self._targets = ReminderTargets()
        self._looked: dict[str, _Looked] = {}  # each group's last look, reused while it holds

    async def send_due(self) -> int:
        """Put every reminder whose time has come in the outbox; how many were new."""
        added, _ = await self.send_due_and_plan()
        return added

    async def next_due(self) -> datetime | None:
        """The next instant a reminder comes due, after now (None: no reminders ahead)."""
        now = self._clock.now()
        return _next_time(await self._look(now), now)

    async def send_due_and_plan(self) -> tuple[int, datetime | None]:
        """``send_due`` and then ``next_due``, from one look at every group's meetings
        (what the timer does at each wake-up): how many reminders were new, and when
        the next one comes due."""
        now = self._clock.now()
        looked = await self._look(now)
        due = [
            (group, occurrence, offset)
            for group, around in looked
            for occurrence in around[:AHEAD]
            if (offset := _latest_due(group, occurrence, now)) is not None
        ]
        added = 0
        for group, occurrence, offset in await self._not_all_queued(due):
            added += await self._remind(group, occurrence, offset)
        return added, _next_time(looked, self._clock.now())

    async def _not_all_queued(self, due: list[Due]) -> list[Due]:
        """The due reminders someone is still without (joined since, or the bot was down
        when it came due). Found with reads, a few queries for every group together: once
        everyone's reminder is queued, a tick takes no write lock."""
        wanted = await self._targets.wanted(self._db, [(g.slug, o.key) for g, o, _ in due])
        queued = await self._notices.reminded_each(self._db, [(o, off) for _, o, off in due])
        missing = []
        for (group, occurrence, offset), people, keys in zip(due, wanted, queued, strict=True):
            prefix = reminder_key(occurrence, offset)
            needed = {reminder_for(occurrence, offset, place) for place in group_places(group)}
            if not needed | {prefix + person for person in people} <= keys:
                missing.append((group, occurrence, offset))
        return missing

    async def _look(self, now: datetime) -> list[tuple[Group, list[Occurrence]]]:
        """Each group with the meetings that matter now (see ``_around``). One query
        reads every group's exceptions. A group's last look is reused while it still
        holds (most do from one minute to the next: see ``_valid_until``), and the event
        loop gets a turn every ``SLICE`` groups, so commands are answered meanwhile."""
        since = now - LOOK_BACK - MOVE_REACH - timedelta(days=1)
        changes = await self._meetings.changes_since(self._db, since)
        kept, self._looked = self._looked, {}
        found = []
        for count, group in enumerate(self._directory.all(), start=1):
            mine = changes.get(group.slug, NO_CHANGES)
            last = kept.get(group.slug)
            if last is None or not last.holds(group, mine, now):
                around = _around(group, now, mine)
                until = _valid_until(group, mine, around, now)
                last = _Looked(group, mine, now, until, around)
            self._looked[group.slug] = last
            found.append((group, last.around))
            if count % SLICE == 0:
                await asyncio.sleep(0)
        return found

    async def _remind(self, group: Group, occurrence: Occurrence, offset: timedelta) -> int:
        """Queue what is missing (what is there already is kept as it is).

        Who is to be reminded is read first and each message written out with the event
        loop given a turn every ``WRITTEN_PER_TURN``; only the inserts hold the write
        lock, ``QUEUED_PER_TRANSACTION`` at a time. So a fan-out already going out keeps
        its pace while the next group's is prepared: its sends record themselves as
        sent, which needs that lock. A crash midway leaves part of a group's reminders
        queued, and the next tick queues the rest (``_not_all_queued``). (Someone
        leaving or answering "no" in the few milliseconds between the read and the write
        may still be reminded, as if they had done it a moment later; the dedupe keys
        keep a reminder from being queued twice, however many processes plan it.)"""
        now = self._clock.now()
        messages = []
        recipients = await self._recipients(self._db, group, occurrence)
        for count, (to, mine) in enumerate(recipients, start=1):
            if isinstance(to, Actor) and mine is not None:
                messages.append(self._private(group, occurrence, offset, to, mine, now))
            else:
                messages.append(self._notices.reminder(group, occurrence, offset, to))
            if count % WRITTEN_PER_TURN == 0:
                await asyncio.sleep(0)
        added = 0
        for start in range(0, len(messages), QUEUED_PER_TRANSACTION):
            async with self._db.transaction() as tx:
                chunk = messages[start : start + QUEUED_PER_TRANSACTION]
                added += await self._notices.reminders(tx, chunk)
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

    def _private(
        self,
        group: Group,
        occurrence: Occurrence,
        offset: timedelta,
        member: Actor,
        mine: MemberSettings,
        now: datetime,
    ) -> OutboxMessage:
        """A member's own reminder: times in their zone, held back by their quiet hours."""
        return self._notices.reminder(
            group,
            occurrence,
            offset,
            member,
            zone=mine.own_zone,
            not_before=mine.quiet_until(now),
        )


def _around(
    group: Group, now: datetime, changes: dict[datetime, OccurrenceChange]
) -> list[Occurrence]:
    """The group's meetings that ended at most ``LOOK_BACK`` ago or are still to come:
    at most ``AHEAD`` and two more (so ``AHEAD`` of them are still to come), and none
    after the first whose every reminder comes later than one already found (it could
    neither be due nor be next). Most groups need one or two, not six."""
    offsets = group.schedule.reminders
    if not offsets:
        return []
    after = now - LOOK_BACK
    if any(change.new_start is not None for change in changes.values()):
        return occurrences(group, after, AHEAD + 2, changes, include_cancelled=False)
    farthest = max(offsets)
    found: list[Occurrence] = []
    soonest: datetime | None = None  # the earliest reminder after now so far
    for occurrence in occurrences_in_order(group, after, changes, include_cancelled=False):
        if soonest is not None and occurrence.start - farthest > soonest:
            break
        found.append(occurrence)
        for when in reminder_times(occurrence, offsets):
            if when > now and (soonest is None or when < soonest):
                soonest = when
        if len(found) == AHEAD + 2:
            break
    return found


def _valid_until(
    group: Group,
    changes: dict[datetime, OccurrenceChange],
    around: list[Occurrence],
    now: datetime,
) -> datetime | None:
    """Until when ``_around`` gives ``around`` again (None: always, while the group and
    its exceptions stay the same): until the first meeting found ended ``LOOK_BACK`` ago
    (it drops out), or the earliest reminder after ``now`` among them comes (the search
    could then reach further). A moved meeting is looked at afresh each time."""
    offsets = group.schedule.reminders
    if any(change.new_start is not None for change in changes.values()):
        return now  # not kept
    if not offsets or not around:  # none now, none later: time only takes meetings away
        return None
    coming = [when for o in around for when in reminder_times(o, offsets) if when > now]
    return min([around[0].end + LOOK_BACK, *coming])


def _next_time(looked: list[tuple[Group, list[Occurrence]]], now: datetime) -> datetime | None:
    """The earliest reminder after ``now`` among the next ``AHEAD`` meetings of each
    group that have not ended."""
    upcoming = [
        when
        for group, around in looked
        for occurrence in [o for o in around if o.end > now][:AHEAD]
        for when in reminder_times(occurrence, group.schedule.reminders)
        if when > now
    ]
    return min(upcoming, default=None)


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

    def start_soon(self) -> None:
        """``start``, with the catching up as the first wake-up, at once: for a bot that
        answers first (the catching up then runs beside its first commands)."""
        self._scheduler.start()
        self._scheduler.wake_at(self.JOB, self._clock.now(), self.tick)

    async def tick(self) -> None:
        upcoming: datetime | None = None
        try:
            added, upcoming = await self._planner.send_due_and_plan()
            if added and self._after_each is not None:
                self._after_each()
        finally:  # after storage trouble (raised, for the caller to log): the longest sleep
            now = self._clock.now()
            wake = min(upcoming or now + self._longest_sleep, now + self._longest_sleep)
            self._scheduler.wake_at(self.JOB, wake, self.tick)
