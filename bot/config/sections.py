"""The section models of a PeerCircle configuration.

``[bot]``, ``[storage]``, the adapters, ``[checkins]`` and each ``[[groups]]`` entry
with its schedule; :class:`bot.config.settings.Settings` puts them together.
"""

from __future__ import annotations

import datetime
import re
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, SecretStr, ValidationInfo, field_validator

from bot.config.fields import MemberRef, check_console_name, check_timezone, env_var_name
from bot.storage import StorageError, sqlite_location

__all__ = [
    "SUPPORTED_LANGUAGES",
    "WEEKDAYS",
    "BotSection",
    "CheckinsSection",
    "ConsoleSection",
    "DiscordSection",
    "GroupConfig",
    "ScheduleConfig",
    "StorageSection",
    "TelegramSection",
]

SUPPORTED_LANGUAGES: tuple[str, ...] = ("en",)
WEEKDAYS: tuple[str, ...] = (
    "monday",
    "tuesday",
    "wednesday",
    "thursday",
    "friday",
    "saturday",
    "sunday",
)

_SLUG = re.compile(r"[a-z0-9][a-z0-9-]{1,39}")
_COUNTRY = re.compile(r"[A-Z]{2}")
_HH_MM = re.compile(r"([0-9]{1,2}):([0-9]{2})")


class _Section(BaseModel):
    model_config = ConfigDict(extra="forbid")


# ---------------------------------------------------------------------------
# Sections
# ---------------------------------------------------------------------------


class BotSection(_Section):
    """Who the bot is and where it lives."""

    name: str = Field(default="PeerCircle", min_length=1, max_length=64)
    timezone: str = "UTC"
    country: str = "GB"
    language: str = "en"

    @field_validator("timezone")
    @classmethod
    def _timezone(cls, value: str) -> str:
        return check_timezone(value)

    @field_validator("country", mode="before")
    @classmethod
    def _country(cls, value: object) -> object:
        if isinstance(value, str):
            upper = value.strip().upper()
            if not _COUNTRY.fullmatch(upper):
                raise ValueError("use a two-letter country code (ISO 3166), like GB or IE")
            return upper
        return value

    @field_validator("language")
    @classmethod
    def _language(cls, value: str) -> str:
        if value not in SUPPORTED_LANGUAGES:
            available = ", ".join(SUPPORTED_LANGUAGES)
            raise ValueError(f"language {value!r} is not available yet; available: {available}")
        return value


class StorageSection(_Section):
    """Where PeerCircle keeps its data."""

    url: str = "sqlite:///data/peercircle.sqlite3"

    @field_validator("url")
    @classmethod
    def _url(cls, value: str) -> str:
        """The storage package owns the address rules; this only reports them early."""
        try:
            sqlite_location(value, Path("."))
        except StorageError as error:
            raise ValueError(str(error)) from None
        return value


class ConsoleSection(_Section):
    """The local console adapter."""

    enabled: bool = True
    user: str = "you"

    @field_validator("user")
    @classmethod
    def _user(cls, value: str) -> str:
        return check_console_name(value)


def _require_token(enabled: object, token: SecretStr | None, section: str) -> None:
    if enabled is True and token is None:
        raise ValueError(f"set {env_var_name(section, 'token')} in the environment")


class TelegramSection(_Section):
    """The Telegram adapter; the token comes from the environment."""

    enabled: bool = False
    token: SecretStr | None = Field(default=None, validate_default=True)
    bot_username: str | None = None

    @field_validator("token")
    @classmethod
    def _token(cls, value: SecretStr | None, info: ValidationInfo) -> SecretStr | None:
        _require_token(info.data.get("enabled"), value, "telegram")
        return value


class DiscordSection(_Section):
    """The Discord adapter; the token comes from the environment."""

    enabled: bool = False
    token: SecretStr | None = Field(default=None, validate_default=True)
    application_id: int | None = None

    @field_validator("token")
    @classmethod
    def _token(cls, value: SecretStr | None, info: ValidationInfo) -> SecretStr | None:
        _require_token(info.data.get("enabled"), value, "discord")
        return value


class CheckinsSection(_Section):
    """Anonymous check-ins."""

    min_respondents: int = 5
    hmac_key: SecretStr | None = None

    @field_validator("min_respondents")
    @classmethod
    def _min_respondents(cls, value: int) -> int:
        if value < 3:
            raise ValueError(
                "must be at least 3: results are never shown for fewer than 3 people, "
                "so nobody can be singled out"
            )
        if value > 100:
            raise ValueError("must be at most 100")
        return value


# ---------------------------------------------------------------------------
# Groups
# ---------------------------------------------------------------------------


class ScheduleConfig(_Section):
    """When a group meets, as local wall-clock time."""

    frequency: Literal["weekly", "fortnightly", "monthly"] = "weekly"
    weekday: str
    time: datetime.time
    duration_minutes: int = Field(default=90, ge=15, le=480)
    starts: datetime.date | None = Field(default=None, validate_default=True)
    week_of_month: int | None = Field(default=None, validate_default=True)

    @field_validator("weekday", mode="before")
    @classmethod
    def _weekday(cls, value: object) -> object:
        if isinstance(value, str):
            lowered = value.strip().lower()
            if lowered not in WEEKDAYS:
                raise ValueError('must be a day of the week, like "tuesday"')
            return lowered
        return value

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
        if weekday in WEEKDAYS and WEEKDAYS[value.weekday()] != weekday:
            actual = WEEKDAYS[value.weekday()].title()
            raise ValueError(
                f"{value.isoformat()} is a {actual}, but the group meets on "
                f"{str(weekday).title()}s; pick a start date on a {str(weekday).title()}"
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


class GroupConfig(_Section):
    """One peer-support group."""

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

    @field_validator("slug")
    @classmethod
    def _slug(cls, value: str) -> str:
        if not _SLUG.fullmatch(value):
            raise ValueError(
                "use 2–40 lowercase letters, digits and hyphens, starting with a letter "
                'or digit, like "tuesday-recovery"'
            )
        return value

    @field_validator("timezone")
    @classmethod
    def _timezone(cls, value: str) -> str:
        return check_timezone(value) if value else value
