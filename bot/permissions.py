"""Who may do what: an ordered role enum and the resolver that assigns it."""

from __future__ import annotations

from collections.abc import Iterable
from enum import IntEnum
from typing import TYPE_CHECKING, Protocol

if TYPE_CHECKING:
    from bot.events import Actor


class Role(IntEnum):
    """Ordered privileges: a higher role may do everything a lower one may."""

    MEMBER = 1
    FACILITATOR = 2
    ORGANIZER = 3

    @classmethod
    def parse(cls, text: str) -> Role:
        """``"facilitator"`` -> ``Role.FACILITATOR``; raises ValueError for anything else."""
        try:
            return cls[text.strip().upper()]
        except KeyError:
            names = ", ".join(role.name.lower() for role in cls)
            raise ValueError(f"unknown role {text!r}; choose one of {names}") from None


class RoleResolver(Protocol):
    def role_of(self, actor: Actor, platform_role: Role) -> Role:
        """The actor's overall role: the higher of what config and the platform grant."""
        ...


class ConfiguredRoles:
    """Roles from the organizer's config file: organizers, and facilitators of any group.

    Being a facilitator *somewhere* only opens the facilitator commands; each command
    still checks that the facilitator runs the group it is asked about.
    """

    def __init__(self, organizers: Iterable[str], facilitators: Iterable[str]) -> None:
        self._organizers = frozenset(organizers)
        self._facilitators = frozenset(facilitators)

    def role_of(self, actor: Actor, platform_role: Role) -> Role:
        if actor.key in self._organizers:
            configured = Role.ORGANIZER
        elif actor.key in self._facilitators:
            configured = Role.FACILITATOR
        else:
            configured = Role.MEMBER
        return max(configured, platform_role)
