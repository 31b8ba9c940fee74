"""Settings turned into the core's own values: rate limiters, how often a shared message
may be edited, and the outbox's delivery policy (for ``bot.app``)."""

from __future__ import annotations

from datetime import timedelta

from bot.config import Settings
from bot.outbox import DeliveryPolicy
from bot.ratelimit import RateLimiters


def rate_limits_of(settings: Settings) -> RateLimiters:
    return RateLimiters(
        {
            "telegram": settings.telegram.limits.rate_limits(),
            "discord": settings.discord.limits.rate_limits(),
        }
    )


def edit_intervals_of(settings: Settings) -> dict[str, float]:
    telegram, discord = settings.telegram.limits, settings.discord.limits
    return {"telegram": telegram.edit_every, "discord": discord.edit_every}


def delivery_policy_of(settings: Settings) -> DeliveryPolicy:
    section = settings.delivery
    return DeliveryPolicy(
        slots=section.slots,
        lease=timedelta(seconds=section.lease_seconds),
        max_attempts=section.max_attempts,
    )
