"""``[telegram.limits]`` and ``[discord.limits]``: how fast the bot may send there.

The defaults are what each platform documents; change them only if the platform
grants this bot more (Telegram's paid broadcasts) or you want it gentler. Each value
is checked against a ceiling well above anything the platform allows, so a slip of
the keyboard (300 for 30) is caught before the platform bans the bot. See
:mod:`bot.ratelimit` for how the limits are kept.
"""

from __future__ import annotations

import math
from typing import ClassVar

from pydantic import BaseModel, ConfigDict, Field, ValidationInfo, field_validator

from bot.ratelimit import RateLimits

__all__ = ["DiscordLimits", "TelegramLimits"]

_RATES = ("messages_per_second", "per_chat_per_second", "per_group_chat_per_minute")


class _Limits(BaseModel):
    model_config = ConfigDict(extra="forbid")

    # Each setting's ceiling, and what the platform documents (said when a value is refused).
    ceilings: ClassVar[dict[str, tuple[float, str]]]

    messages_per_second: float
    per_chat_per_second: float
    per_chat_burst: int
    per_group_chat_per_minute: float | None

    @field_validator(*_RATES, "per_chat_burst", mode="before")
    @classmethod
    def _a_number(cls, value: object) -> object:
        if isinstance(value, bool):  # pydantic would read true as 1
            raise ValueError("must be a number, not true or false")
        return value

    @field_validator(*_RATES, "per_chat_burst")
    @classmethod
    def _in_range(cls, value: float | None, info: ValidationInfo) -> float | None:
        if value is None:
            return None
        ceiling, documented = cls.ceilings[str(info.field_name)]
        if math.isnan(value) or value <= 0:
            raise ValueError(f"must be more than 0 ({documented})")
        if value > ceiling:
            raise ValueError(f"must be at most {ceiling:g} ({documented})")
        return value

    def rate_limits(self) -> RateLimits:
        return RateLimits(
            messages_per_second=self.messages_per_second,
            per_chat_per_second=self.per_chat_per_second,
            per_chat_burst=self.per_chat_burst,
            per_group_chat_per_minute=self.per_group_chat_per_minute,
        )


class TelegramLimits(_Limits):
    """Telegram's documented limits (Bots FAQ): about 30 messages a second in all,
    about one a second in a chat (short bursts tolerated), 20 a minute in a group."""

    ceilings: ClassVar[dict[str, tuple[float, str]]] = {
        "messages_per_second": (1000, "Telegram allows about 30 a second, 1000 to paid broadcasts"),
        "per_chat_per_second": (10, "Telegram allows about 1 a second in a chat"),
        "per_chat_burst": (10, "Telegram tolerates only short bursts in a chat, like 3"),
        "per_group_chat_per_minute": (600, "Telegram allows 20 a minute in a group chat"),
    }

    messages_per_second: float = 30.0
    per_chat_per_second: float = 1.0
    per_chat_burst: int = 3
    per_group_chat_per_minute: float | None = 20.0
    # Seconds between two edits of one shared message (a meeting card): Telegram counts
    # edits in a group chat against its 20 a minute, so one every 3 seconds at most.
    edit_every: float = Field(default=3.0, ge=0.5, le=60)


class DiscordLimits(_Limits):
    """Discord allows 50 requests a second in all (every request, not only messages:
    45 leaves room for the rest) and about 5 messages per 5 seconds in a channel, here
    one a second, evenly spaced. Its limits are per channel, so a group chat has no
    limit of its own unless you set one."""

    ceilings: ClassVar[dict[str, tuple[float, str]]] = {
        "messages_per_second": (50, "Discord allows 50 requests a second in all"),
        "per_chat_per_second": (5, "Discord allows about 5 messages per 5 seconds in a channel"),
        "per_chat_burst": (5, "Discord allows about 5 messages per 5 seconds in a channel"),
        "per_group_chat_per_minute": (300, "Discord allows about 60 a minute in a channel"),
    }

    messages_per_second: float = 45.0
    per_chat_per_second: float = 1.0
    per_chat_burst: int = 1
    per_group_chat_per_minute: float | None = None
    # Seconds between two edits of one shared message (a meeting card): edits share the
    # channel's 5 requests per 5 seconds: about 3 in 5 seconds, leaving room for posts.
    edit_every: float = Field(default=1.5, ge=0.5, le=60)
