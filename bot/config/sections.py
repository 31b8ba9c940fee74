"""The section models of a PeerCircle configuration: ``[bot]``, ``[storage]``, the adapters
and ``[checkins]``. Groups live in :mod:`bot.config.group`; :class:`bot.config.settings.Settings`
puts them together.
"""

from __future__ import annotations

import re

from pydantic import BaseModel, ConfigDict, Field, field_validator

from bot.config.checkins import CheckinsSection
from bot.config.discord import DiscordSection
from bot.config.fields import (
    check_console_name,
    check_one_line,
    check_timezone,
    config_error,
    quoting,
)
from bot.config.reminders import DEFAULT_REMINDERS, ReminderOffsets
from bot.config.telegram import TelegramSection
from bot.storage import BUSY_TIMEOUT_MS, MAX_BUSY_TIMEOUT_MS, StorageError, check_storage_url

__all__ = [
    "SUPPORTED_LANGUAGES",
    "BotSection",
    "CheckinsSection",
    "ConsoleSection",
    "DiscordSection",
    "StorageSection",
    "TelegramSection",
]

SUPPORTED_LANGUAGES: tuple[str, ...] = ("en",)
_COUNTRY = re.compile(r"[A-Z]{2}")
_UNUSABLE_URL = (
    "is not a storage address PeerCircle can use; use sqlite:///data/peercircle.sqlite3 "
    "(relative to the config file), sqlite:////absolute/path.sqlite3, sqlite:///:memory: "
    "or postgresql://user@host:5432/database"
)


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
    # Before each meeting of a group that sets no reminders of its own.
    reminders: ReminderOffsets = Field(default_factory=lambda: list(DEFAULT_REMINDERS))

    @field_validator("timezone")
    @classmethod
    def _timezone(cls, value: str) -> str:
        return check_timezone(value)

    @field_validator("name")
    @classmethod
    def _one_line(cls, value: str) -> str:
        return check_one_line(value)

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
            raise quoting(repr(value), f"is not available yet; available: {available}")
        return value


class StorageSection(_Section):
    """Where PeerCircle keeps its data."""

    url: str = "sqlite:///data/peercircle.sqlite3"
    # Memberships of a group taken out of the config are kept this long (members can
    # still see and leave it), then deleted.
    forget_retired_groups_after_days: int = Field(default=90, ge=1, le=3650)
    # How long a write waits for another connection's lock before it is refused.
    busy_timeout_ms: int = Field(default=BUSY_TIMEOUT_MS, ge=0, le=MAX_BUSY_TIMEOUT_MS)

    @field_validator("url")
    @classmethod
    def _url(cls, value: str) -> str:
        """The storage package owns the address rules; this only reports them early."""
        try:
            check_storage_url(value)
        except StorageError as error:
            raise config_error(str(error), unquoted=_UNUSABLE_URL) from None
        return value


class ConsoleSection(_Section):
    """The local console adapter."""

    enabled: bool = True
    user: str = "you"

    @field_validator("user")
    @classmethod
    def _user(cls, value: str) -> str:
        return check_console_name(value)
