"""Meetings as Discord server events: the core's ``ScheduledEventsPort`` over discord.py.

``ServerEvents`` is the adapter's side of it; ``OffersServerEvents`` gives the adapter
the port's five methods (it mixes them in and holds a ``ServerEvents``).

- ``can_manage_events`` reads the bot's permissions in the server from discord.py's
  cache (the server's roles and the bot's own member, which the gateway keeps current):
  no request. Before the gateway connection is ready it waits for it (the caller gives
  one server's work a time limit): never False for not being connected yet. A server
  the gateway says is unavailable (an outage) is a failure, tried again later.
- Events are EXTERNAL (a place, or an online meeting's link, as their location) and
  visible to the server's members only; name, description and times are passed as given.
- The bot's own events are those whose creator is the bot's account.
- Each server's last listed events are kept (at most 100 each), so editing or deleting
  one needs no extra request to fetch it.

Faults. 403 (50013 Missing Permissions, 50001 Missing Access) and 404 for the server
(10004: the bot is not in it) are ``MissingPermission``. Deleting an event already gone
(404, 10070) is done. A 429 longer than discord.py waits out is ``PlatformBusy``.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator, Callable, Sequence

import discord

from adapters.discord.delivery import busy_when_limited
from bot.events_port import EventSpec, GuildEvent, MissingPermission

MISSING_ACCESS = 50001
MISSING_PERMISSIONS = 50013
UNKNOWN_GUILD = 10004
UNKNOWN_EVENT = 10070
READY_POLL = 0.1  # seconds between looks at the connection while it is not ready
UNCOMPLETED = (discord.EventStatus.scheduled, discord.EventStatus.active)

CurrentClient = Callable[[], discord.Client | None]


class ServerEvents:
    def __init__(self, client: CurrentClient) -> None:
        """``client``: the adapter's client now (None, or not ready: not connected)."""
        self._client = client
        self._seen: dict[str, dict[int, discord.ScheduledEvent]] = {}

    async def connected(self) -> discord.Client:
        """The client once its gateway connection is ready (its servers cached)."""
        while True:
            client = self._client()
            if client is not None and not client.is_closed() and client.is_ready():
                return client
            await asyncio.sleep(READY_POLL)

    async def can_manage(self, guild_id: str) -> bool:
        client = await self.connected()
        guild = client.get_guild(int(guild_id)) if guild_id.isdecimal() else None
        if guild is None:
            return False  # the bot is not in that server
        if guild.unavailable:
            raise ConnectionError(f"Discord says server {guild_id} is unavailable")
        me = guild.me
        if me is None:
            return False
        allowed = me.guild_permissions
        return allowed.create_events or allowed.manage_events

    async def list(self, guild_id: str) -> list[GuildEvent]:
        client = await self.connected()
        guild = self._guild(client, guild_id)
        async with refused_as_missing(guild_id):
            found = await guild.fetch_scheduled_events(with_counts=False)
        uncompleted = [event for event in found if event.status in UNCOMPLETED]
        self._seen[guild_id] = {event.id: event for event in uncompleted}
        bot_id = client.user.id if client.user is not None else None
        return [as_guild_event(event, guild_id, bot_id) for event in uncompleted]

    async def create(self, spec: EventSpec) -> GuildEvent:
        client = await self.connected()
        guild = self._guild(client, spec.guild_id)
        async with refused_as_missing(spec.guild_id):
            event = await guild.create_scheduled_event(
                name=spec.name,
                description=spec.description,
                start_time=spec.start,
                end_time=spec.end,
                entity_type=discord.EntityType.external,
                privacy_level=discord.PrivacyLevel.guild_only,
                location=spec.location,
            )
        self._seen.setdefault(spec.guild_id, {})[event.id] = event
        bot_id = client.user.id if client.user is not None else None
        return as_guild_event(event, spec.guild_id, bot_id)

    async def edit(self, event_id: str, spec: EventSpec) -> None:
        client = await self.connected()
        guild = self._guild(client, spec.guild_id)
        async with refused_as_missing(spec.guild_id):
            event = await self._event(guild, spec.guild_id, int(event_id))
            edited = await event.edit(
                name=spec.name,
                description=spec.description,
                start_time=spec.start,
                end_time=spec.end,
                location=spec.location,
            )
        self._seen.setdefault(spec.guild_id, {})[edited.id] = edited

    async def delete(self, guild_id: str, event_id: str) -> None:
        client = await self.connected()
        guild = self._guild(client, guild_id)
        number = int(event_id)
        try:
            async with refused_as_missing(guild_id):
                event = await self._event(guild, guild_id, number)
                await event.delete()
        except discord.NotFound as missing:
            if missing.code != UNKNOWN_EVENT:
                raise
        self._seen.get(guild_id, {}).pop(number, None)

    async def _event(
        self, guild: discord.Guild, guild_id: str, number: int
    ) -> discord.ScheduledEvent:
        known = self._seen.get(guild_id, {}).get(number)
        return known or await guild.fetch_scheduled_event(number, with_counts=False)

    @staticmethod
    def _guild(client: discord.Client, guild_id: str) -> discord.Guild:
        guild = client.get_guild(int(guild_id)) if guild_id.isdecimal() else None
        if guild is None:
            raise MissingPermission(guild_id)  # the bot is not in that server
        return guild


class OffersServerEvents:
    """The ``ScheduledEventsPort`` methods, for an adapter holding ``server_events``."""

    server_events: ServerEvents

    async def can_manage_events(self, guild_id: str) -> bool:
        return await self.server_events.can_manage(guild_id)

    async def list_scheduled_events(self, guild_id: str) -> Sequence[GuildEvent]:
        return await self.server_events.list(guild_id)

    async def create_scheduled_event(self, spec: EventSpec) -> GuildEvent:
        return await self.server_events.create(spec)

    async def edit_scheduled_event(self, event_id: str, spec: EventSpec) -> None:
        await self.server_events.edit(event_id, spec)

    async def delete_scheduled_event(self, guild_id: str, event_id: str) -> None:
        await self.server_events.delete(guild_id, event_id)


def as_guild_event(event: discord.ScheduledEvent, guild_id: str, bot_id: int | None) -> GuildEvent:
    return GuildEvent(
        event_id=str(event.id),
        guild_id=guild_id,
        name=event.name,
        description=event.description or "",
        start=event.start_time,
        end=event.end_time,
        location=event.location or "",
        made_by_bot=bot_id is not None and event.creator_id == bot_id,
        active=event.status is discord.EventStatus.active,
    )


@contextlib.asynccontextmanager
async def refused_as_missing(guild_id: str) -> AsyncIterator[None]:
    """Discord's "you may not" (or "no such server") is ``MissingPermission``; a long
    429 is ``PlatformBusy``."""
    try:
        async with busy_when_limited():
            yield
    except discord.Forbidden as refused:
        if refused.code in (MISSING_PERMISSIONS, MISSING_ACCESS):
            raise MissingPermission(guild_id) from None
        raise
    except discord.NotFound as missing:
        if missing.code == UNKNOWN_GUILD:
            raise MissingPermission(guild_id) from None
        raise
