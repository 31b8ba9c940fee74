"""One ``[[groups]]`` entry of the configuration and its ``[groups.schedule]``."""

from __future__ import annotations

import datetime
import re
from typing import Literal, get_args

from pydantic import BaseModel, ConfigDict, Field, ValidationInfo, field_validator

from bot.config.fields import MemberRef, check_timezone, quoting

__all__ = ["GroupConfig", "ScheduleConfig", "Weekday"]

Weekday = Literal["monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"]
"""A day a group meets on, as written in the config (Monday first, like ``date.weekday()``)."""

_DAY_NAMES: tuple[str, ...] = get_args(Weekday)
_SLUG = re.compile(r"[a-z0-9][a-z0-9-]{1,39}")
_HH_MM = re.compile(r"([0-9]{1,2}):([0-9]{2})")


class ScheduleConfig(BaseModel):
    """When a group meets, as local wall-clock time."""

    model_config = ConfigDict(extra="forbid")

    frequency: Literal["weekly", "fortnightly", "monthly"] = "weekly"
    weekday: Weekday
    time: datetime.time
    duration_minutes: int = Field(default=90, ge=15, le=480)
    starts: datetime.date | None = Field(default=None, validate_default=True)
    week_of_month: int | None = Field(default=None, validate_default=True)

    @field_validator("weekday", mode="before")
    @classmethod
    def _weekday(cls, value: object) -> object:
        lowered = value.strip().lower() if isinstance(value, str) else value
        if lowered not in _DAY_NAMES:
            raise ValueError('must be a day of the week, like "tuesday"')
        return lowered

    @field_validator("time", mode="before")
    @classmethod
    def _time(cls, value: object) -> object:
        if isinstance(value, datetime.time):
            return value
        if isinstance(value, str):
            match = _HH_MM.fullmatch(value.strip())
            if match and int(match[1]) < 24 and int(match[2]) < 60:
                return datetime.time(int(match[1]), int(match[2]))
        raise ValueError('write the time as "HH:MM" on a 24-hour clock, like "19:00"')

    @field_validator("starts")
    @classmethod
    def _starts(cls, value: datetime.date | None, info: ValidationInfo) -> datetime.date | None:
        frequency = info.data.get("frequency")
        weekday = info.data.get("weekday")
        if value is None:
            if frequency == "fortnightly":
                raise ValueError(
                    "a fortnightly group needs a start date (like 2026-01-08) "
                    "so everyone knows which weeks it meets"
                )
            return None
        actual = _DAY_NAMES[value.weekday()]
        if weekday in _DAY_NAMES and actual != weekday:
            day = str(weekday).title()
            raise quoting(
                value.isoformat(),
                f"is a {actual.title()}, but the group meets on {day}s; "
                f"pick a start date on a {day}",
            )
        return value

    @field_validator("week_of_month")
    @classmethod
    def _week_of_month(cls, value: int | None, info: ValidationInfo) -> int | None:
        frequency = info.data.get("frequency")
        if frequency == "monthly":
            if value is None:
                raise ValueError(
                    "a monthly group needs week_of_month: 1 to 4, or -1 for the last week"
                )
            if value not in (1, 2, 3, 4, -1):
                raise ValueError("must be 1, 2, 3, 4, or -1 for the last week of the month")
        elif value is not None:
            raise ValueError("only monthly groups use week_of_month; remove this line")
        return value


class GroupConfig(BaseModel):
    """One peer-support group."""

    model_config = ConfigDict(extra="forbid")

    slug: str
    name: str = Field(min_length=1, max_length=80)
    description: str = Field(default="", max_length=500)
    capacity: int = Field(ge=1, le=500)
    facilitators: list[MemberRef] = Field(default_factory=list)
    timezone: str = ""
    online: bool = True
    location: str = Field(default="", max_length=200)
    telegram_chat_id: int | None = None
    discord_guild_id: int | None = None
    discord_channel_id: int | None = None
    schedule: ScheduleConfig
    previously: list[str] = Field(default_factory=list, max_length=10)

    @field_validator("slug")
    @classmethod
    def _slug(cls, value: str) -> str:
        if not _SLUG.fullmatch(value):
            raise ValueError(
                "use 2–40 lowercase letters, digits and hyphens, starting with a letter "
                'or digit, like "tuesday-recovery"'
            )
        return value

    @field_validator("previously")
    @classmethod
    def _previously(cls, value: list[str], info: ValidationInfo) -> list[str]:
        for old in value:
            if not _SLUG.fullmatch(old):
                raise quoting(old, "is not a slug; list the group's earlier slugs exactly")
            if old == info.data.get("slug"):
                raise quoting(old, "is this group's slug now; list only earlier slugs")
        return value

    @field_validator("timezone")
    @classmethod
    def _timezone(cls, value: str) -> str:
        return check_timezone(value) if value else value

    @field_validator("discord_channel_id")
    @classmethod
    def _channel_has_a_server(cls, value: int | None, info: ValidationInfo) -> int | None:
        # No discord_guild_id key means it was invalid (and is reported on its own line).
        if value is not None and info.data.get("discord_guild_id", 0) is None:
            raise ValueError(
                "a Discord channel belongs to a server: set discord_guild_id "
                "to the id of the server this channel is in"
            )
        return value
