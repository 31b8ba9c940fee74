"""A group's meetings as an iCalendar (RFC 5545) file, for any calendar app.

One recurring VEVENT holds the schedule: DTSTART in the group's own zone (with its
VTIMEZONE), the schedule as an RRULE (``frequency``/``weekday`` schedules are written as
one too), an UNTIL in UTC when the schedule has ``until``, and an EXDATE for each
cancelled meeting. Each moved meeting is a VEVENT of its own with the same UID and a
RECURRENCE-ID naming the meeting it replaces. Calendar apps and :mod:`groups.recurrence`
then agree on every meeting: RFC 5545's reading of a local time that a daylight-saving
change skips (later by the gap) or repeats (the first) is the one the engine uses.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from icalendar import Calendar, Event, vRecur

from groups.models import Group, Schedule
from groups.recurrence import (
    OccurrenceChange,
    default_place,
    place_in_zone,
    schedule_rule,
    scheduled_starts,
)

PRODID = "-//PeerCircle//PeerCircle calendar//EN"
HISTORY = timedelta(days=30)  # how far back a series without a start date begins
_RULE_DAYS = ("MO", "TU", "WE", "TH", "FR", "SA", "SU")
_REPEATS = {"weekly": "FREQ=WEEKLY", "fortnightly": "FREQ=WEEKLY;INTERVAL=2"}


def calendar_uid(group: Group) -> str:
    return f"{group.slug}@peercircle"


def schedule_as_rrule(schedule: Schedule) -> str:
    """The schedule as an RFC 5545 RRULE value, without UNTIL: its own ``rrule``, or its
    ``frequency`` and ``weekday`` (``week_of_month``) written as one."""
    if schedule.rrule:
        return schedule.rrule
    day = _RULE_DAYS[schedule.weekday]
    if schedule.frequency == "monthly":
        return f"FREQ=MONTHLY;BYDAY={schedule.week_of_month or 1}{day}"
    return f"{_REPEATS.get(schedule.frequency, 'FREQ=WEEKLY')};BYDAY={day}"


def group_calendar(
    group: Group, changes: Mapping[datetime, OccurrenceChange], *, now: datetime
) -> Calendar:
    """The group's calendar as of ``now`` (UTC): its series, cancellations and moves."""
    calendar = Calendar()
    calendar.add("prodid", PRODID)
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("x-wr-calname", group.name)
    zone = ZoneInfo(group.timezone)
    first = _series_start(group, zone, now)
    if first is None:  # a schedule that has ended before it began: nothing to show
        return calendar
    series = _event(group, first, now)
    series.add("rrule", _rrule(group, zone))
    kept = {key: change for key, change in changes.items() if _in_series(group, key, first)}
    moved = []
    for key, change in sorted(kept.items()):
        if change.cancelled:
            series.add("exdate", key.astimezone(zone))
        elif change.new_start is not None or change.new_place is not None:
            moved.append(_moved(group, zone, change, now))
    calendar.add_component(series)
    for event in moved:
        calendar.add_component(event)
    earliest = min([first, *(change.new_start or first for change in kept.values())])
    calendar.add_missing_timezones(
        first_date=earliest.astimezone(zone).date() - timedelta(days=1),
        last_date=_last_date(group, now),
    )
    return calendar


def _series_start(group: Group, zone: ZoneInfo, now: datetime) -> datetime | None:
    """DTSTART, in the zone's wall-clock time as the rule gives it (so a time a change
    skips is written as the schedule says, and read by the RFC's rule): the schedule's
    ``starts``, or else its first meeting from ``HISTORY`` ago."""
    rule = schedule_rule(group.schedule)
    if group.schedule.starts_on is None:
        since = (now - HISTORY).astimezone(zone).replace(tzinfo=None)
        first = rule.after(datetime.combine(since.date(), time.min), inc=True)
    else:
        first = rule.after(datetime.combine(group.schedule.starts_on, time.min), inc=True)
    return first.replace(tzinfo=zone) if isinstance(first, datetime) else None


def _rrule(group: Group, zone: ZoneInfo) -> vRecur:
    rule: vRecur = vRecur.from_ical(schedule_as_rrule(group.schedule))
    if group.schedule.until is not None:  # the last moment of that day, in UTC
        last = datetime.combine(group.schedule.until, time(23, 59, 59))
        rule["UNTIL"] = [place_in_zone(last, zone)]
    return rule


def _in_series(group: Group, key: datetime, first: datetime) -> bool:
    """Whether a recorded change still names a meeting of this schedule (the config may
    have changed since) that the calendar's series holds."""
    if key < first:
        return False
    return next(scheduled_starts(group, key), None) == key


def _event(group: Group, start: datetime, now: datetime) -> Event:
    event = Event()
    event.add("uid", calendar_uid(group))
    event.add("dtstamp", now)
    event.add("dtstart", start)
    event.add("duration", timedelta(minutes=group.schedule.duration_minutes))
    event.add("summary", group.name)
    place = default_place(group)
    if place:
        event.add("location", place)
    if group.schedule.link:
        event.add("url", group.schedule.link)
    if group.description:
        event.add("description", group.description)
    return event


def _moved(group: Group, zone: ZoneInfo, change: OccurrenceChange, now: datetime) -> Event:
    event = _event(group, (change.new_start or change.key).astimezone(zone), now)
    event.add("recurrence-id", change.key.astimezone(zone))
    if change.new_place:
        event.pop("LOCATION", None)
        event.add("location", change.new_place)
    return event


def _last_date(group: Group, now: datetime) -> date:
    """How far the VTIMEZONE's changes are spelled out: past ``until``, or 20 years on."""
    if group.schedule.until is not None:
        return group.schedule.until + timedelta(days=2)
    return date(now.year + 20, 1, 1)
