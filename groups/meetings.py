"""Meetings: the next occurrences of a group, RSVPs, and a facilitator's exceptions.

A cancel or a move is recorded and its notice to each seated member is put in the
outbox in one transaction; reminders still waiting in the outbox for that occurrence are
withdrawn, so nobody is reminded of a meeting that is off or at its old time.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta

from bot.clock import Clock
from bot.errors import UserError
from bot.events import Actor
from bot.storage.database import Database, Executor
from groups.calendar import group_calendar
from groups.meeting_notices import MeetingNotices
from groups.meetings_repo import MeetingsRepository
from groups.member_settings import MemberSettingsService
from groups.membership_repo import MembershipRepository
from groups.models import Group, SeatStatus
from groups.recurrence import Occurrence, OccurrenceChange, occurrences

ANSWERS = ("yes", "no", "maybe")
LOOK_AHEAD = 60  # occurrences searched for a date a facilitator names


@dataclass(frozen=True, slots=True)
class Attendance:
    occurrence: Occurrence
    answers: dict[str, list[Actor]]  # "yes"/"no"/"maybe" -> seated members who said so
    silent: list[Actor]  # seated members who have not answered
    not_reminded: int  # reminders for it that could not go out in time


class MeetingService:
    def __init__(
        self,
        db: Database,
        clock: Clock,
        notices: MeetingNotices,
        settings: MemberSettingsService,
    ) -> None:
        self._db = db
        self._clock = clock
        self._notices = notices
        self._settings = settings
        self._repo = MeetingsRepository()
        self._members = MembershipRepository()

    async def upcoming(self, group: Group, count: int = 1) -> list[Occurrence]:
        """The next ``count`` occurrences not yet over (cancelled ones included)."""
        changes = await self._repo.changes(self._db, group.slug)
        return occurrences(group, self._clock.now(), count, changes)

    async def calendar(self, group: Group) -> bytes:
        """The group's ``.ics`` file as of now, its cancelled and moved meetings included."""
        changes = await self._repo.changes(self._db, group.slug)
        calendar = group_calendar(group, changes, now=self._clock.now())
        return bytes(calendar.to_ical())

    async def next_meeting(self, group: Group) -> Occurrence | None:
        """The next occurrence that will take place (not cancelled, not started)."""
        now = self._clock.now()
        changes = await self._repo.changes(self._db, group.slug)
        found = occurrences(group, now, 12, changes, include_cancelled=False)
        return next((o for o in found if o.start > now), None)

    async def rsvp(self, actor: Actor, group: Group, answer: str) -> Occurrence:
        """Record ``answer`` for the next meeting; only seated members answer."""
        occurrence = await self.next_meeting(group)
        if occurrence is None:
            raise UserError("meetings.none_coming", group=group.name)
        async with self._db.transaction(quick=True) as tx:
            membership = await self._members.find(tx, group.slug, actor)
            if membership is None or membership.status is not SeatStatus.SEATED:
                raise UserError("meetings.rsvp.not_seated", group=group.name, slug=group.slug)
            await self._repo.record_rsvp(
                tx, group.slug, occurrence.key, actor, answer, self._clock.now()
            )
        return occurrence

    async def answer_counts(self, group: Group, occurrence: Occurrence) -> dict[str, int]:
        """How many seated members answered yes, no and maybe for ``occurrence``:
        counts only, for a card everyone in a chat sees."""
        found = await self._repo.seated_answer_counts(self._db, group.slug, occurrence.key)
        return {answer: found.get(answer, 0) for answer in ANSWERS}

    async def find(self, group: Group, day: date | None) -> Occurrence:
        """The occurrence on ``day`` (local), or the next one; a kind error if none."""
        now = self._clock.now()
        changes = await self._repo.changes(self._db, group.slug)
        found = occurrences(group, now, LOOK_AHEAD, changes)
        if day is None:
            match = next((o for o in found if o.start > now and not o.cancelled), None)
        else:
            match = next((o for o in found if o.local_start.date() == day), None)
        if match is None:
            shown = day.isoformat() if day else ""
            raise UserError("meetings.no_meeting_on", group=group.name, date=shown)
        return match

    async def cancel(self, group: Group, occurrence: Occurrence, reason: str) -> int:
        """Cancel one occurrence; every seated member is told. How many were told."""
        change = OccurrenceChange(key=occurrence.key, cancelled=True, reason=reason)
        return await self._change(group, occurrence, change)

    async def move(
        self, group: Group, occurrence: Occurrence, new_start: datetime, place: str | None
    ) -> int:
        change = OccurrenceChange(key=occurrence.key, new_start=new_start, new_place=place)
        return await self._change(group, occurrence, change)

    async def attendance(self, group: Group, occurrence: Occurrence) -> Attendance:
        answers = await self._repo.rsvps(self._db, group.slug, occurrence.key)
        seated = [
            m.member
            for m in await self._members.of_group(self._db, group.slug)
            if m.status is SeatStatus.SEATED
        ]
        by_answer: dict[str, list[Actor]] = {answer: [] for answer in ANSWERS}
        for member in seated:
            if member.key in answers:
                by_answer[answers[member.key]].append(member)
        silent = [m for m in seated if m.key not in answers]
        missed = await self._notices.missed_reminders(self._db, occurrence)
        return Attendance(occurrence, by_answer, silent, missed)

    async def _change(self, group: Group, before: Occurrence, change: OccurrenceChange) -> int:
        now = self._clock.now()
        async with self._db.transaction() as tx:
            await self._repo.record_change(tx, group.slug, change, now)
            after = await self._occurrence_in(tx, group, change)
            await self._notices.withdraw_reminders(tx, before)
            settings = await self._settings.of_group(tx, group.slug)
            told = 0
            for membership in await self._members.of_group(tx, group.slug):
                if membership.status is SeatStatus.SEATED:
                    member = membership.member
                    zone = self._settings.for_member(settings, member).own_zone
                    told += await self._notices.meeting_changed(
                        tx, group, before, after, member, now, zone
                    )
        return told

    async def _occurrence_in(
        self, tx: Executor, group: Group, change: OccurrenceChange
    ) -> Occurrence:
        """The occurrence as it is now, with ``change`` (just recorded) applied."""
        changes = await self._repo.changes(tx, group.slug)
        earliest = min(change.key, change.new_start or change.key) - timedelta(seconds=1)
        around = occurrences(group, earliest, LOOK_AHEAD, changes)
        return next(o for o in around if o.key == change.key)
