"""When a group meets: its occurrences, as instants, from its schedule and exceptions.

The schedule is local wall-clock time in the group's zone: a 19:00 meeting is at 19:00
there on both sides of a daylight-saving change, so its UTC instant moves. Recurrence is
expanded by ``python-dateutil``'s RFC 5545 ``rrule`` on naive local times; each local time
is then placed in the zone by one rule for the two awkward cases of a change day:

- a time that does not exist (clocks jump from 01:00 to 02:00, the meeting is at 01:30)
  happens *later by the size of the jump*: 02:30 local, the same instant as 01:30 before
  the jump;
- a time that exists twice (clocks go back from 02:00 to 01:00, the meeting is at
  01:30) happens at the *first* of the two (before the clocks go back).

An occurrence is known by the instant its schedule gives it (``key``, UTC), whatever
happens to it later: exceptions (cancelled, moved), RSVPs and reminders all refer to it.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from enum import Enum
from zoneinfo import ZoneInfo

from dateutil.rrule import MONTHLY, WEEKLY, rrule, rrulestr, weekday

from bot.config.rule import rule_parts
from groups.models import Group, Schedule

DEFAULT_ANCHOR = date(2024, 1, 1)  # where a series without a start date is counted from
MOVE_REACH = timedelta(days=31)  # how far from its scheduled start a moved meeting is looked for
_DAYS = tuple(weekday(n) for n in range(7))


class OccurrenceStatus(Enum):
    SCHEDULED = "scheduled"
    CANCELLED = "cancelled"
    MOVED = "moved"


@dataclass(frozen=True, slots=True)
class OccurrenceChange:
    """An exception to the schedule, kept in the database: cancelled (with a reason), or
    moved to a new start and/or place."""

    key: datetime  # the occurrence's scheduled start, UTC
    cancelled: bool = False
    reason: str = ""
    new_start: datetime | None = None  # UTC
    new_place: str | None = None


@dataclass(frozen=True, slots=True)
class Occurrence:
    group_slug: str
    key: datetime  # the scheduled start, UTC: the occurrence's identity
    start: datetime  # when it actually starts, UTC (a moved meeting's new time)
    duration: timedelta
    zone: ZoneInfo
    status: OccurrenceStatus
    place: str  # where: a location, or the link of an online meeting
    reason: str = ""

    @property
    def end(self) -> datetime:
        return self.start + self.duration

    @property
    def local_start(self) -> datetime:
        return self.start.astimezone(self.zone)

    @property
    def cancelled(self) -> bool:
        return self.status is OccurrenceStatus.CANCELLED


def place_in_zone(local: datetime, zone: ZoneInfo) -> datetime:
    """The UTC instant of a naive local wall-clock time, by this module's change-day
    rule (zoneinfo's ``fold=0``: a skipped time moves later by the gap, a repeated time
    is the first of the two)."""
    return local.replace(tzinfo=zone, fold=0).astimezone(UTC)


def schedule_rule(schedule: Schedule, *, near: date | None = None) -> rrule:
    """The schedule as a dateutil rule over naive local times. With ``near``, the rule
    may count from a later day than the series' first when that gives exactly the same
    meetings from ``near`` on (see ``counting_from``)."""
    first = datetime.combine(counting_from(schedule, near), schedule.start)
    until = datetime.combine(schedule.until, time.max) if schedule.until else None
    if schedule.rrule:
        rule = rrulestr(schedule.rrule, dtstart=first, forceset=False)
        if not isinstance(rule, rrule):
            raise ValueError("a schedule's rrule must be one RRULE")
        if until is not None and "COUNT=" not in schedule.rrule.upper():
            return rule.replace(until=until)
        return rule
    day = _DAYS[schedule.weekday]
    if schedule.frequency == "monthly":
        which = schedule.week_of_month or 1
        return rrule(MONTHLY, dtstart=first, byweekday=day(which), until=until)
    interval = 2 if schedule.frequency == "fortnightly" else 1
    return rrule(WEEKLY, dtstart=first, interval=interval, byweekday=day, until=until)


def counting_from(schedule: Schedule, near: date | None) -> date:
    """The day a schedule's rule counts from: the series' first day, or, for a series
    that began long before ``near``, a later day a whole number of its steps on (weeks,
    fortnights, months; days for a daily rule), which gives the same meetings from
    ``near`` on without stepping through every one since the first (dateutil walks
    from the rule's first day). A rule with COUNT or INTERVAL, or another frequency,
    keeps its first day."""
    first = schedule.starts_on or DEFAULT_ANCHOR
    if near is None or near <= first:
        return first
    if schedule.rrule:
        parts = rule_parts(schedule.rrule)
        step = {"DAILY": 1, "WEEKLY": 7}.get(parts.get("FREQ", ""))
        if step is None or "COUNT" in parts or parts.get("INTERVAL", "1") != "1":
            return first
    elif schedule.frequency == "monthly":  # its day comes from week_of_month, not the first
        return max(first, near.replace(day=1))
    else:
        step = 14 if schedule.frequency == "fortnightly" else 7
    return first + timedelta(days=(near - first).days // step * step)


def scheduled_starts(group: Group, after: datetime) -> Iterator[datetime]:
    """Scheduled starts (UTC) from ``after`` on (inclusive), in order, without end."""
    zone = ZoneInfo(group.timezone)
    # A day early in local time, so no start near ``after`` is missed by the zone shift.
    local_after = after.astimezone(zone).replace(tzinfo=None) - timedelta(days=1)
    rule = schedule_rule(group.schedule, near=local_after.date())
    for local in rule.xafter(local_after, inc=True):
        instant = place_in_zone(local, zone)
        if instant >= after:
            yield instant


def occurrences(
    group: Group,
    after: datetime,
    count: int,
    changes: Mapping[datetime, OccurrenceChange] | None = None,
    *,
    include_cancelled: bool = True,
) -> list[Occurrence]:
    """The next ``count`` occurrences of ``group`` that end after ``after``, with their
    exceptions applied, ordered by when they actually start."""
    changes = changes or {}
    duration = timedelta(minutes=group.schedule.duration_minutes)
    # A moved meeting may start up to MOVE_REACH from where its schedule put it, so with
    # a move the search reaches that far either side; without one, it starts at the
    # first meeting that could still be going on and stops at ``count``.
    moved = any(change.new_start is not None for change in changes.values())
    reach = MOVE_REACH if moved else timedelta(0)
    look_from = after - duration - reach
    found: list[Occurrence] = []
    for key in scheduled_starts(group, look_from):
        occurrence = _apply(group, key, duration, changes.get(key))
        if occurrence.end > after and (include_cancelled or not occurrence.cancelled):
            found.append(occurrence)
        if key > after + reach and len(found) >= count:
            break
    found.sort(key=lambda o: (o.start, o.key))
    return found[:count]


def occurrences_in_order(
    group: Group,
    after: datetime,
    changes: Mapping[datetime, OccurrenceChange] | None = None,
    *,
    include_cancelled: bool = True,
) -> Iterator[Occurrence]:
    """What ``occurrences`` returns, one at a time and without end (take as many as
    needed), for a group none of whose meetings is moved: they come in the order they
    start. (A move can change that order: then use ``occurrences``.)"""
    changes = changes or {}
    if any(change.new_start is not None for change in changes.values()):
        raise ValueError("a moved meeting can change the order: use occurrences()")
    duration = timedelta(minutes=group.schedule.duration_minutes)
    for key in scheduled_starts(group, after - duration):
        occurrence = _apply(group, key, duration, changes.get(key))
        if occurrence.end > after and (include_cancelled or not occurrence.cancelled):
            yield occurrence


def reminder_times(occurrence: Occurrence, offsets: tuple[timedelta, ...]) -> list[datetime]:
    """When the reminders of ``occurrence`` are due (UTC), earliest first: each offset
    before its actual start. None for a cancelled occurrence."""
    if occurrence.cancelled:
        return []
    return sorted(occurrence.start - offset for offset in set(offsets))


def default_place(group: Group) -> str:
    return group.schedule.link if group.online else group.location


def _apply(
    group: Group, key: datetime, duration: timedelta, change: OccurrenceChange | None
) -> Occurrence:
    zone = ZoneInfo(group.timezone)
    place = default_place(group)
    if change is None:
        return Occurrence(group.slug, key, key, duration, zone, OccurrenceStatus.SCHEDULED, place)
    if change.cancelled:
        status = OccurrenceStatus.CANCELLED
        return Occurrence(group.slug, key, key, duration, zone, status, place, change.reason)
    return Occurrence(
        group.slug,
        key,
        change.new_start or key,
        duration,
        zone,
        OccurrenceStatus.MOVED,
        change.new_place or place,
        change.reason,
    )
