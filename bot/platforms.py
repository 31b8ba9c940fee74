"""The running platform adapters, as the core sees them.

The core never imports an adapter. It needs three things from one: to deliver a
private message, to ask what the platform grants a person in a place, and to know its
platform name. ``Platforms`` routes by platform name to whichever adapters this
process runs (the supervisor attaches them).
"""

from __future__ import annotations

import logging
from typing import Protocol

from bot.errors import log_incident, new_incident_id
from bot.events import Actor, MessageRef, Place
from bot.replies import Reply
from bot.roles import Role

__all__ = ["MessageRef", "PlatformBusy", "PlatformPort", "Platforms", "RecipientUnreachable"]

logger = logging.getLogger(__name__)


class RecipientUnreachable(Exception):
    """The platform refuses to deliver to this person (they blocked the bot, closed
    private messages, or never started a private chat with it)."""


class PlatformBusy(Exception):
    """The platform asked us to slow down (a 429 the adapter's own retries did not
    outlast); ``retry_after`` is how many seconds it asked us to wait."""

    def __init__(self, retry_after: float) -> None:
        super().__init__(f"the platform asks to wait {retry_after:.1f}s")
        self.retry_after = retry_after


class PlatformPort(Protocol):
    """What the core asks of a running adapter."""

    @property
    def platform(self) -> str: ...

    async def send_private(self, actor: Actor, reply: Reply) -> MessageRef:
        """Deliver privately, or raise ``RecipientUnreachable`` (``PlatformBusy`` or any
        other error means the send failed and may be tried again later)."""
        ...

    async def send(self, place: Place, reply: Reply) -> MessageRef:
        """Post into a chat, for everyone in it (an announcement, say)."""
        ...

    async def edit(self, ref: MessageRef, reply: Reply) -> None:
        """Replace a message the bot sent earlier (a live card refreshed)."""
        ...

    async def platform_role(self, actor: Actor, place: Place) -> Role:
        """What the platform grants ``actor`` in ``place`` (chat admin -> facilitator)."""
        ...


class Platforms:
    def __init__(self) -> None:
        self._ports: dict[str, PlatformPort] = {}

    def attach(self, port: PlatformPort) -> None:
        self._ports[port.platform] = port

    def get(self, platform: str) -> PlatformPort | None:
        return self._ports.get(platform)

    async def edit(self, ref: MessageRef, reply: Reply) -> None:
        """Replace a message the bot sent; raises ``LookupError`` when no adapter for its
        platform runs here (and whatever the adapter raises)."""
        port = self._ports.get(ref.platform)
        if port is None:
            raise LookupError(f"no {ref.platform} adapter running")
        await port.edit(ref, reply)

    async def platform_role(self, actor: Actor, place: Place) -> Role:
        """Never raises: a platform that cannot answer grants nothing (and is logged)."""
        port = self._ports.get(place.platform)
        if port is None:
            return Role.MEMBER
        try:
            return await port.platform_role(actor, place)
        except Exception as error:
            log_incident(logger, new_incident_id(), "platform_role", error)
            return Role.MEMBER
