"""An ``Authority`` for tests of the core and of adapters, which have no groups: everyone
is a member everywhere. (The domain's real one is ``groups.access.GroupAccess``.)"""

from __future__ import annotations

from bot.events import Actor, Place
from bot.roles import Role


class EveryoneIsAMember:
    def role_here(self, actor: Actor, place: Place, platform_role: Role) -> Role:
        return Role.MEMBER

    def role_in(self, actor: Actor, place: Place, platform_role: Role, scope: str) -> Role:
        return Role.MEMBER
