"""Scheduled events on a platform (Discord's Guild Scheduled Events), as the core sees them.

An adapter whose platform has server events implements ``ScheduledEventsPort`` beside
``PlatformPort``; the domain decides which events should exist and asks the port to make
it so. The port knows nothing of groups or meetings: it lists, creates, edits and deletes
plain ``EventSpec`` values in one server (a "guild").

The bot recognises its own events by a *marker*: an opaque token (``pcev1-`` and 16 hex
digits) on the last line of the description, which the domain writes and the adapter
passes through verbatim. An event the bot did not create, or one without a marker, is
never edited nor deleted.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Protocol, runtime_checkable

from bot.platforms import Platforms

EVENT_CAP = 100  # Discord: at most 100 events per guild that are SCHEDULED or ACTIVE
NAME_MAX = 100  # characters, Discord's limits
DESCRIPTION_MAX = 1000
LOCATION_MAX = 100
MARKER_PREFIX = "pcev1-"
_MARKER = re.compile(rf"(?<![0-9A-Za-z-]){re.escape(MARKER_PREFIX)}[0-9a-f]{{16}}(?![0-9A-Za-z])")


class MissingPermission(Exception):
    """The bot may not create, edit or delete its events in this guild (Discord: neither
    Create Events nor Manage Events; or the bot is not in the guild)."""


@dataclass(frozen=True, slots=True)
class EventSpec:
    """One event as the bot wants it. Times are timezone-aware UTC; ``start`` is in the
    future when created. ``name`` is 1..100 characters, ``description`` at most 1000 (its
    last line is ``marker``), ``location`` 1..100 (a place, or an online meeting's link)."""

    guild_id: str
    marker: str
    name: str
    description: str
    start: datetime
    end: datetime
    location: str


@dataclass(frozen=True, slots=True)
class GuildEvent:
    """An uncompleted event in a guild (scheduled, or started and not yet over), as the
    platform has it; ``made_by_bot``: the bot's own account created it."""

    event_id: str
    guild_id: str
    name: str
    description: str
    start: datetime  # timezone-aware
    end: datetime | None
    location: str
    made_by_bot: bool
    active: bool = False  # someone started it (Discord's ACTIVE status)

    @property
    def marker(self) -> str | None:
        """The bot's marker, when the bot made this event; None: not the bot's to touch."""
        return marker_in(self.description) if self.made_by_bot else None

    def matches(self, spec: EventSpec) -> bool:
        """Whether it already is what ``spec`` asks (nothing to edit)."""
        return (
            self.name.strip() == spec.name.strip()
            and self.description.strip() == spec.description.strip()
            and self.location.strip() == spec.location.strip()
            and self.start == spec.start
            and self.end == spec.end
        )


@runtime_checkable
class ScheduledEventsPort(Protocol):
    """What the core asks of an adapter whose platform has server events.

    Each method may be called before the adapter has connected: it may wait for the
    connection (the caller gives one guild's work a time limit) or raise. Any method
    raises ``MissingPermission`` when the bot may not manage events in ``guild_id``;
    ``bot.platforms.PlatformBusy`` when a rate limit outlasted the adapter's own
    retries; anything else is a failure, tried again later.
    """

    @property
    def platform(self) -> str: ...

    async def can_manage_events(self, guild_id: str) -> bool:
        """Whether the bot may create, edit and delete its own events in ``guild_id``
        (from the cached permissions: no request). False when the bot is not in the
        guild; not yet connected, wait for the connection (or raise): never False."""
        ...

    async def list_scheduled_events(self, guild_id: str) -> Sequence[GuildEvent]:
        """Every uncompleted event in the guild (SCHEDULED or ACTIVE), whoever made it:
        all of them count towards the guild's cap of 100."""
        ...

    async def create_scheduled_event(self, spec: EventSpec) -> GuildEvent:
        """Create an external event (place: ``spec.location``), visible to guild members
        only, with exactly ``spec``'s name, description and times."""
        ...

    async def edit_scheduled_event(self, event_id: str, spec: EventSpec) -> None:
        """Set the event's name, description, start, end and location to ``spec``'s."""
        ...

    async def delete_scheduled_event(self, guild_id: str, event_id: str) -> None:
        """Delete the event; one already gone is not an error."""
        ...


def make_marker(*parts: str) -> str:
    """A stable, opaque marker for what ``parts`` name (say, a guild, a group and a
    meeting): the same parts always give the same marker, and it shows none of them."""
    digest = hashlib.sha256("\n".join(("peercircle-event", *parts)).encode()).hexdigest()
    return f"{MARKER_PREFIX}{digest[:16]}"


def marker_in(text: str) -> str | None:
    """The marker on the last line of ``text`` (an event's description), if there is one."""
    lines = text.strip().splitlines()
    found = _MARKER.search(lines[-1]) if lines else None
    return found.group(0) if found else None


def with_marker(text: str, marker: str) -> str:
    """``text``, cut to fit, with ``marker`` on its own last line."""
    room = DESCRIPTION_MAX - len(marker) - 2
    body = text.strip()
    if len(body) > room:
        body = body[: room - 1].rstrip() + "…"
    return f"{body}\n\n{marker}" if body else marker


def scheduled_events_port(platforms: Platforms, platform: str) -> ScheduledEventsPort | None:
    """The attached adapter for ``platform`` if it offers scheduled events, else None."""
    port = platforms.get(platform)
    return port if isinstance(port, ScheduledEventsPort) else None
