"""Proactive messages (the bot speaks first): one way out, whatever the platform.

Handlers *answer* through the replies they return; everything else the bot sends on its
own initiative — a waitlist promotion, later reminders and announcements — goes through
``Messenger`` (normally from the outbox worker), which picks the platform's adapter and
reports what happened as a ``Delivery``. Outcomes are logged without the text.

Every message waits for its platform's ``proactive`` turn (``bot.ratelimit``) before it
goes out, so a fan-out stays under the platform's limits and never holds up replies to
people's commands; the adapter does not wait again.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from enum import Enum

from bot.errors import log_incident, new_incident_id
from bot.events import Actor, Place
from bot.metrics import Metrics, NoMetrics
from bot.platforms import PlatformBusy, Platforms, RecipientUnreachable
from bot.ratelimit import RateLimiters
from bot.replies import Reply

logger = logging.getLogger(__name__)

Target = Actor | Place
"""A person (sent privately) or a chat (sent there, for everyone in it)."""


class DeliveryOutcome(Enum):
    SENT = "sent"
    UNREACHABLE = "unreachable"  # the person blocked us or closed private messages
    FAILED = "failed"  # a platform or network error; safe to try again later
    NO_ROUTE = "no_route"  # no adapter for that platform is running in this process


@dataclass(frozen=True, slots=True)
class Delivery:
    """What became of one send: the outcome, how long the platform asked us to wait
    before the next try (if it said), and the class name of the error (never its text,
    which may quote the message)."""

    outcome: DeliveryOutcome
    retry_after: float | None = None
    error: str | None = None


class Messenger:
    def __init__(
        self,
        platforms: Platforms,
        rate_limits: RateLimiters | None = None,
        metrics: Metrics | None = None,
    ) -> None:
        """``rate_limits``: each platform's pacing (none given: no platform is paced)."""
        self._platforms = platforms
        self._rate_limits = rate_limits or RateLimiters()
        self._metrics = metrics or NoMetrics()

    async def deliver(self, target: Target, reply: Reply) -> Delivery:
        """Send ``reply`` to a person (privately) or into a chat, once the platform's
        limits allow. Never raises."""
        route = self._platforms.get(target.platform)
        if route is None:
            # Expected while that platform is not served here (say, in the console): the
            # outbox keeps the message until it is, so this is not worth a warning.
            logger.info("no %s adapter running; message kept for later", target.platform)
            return Delivery(DeliveryOutcome.NO_ROUTE)
        limiter = self._rate_limits.for_platform(target.platform)
        if isinstance(target, Actor):  # a private chat's id is the person's own
            await limiter.proactive(target.user_id)
        else:
            await limiter.proactive(target.chat_id, group_chat=not target.private)
        try:
            if isinstance(target, Actor):
                await route.send_private(target, reply)
            else:
                await route.send(target, reply)
        except RecipientUnreachable as error:
            logger.info("message to a %s recipient: unreachable", target.platform)
            return Delivery(DeliveryOutcome.UNREACHABLE, error=type(error).__name__)
        except PlatformBusy as busy:
            logger.info("%s asks to wait %.1fs before sending", target.platform, busy.retry_after)
            self._metrics.platform_busy(target.platform)
            return Delivery(
                DeliveryOutcome.FAILED, retry_after=busy.retry_after, error=type(busy).__name__
            )
        except Exception as error:
            log_incident(logger, new_incident_id(), "messenger.deliver", error)
            return Delivery(DeliveryOutcome.FAILED, error=type(error).__name__)
        return Delivery(DeliveryOutcome.SENT)
