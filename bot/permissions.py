"""Who may do what, decided per group, never as one global rank.

The core knows no groups, only *scopes* (opaque ids the domain hands it). The domain
implements ``Authority``: organizers come from the config file alone; a facilitator of a
group is named in that group's config, or is granted it by the platform (a Telegram chat
admin, a Discord role) *in a place where that group lives*. Platform grants are capped at
facilitator by the dispatcher before an ``Authority`` ever sees them.
"""

from __future__ import annotations

from typing import Protocol

from bot.events import Actor, Place
from bot.roles import Role

MAX_PLATFORM_GRANT = Role.FACILITATOR


class Authority(Protocol):
    def role_here(self, actor: Actor, place: Place, platform_role: Role) -> Role:
        """The highest role ``actor`` holds for any scope reachable from ``place``: which
        commands they may run and see listed."""
        ...

    def role_in(self, actor: Actor, place: Place, platform_role: Role, scope: str) -> Role:
        """``actor``'s role for one scope (a group), speaking from ``place``."""
        ...


class PlatformRoles(Protocol):
    async def platform_role(self, actor: Actor, place: Place) -> Role:
        """What the platform itself grants ``actor`` in ``place`` (MEMBER if nothing)."""
        ...
