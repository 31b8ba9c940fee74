"""Who may act on which group: the domain's answer to the core's ``Authority``.

Organizers come from the config file alone and may act on every group. A facilitator of
a group is named in that group's config, or is granted it by the platform (a Telegram
chat admin, a configured Discord role) while speaking in a place where the group lives.
Being a facilitator of one group never reaches another.
"""

from __future__ import annotations

from collections.abc import Iterable

from bot.events import Actor, Place
from bot.roles import Role
from groups.directory import GroupDirectory
from groups.models import Group


class GroupAccess:
    def __init__(self, organizers: Iterable[str], directory: GroupDirectory) -> None:
        self._organizers = frozenset(organizers)
        self._directory = directory

    def role_here(self, actor: Actor, place: Place, platform_role: Role) -> Role:
        if actor.key in self._organizers:
            return Role.ORGANIZER
        if self._directory.facilitated_by(actor):  # looked up, not searched for
            return Role.FACILITATOR
        if platform_role >= Role.FACILITATOR and any(
            group.lives_in(place) for group in self._directory.all()
        ):
            return Role.FACILITATOR
        return Role.MEMBER

    def role_in(self, actor: Actor, place: Place, platform_role: Role, scope: str) -> Role:
        if actor.key in self._organizers:
            return Role.ORGANIZER
        group = self._directory.get(scope)
        if group is not None and _facilitates(group, actor, place, platform_role):
            return Role.FACILITATOR
        return Role.MEMBER


def _facilitates(group: Group, actor: Actor, place: Place, platform_role: Role) -> bool:
    if group.is_facilitator(actor):
        return True
    return platform_role >= Role.FACILITATOR and group.lives_in(place)
