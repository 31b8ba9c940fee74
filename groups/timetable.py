"""A group's coming meetings as plain text for an organizer's terminal: each in the
group's local time and as a UTC instant, with its status and its reminders."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from bot.config import format_offset
from groups.models import Group
from groups.recurrence import (
    Occurrence,
    OccurrenceChange,
    OccurrenceStatus,
    default_place,
    occurrences,
    reminder_times,
)

_COLUMN = 28  # where the UTC instants line up


def local_words(instant: datetime, zone: ZoneInfo) -> str:
    """``Tue 20 Oct 2026 19:00 BST``: the wall-clock time there, with the zone's name for it."""
    local = instant.astimezone(zone)
    return f"{local:%a} {local.day} {local:%b %Y %H:%M} {local.tzname()}"


def utc_words(instant: datetime) -> str:
    """``2026-10-20T18:00:00Z``: ISO 8601 in UTC."""
    return instant.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def next_meetings(
    group: Group,
    now: datetime,
    count: int = 3,
    changes: Mapping[datetime, OccurrenceChange] | None = None,
) -> str:
    """``Tue 1 Dec 19:00, Tue 8 Dec 19:00, Tue 15 Dec 19:00 (Europe/London)``: the next
    meetings that will happen (a cancelled one is left out), in the group's local time."""
    found = occurrences(group, now, count, changes, include_cancelled=False)
    if not found:
        return "none: the schedule has no meetings after today"
    days = [o.local_start for o in found]
    return ", ".join(f"{d:%a} {d.day} {d:%b %H:%M}" for d in days) + f" ({group.timezone})"


def timetable(group: Group, found: Sequence[Occurrence], described: str) -> list[str]:
    """The lines ``peercircle schedule`` prints for one group."""
    offsets = group.schedule.reminders
    reminders = " and ".join(format_offset(o) for o in _earliest_first(offsets)) or "none"
    lines = [
        f"{group.name} ({group.slug}): {described}",
        f"Reminders: {reminders}" + (" before each meeting" if offsets else ""),
    ]
    if not found:
        lines.append("No meetings from that day on.")
    for occurrence in found:
        lines.append(_line(local_words(occurrence.key, occurrence.zone), occurrence.key))
        lines[-1] += f"  {_status(group, occurrence)}"
        times = reminder_times(occurrence, offsets)
        for offset, due in zip(_earliest_first(offsets), times, strict=False):
            lines.append(_line(f"    reminder {format_offset(offset)} before", due))
    return lines


def _line(label: str, instant: datetime) -> str:
    return f"{label:<{_COLUMN - 2}}  {utc_words(instant)}"


def _earliest_first(offsets: Sequence[timedelta]) -> list[timedelta]:
    """Offsets in the order their reminders go out: the longest before comes first."""
    return sorted(set(offsets), reverse=True)


def _status(group: Group, occurrence: Occurrence) -> str:
    if occurrence.status is OccurrenceStatus.CANCELLED:
        return f"cancelled: {occurrence.reason or 'no reason given'}"
    if occurrence.status is OccurrenceStatus.SCHEDULED:
        return "scheduled"
    moved = "moved"
    if occurrence.start != occurrence.key:
        when = local_words(occurrence.start, occurrence.zone)
        moved += f" to {when} ({utc_words(occurrence.start)})"
    if occurrence.place != default_place(group):
        moved += f", at {occurrence.place}"
    return moved + (f": {occurrence.reason}" if occurrence.reason else "")
