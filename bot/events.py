"""The platform-neutral event model: who said something, where, and what.

Adapters translate platform updates into these values; handlers never see an SDK object
(except through ``raw``, which exists for debugging and must not be relied upon).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from bot.permissions import Role


@dataclass(frozen=True, slots=True)
class Actor:
    """A person on one platform. ``key`` (``platform:user_id``) identifies them everywhere."""

    platform: str
    user_id: str
    display_name: str

    @property
    def key(self) -> str:
        return f"{self.platform}:{self.user_id}"


@dataclass(frozen=True, slots=True)
class Place:
    """Where a message came from: a private chat, or a group chat (optionally a thread)."""

    platform: str
    chat_id: str
    thread_id: str | None = None
    private: bool = True


@dataclass(frozen=True, slots=True)
class CommandInvoked:
    """A command with its unparsed argument text, e.g. name="join", args="tuesday"."""

    actor: Actor
    place: Place
    name: str
    args: str = ""
    platform_role: Role = Role.MEMBER
    raw: object = field(default=None, compare=False, repr=False)


@dataclass(frozen=True, slots=True)
class ActionPressed:
    """A button press carrying a compact action id such as ``join:tuesday-recovery``."""

    actor: Actor
    place: Place
    action: str
    platform_role: Role = Role.MEMBER
    raw: object = field(default=None, compare=False, repr=False)


@dataclass(frozen=True, slots=True)
class TextReceived:
    """A plain message. If it starts with ``/`` the dispatcher treats it as a command."""

    actor: Actor
    place: Place
    text: str
    platform_role: Role = Role.MEMBER
    raw: object = field(default=None, compare=False, repr=False)


Incoming = CommandInvoked | ActionPressed | TextReceived
