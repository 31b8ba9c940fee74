"""The section models of a PeerCircle configuration: ``[bot]``, ``[storage]``, the adapters
and ``[checkins]``. Groups live in :mod:`bot.config.group`; :class:`bot.config.settings.Settings`
puts them together.
"""

from __future__ import annotations

import re
from pathlib import Path
from urllib.parse import urlsplit

from pydantic import BaseModel, ConfigDict, Field, SecretStr, ValidationInfo, field_validator

from bot.config.checkins import CheckinsSection
from bot.config.fields import (
    check_console_name,
    check_one_line,
    check_timezone,
    config_error,
    env_var_name,
    quoting,
)
from bot.config.limits import DiscordLimits, TelegramLimits
from bot.config.reminders import DEFAULT_REMINDERS, ReminderOffsets
from bot.storage import BUSY_TIMEOUT_MS, MAX_BUSY_TIMEOUT_MS, StorageError, sqlite_location

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
_BOT_TOKEN = re.compile(r"[0-9]{5,}:[A-Za-z0-9_-]{30,}")
_NOT_A_WEB_ADDRESS = (
    "must be a web address: write it in full, like the default https://api.telegram.org/bot "
    "(plain http:// only for a server on a network you trust: the token travels in it)"
)
_UNUSABLE_URL = (
    "is not a storage address PeerCircle can use; use sqlite:///data/peercircle.sqlite3 "
    "(relative to the config file), sqlite:////absolute/path.sqlite3 or sqlite:///:memory:"
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
            sqlite_location(value, Path("."))
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


def _require_token(enabled: object, token: SecretStr | None, section: str) -> None:
    if enabled is True and token is None:
        raise ValueError(f"set {env_var_name(section, 'token')} in the environment")


def _check_web_address(value: str) -> str:
    """An address the Telegram library can put the token after: http(s), a host, no query
    or fragment (the token and the method name are appended to it), and no token in it.
    The value is never quoted back: someone may have pasted the token into it."""
    parts = urlsplit(value)
    if parts.scheme not in ("https", "http") or not parts.hostname:
        raise ValueError(_NOT_A_WEB_ADDRESS)
    if parts.query or parts.fragment:
        raise ValueError("must not contain ? or #: the token and the method are added after it")
    if _BOT_TOKEN.search(value):
        raise ValueError(
            "seems to contain a bot token; leave it out: the token goes only in "
            f"{env_var_name('telegram', 'token')}"
        )
    return value


class TelegramSection(_Section):
    """The Telegram adapter; the token comes from the environment. ``base_url`` and
    ``base_file_url`` point at a self-hosted Bot API server (or a test server);
    ``[telegram.limits]`` says how fast the bot may send."""

    enabled: bool = False
    token: SecretStr | None = Field(default=None, validate_default=True)
    base_url: str = "https://api.telegram.org/bot"
    base_file_url: str = "https://api.telegram.org/file/bot"
    admins_are_facilitators: bool = False
    limits: TelegramLimits = Field(default_factory=TelegramLimits)

    @field_validator("token")
    @classmethod
    def _token(cls, value: SecretStr | None, info: ValidationInfo) -> SecretStr | None:
        _require_token(info.data.get("enabled"), value, "telegram")
        return value

    @field_validator("base_url", "base_file_url")
    @classmethod
    def _web_address(cls, value: str) -> str:
        return _check_web_address(value)


class DiscordSection(_Section):
    """The Discord adapter; the token comes from the environment; ``[discord.limits]``
    says how fast the bot may send."""

    enabled: bool = False
    token: SecretStr | None = Field(default=None, validate_default=True)
    limits: DiscordLimits = Field(default_factory=DiscordLimits)

    @field_validator("token")
    @classmethod
    def _token(cls, value: SecretStr | None, info: ValidationInfo) -> SecretStr | None:
        _require_token(info.data.get("enabled"), value, "discord")
        return value
