"""What Discord grants a person in a server: a member holding one of the configured
``facilitator_roles`` (by name, any case, or by id) counts as a facilitator there.

The grant is never more than FACILITATOR, and the core applies it only to the groups
that live in that very server (a group's ``discord_guild_id``), never to others. The
member's roles come with every interaction they make (remembered for a minute); for
anyone else they are asked of Discord (one request, no retries: a person may be
waiting), also remembered for a minute. Any failure grants nothing (and is logged).
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Iterable

import discord

from bot.errors import log_incident, new_incident_id
from bot.events import Actor, Place
from bot.roles import Role

logger = logging.getLogger(__name__)

MAX_REMEMBERED = 10_000


class FacilitatorRoles:
    def __init__(
        self,
        refs: Iterable[str],
        *,
        ttl: float = 60.0,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        refs = [ref.strip() for ref in refs if ref.strip()]
        self._ids = {int(ref) for ref in refs if ref.isdecimal()}
        self._names = {ref.casefold() for ref in refs if not ref.isdecimal()}
        self._ttl = ttl
        self._clock = clock
        self._known: dict[tuple[int, int], tuple[float, Role]] = {}

    def grants(self, role: discord.Role) -> bool:
        return role.id in self._ids or role.name.casefold() in self._names

    def role_of(self, member: discord.Member) -> Role:
        granted = any(self.grants(role) for role in member.roles)
        return Role.FACILITATOR if granted else Role.MEMBER

    def remember(self, member: discord.Member) -> None:
        """The roles an interaction came with: the freshest there are."""
        self._remember((member.guild.id, member.id), self.role_of(member))

    async def role(self, client: discord.Client | None, actor: Actor, place: Place) -> Role:
        if place.private or place.guild_id is None or not actor.user_id.isdecimal():
            return Role.MEMBER
        if not place.guild_id.isdecimal():
            return Role.MEMBER
        key = (int(place.guild_id), int(actor.user_id))
        known = self._known.get(key)
        if known is not None and known[0] > self._clock():
            return known[1]
        if client is None:
            return Role.MEMBER
        try:
            role = await self._ask(client, *key)
        except Exception as error:
            log_incident(logger, new_incident_id(), "discord member roles", error)
            return Role.MEMBER
        self._remember(key, role)
        return role

    async def _ask(self, client: discord.Client, guild_id: int, user_id: int) -> Role:
        try:
            guild = client.get_guild(guild_id) or await client.fetch_guild(guild_id)
            member = guild.get_member(user_id) or await guild.fetch_member(user_id)
        except (discord.NotFound, discord.Forbidden):  # not a member (or not our server)
            return Role.MEMBER
        return self.role_of(member)

    def _remember(self, key: tuple[int, int], role: Role) -> None:
        now = self._clock()
        if len(self._known) >= MAX_REMEMBERED:
            self._known = {k: v for k, v in self._known.items() if v[0] > now}
            if len(self._known) >= MAX_REMEMBERED:
                self._known.clear()
        self._known[key] = (now + self._ttl, role)
