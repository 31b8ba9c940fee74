"""From the events a server should have and those it has, the fewest changes (pure).

- Only the bot's own events (made by it, with its marker) are edited or deleted; every
  other event is left alone, but counts towards the server's cap of 100 upcoming events.
- The nearest meetings come first: when there is not room for all, the furthest are left
  out (and their events, if any, deleted) so the server never goes over the cap.
- An event that already is what is wanted is left as it is: planning again right after
  the changes were made plans nothing.
- An event is created, or has its time changed, only for a meeting that starts later than
  ``lead`` from now (a platform refuses a start in the past); a meeting under way keeps
  its event, untouched, until it is over. Then (or when cancelled, or no longer among
  the next meetings) the event is deleted.
- Two events with one marker (say, a create whose answer was lost): one is kept.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from bot.events_port import EVENT_CAP, EventSpec, GuildEvent

LEAD = timedelta(minutes=1)


@dataclass(frozen=True, slots=True)
class GuildPlan:
    """Changes for one server, to be made in this order: deletes (making room), then
    edits, then creates (nearest first)."""

    guild_id: str
    deletes: tuple[GuildEvent, ...] = ()
    edits: tuple[tuple[GuildEvent, EventSpec], ...] = ()
    creates: tuple[EventSpec, ...] = ()
    left_out: int = 0  # meetings wanted that the cap had no room for

    @property
    def empty(self) -> bool:
        return not (self.deletes or self.edits or self.creates)


def plan_guild(
    guild_id: str,
    wanted: Sequence[EventSpec],
    existing: Sequence[GuildEvent],
    now: datetime,
    *,
    cap: int = EVENT_CAP,
    lead: timedelta = LEAD,
) -> GuildPlan:
    """What to change in ``guild_id`` so its events are ``wanted`` (nearest first)."""
    ours = sorted((e for e in existing if e.marker is not None), key=_oldest_first)
    room = max(cap - (len(existing) - len(ours)), 0)
    kept = sorted(wanted, key=lambda spec: (spec.start, spec.marker))[:room]
    by_marker, deletes = _one_per_marker(ours)
    edits: list[tuple[GuildEvent, EventSpec]] = []
    creates: list[EventSpec] = []
    for spec in kept:
        found = by_marker.pop(spec.marker, None)
        in_time = spec.start > now + lead
        if found is None and in_time:
            creates.append(spec)
        elif found is not None and in_time and not found.active and not found.matches(spec):
            edits.append((found, spec))
    deletes += by_marker.values()  # over, cancelled, beyond the horizon or the cap
    return GuildPlan(
        guild_id, tuple(deletes), tuple(edits), tuple(creates), len(wanted) - len(kept)
    )


def _one_per_marker(ours: Sequence[GuildEvent]) -> tuple[dict[str, GuildEvent], list[GuildEvent]]:
    """The bot's events by marker (the oldest of two for one meeting), and the extras."""
    by_marker: dict[str, GuildEvent] = {}
    extras: list[GuildEvent] = []
    for event in ours:
        if event.marker is None:
            continue  # not the bot's to touch
        if event.marker in by_marker:
            extras.append(event)
        else:
            by_marker[event.marker] = event
    return by_marker, extras


def _oldest_first(event: GuildEvent) -> tuple[int, str]:
    """Platform ids that are numbers (Discord's snowflakes) grow with time."""
    digits = event.event_id.isdigit()
    return (int(event.event_id) if digits else 0, "" if digits else event.event_id)
