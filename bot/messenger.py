"""Proactive messages (the bot speaks first): one way out, whatever the platform.

Handlers *answer* through the replies they return; everything else the bot sends on its
own initiative — a waitlist promotion, later reminders and announcements — goes through
``Messenger``, which picks the platform's adapter and reports the outcome. Outcomes are
logged without the text.
"""

from __future__ import annotations

import logging
from enum import Enum

from bot.errors import log_incident, new_incident_id
from bot.events import Actor
from bot.platforms import Platforms, RecipientUnreachable
from bot.replies import Reply

logger = logging.getLogger(__name__)


class DeliveryOutcome(Enum):
    SENT = "sent"
    UNREACHABLE = "unreachable"  # the person blocked us or closed private messages
    FAILED = "failed"  # a platform or network error; safe to try again later
    NO_ROUTE = "no_route"  # no adapter for that platform is running in this process


class Messenger:
    def __init__(self, platforms: Platforms) -> None:
        self._platforms = platforms

    async def send_private(self, recipient: Actor, reply: Reply) -> DeliveryOutcome:
        route = self._platforms.get(recipient.platform)
        if route is None:
            logger.warning("no %s adapter running; private message not sent", recipient.platform)
            return DeliveryOutcome.NO_ROUTE
        try:
            await route.send_private(recipient, reply)
        except RecipientUnreachable:
            logger.info("private message to a %s member: unreachable", recipient.platform)
            return DeliveryOutcome.UNREACHABLE
        except Exception as error:
            log_incident(logger, new_incident_id(), "messenger.send_private", error)
            return DeliveryOutcome.FAILED
        return DeliveryOutcome.SENT
