"""A platform's server events, as the core's ``ScheduledEventsPort`` sees them.

A stand-in for the platform at the very edge, holding each server's uncompleted events
in memory and refusing what Discord refuses: a 101st uncompleted event in a server, a
start in the past, a name or location outside 1..100 characters, a description over
1000. ``deny`` takes the permission to manage events away (``revoke_quietly``: the
permission check still says yes, the requests are refused, as in a race); ``fail_next``
makes the next request raise. Every request is recorded in ``calls``.
"""

from __future__ import annotations

import itertools
from collections.abc import Sequence
from dataclasses import replace
from datetime import datetime, timedelta

from bot.clock import Clock
from bot.events_port import (
    DESCRIPTION_MAX,
    EVENT_CAP,
    LOCATION_MAX,
    NAME_MAX,
    EventSpec,
    GuildEvent,
    MissingPermission,
)


class EventRefused(Exception):
    """What the platform answers to a request it will not carry out (a 400)."""


class FakeScheduledEvents:
    def __init__(self, clock: Clock, platform: str = "discord") -> None:
        self._clock = clock
        self._platform = platform
        self.events: dict[str, dict[str, GuildEvent]] = {}
        self.calls: list[tuple[str, ...]] = []
        self.denied: set[str] = set()
        self.revoked: set[str] = set()
        self.peak: dict[str, int] = {}
        self._failures: list[Exception] = []
        self._ids = itertools.count(900_000_000_000_000_001)

    @property
    def platform(self) -> str:
        return self._platform

    # --- the port -------------------------------------------------------------------

    async def can_manage_events(self, guild_id: str) -> bool:
        return guild_id not in self.denied

    async def list_scheduled_events(self, guild_id: str) -> Sequence[GuildEvent]:
        self._request("list", guild_id)
        return sorted(self.guild(guild_id), key=lambda event: int(event.event_id))

    async def create_scheduled_event(self, spec: EventSpec) -> GuildEvent:
        self._request("create", spec.guild_id, spec.marker)
        self._check(spec)
        if len(self.guild(spec.guild_id)) >= EVENT_CAP:
            raise EventRefused("maximum number of uncompleted guild scheduled events reached")
        event = GuildEvent(
            str(next(self._ids)),
            spec.guild_id,
            spec.name,
            spec.description,
            spec.start,
            spec.end,
            spec.location,
            made_by_bot=True,
        )
        self.events.setdefault(spec.guild_id, {})[event.event_id] = event
        count = len(self.events[spec.guild_id])
        self.peak[spec.guild_id] = max(self.peak.get(spec.guild_id, 0), count)
        return event

    async def edit_scheduled_event(self, event_id: str, spec: EventSpec) -> None:
        self._request("edit", spec.guild_id, event_id)
        self._check(spec)
        old = self.events.get(spec.guild_id, {}).get(event_id)
        if old is None:
            raise EventRefused("unknown guild scheduled event")
        if not old.made_by_bot:
            raise MissingPermission(spec.guild_id)  # someone else's event
        self.events[spec.guild_id][event_id] = replace(
            old,
            name=spec.name,
            description=spec.description,
            start=spec.start,
            end=spec.end,
            location=spec.location,
        )

    async def delete_scheduled_event(self, guild_id: str, event_id: str) -> None:
        self._request("delete", guild_id, event_id)
        old = self.events.get(guild_id, {}).get(event_id)
        if old is not None and not old.made_by_bot:
            raise MissingPermission(guild_id)
        self.events.get(guild_id, {}).pop(event_id, None)

    # --- for tests ------------------------------------------------------------------

    def guild(self, guild_id: str) -> list[GuildEvent]:
        return list(self.events.get(guild_id, {}).values())

    def ours(self, guild_id: str) -> list[GuildEvent]:
        """The bot's events with a marker, by start."""
        found = [e for e in self.guild(guild_id) if e.marker is not None]
        return sorted(found, key=lambda event: event.start)

    def add_foreign(
        self, guild_id: str, count: int = 1, *, description: str = "", made_by_bot: bool = False
    ) -> list[GuildEvent]:
        """Events someone else made (or the bot made some other way), a day apart."""
        added = []
        for n in range(count):
            start = self._clock.now() + timedelta(days=n + 1)
            event = GuildEvent(
                str(next(self._ids)),
                guild_id,
                f"Games night {n}",
                description,
                start,
                start + timedelta(hours=2),
                "The lounge",
                made_by_bot=made_by_bot,
            )
            self.events.setdefault(guild_id, {})[event.event_id] = event
            added.append(event)
        return added

    def deny(self, guild_id: str) -> None:
        self.denied.add(guild_id)

    def allow(self, guild_id: str) -> None:
        self.denied.discard(guild_id)
        self.revoked.discard(guild_id)

    def revoke_quietly(self, guild_id: str) -> None:
        self.revoked.add(guild_id)

    def fail_next(self, error: Exception) -> None:
        self._failures.append(error)

    def writes(self) -> list[tuple[str, ...]]:
        return [call for call in self.calls if call[0] != "list"]

    def _request(self, *call: str) -> None:
        self.calls.append(call)
        if self._failures:
            raise self._failures.pop(0)
        if call[1] in self.denied or (call[1] in self.revoked and call[0] != "list"):
            raise MissingPermission(call[1])

    def _check(self, spec: EventSpec) -> None:
        if not 1 <= len(spec.name) <= NAME_MAX or not 1 <= len(spec.location) <= LOCATION_MAX:
            raise EventRefused("name and location are 1 to 100 characters")
        if len(spec.description) > DESCRIPTION_MAX:
            raise EventRefused("description is at most 1000 characters")
        if spec.start <= self._clock.now() or spec.end <= spec.start:
            raise EventRefused("cannot schedule an event in the past")
        if spec.start.tzinfo is None:
            raise EventRefused("times must be timezone-aware")


def starts(events: Sequence[GuildEvent]) -> list[datetime]:
    return [event.start for event in events]
