"""``[checkins]`` (bot-wide) and a group's own ``[groups.checkins]``: when anonymous
check-in periods open and close, and how many answers it takes to share results.

A period opens weekly on ``opens_on`` at ``opens_at`` (the group's local time) and stays
open ``open_days`` days. The thresholds may be raised, never lowered below the floors
that keep a lone answer from being singled out.
"""

from __future__ import annotations

import re
from datetime import time

from pydantic import BaseModel, ConfigDict, Field, SecretStr, field_validator, model_validator

from bot.config.schedule import Weekday

__all__ = [
    "MIN_HMAC_KEY_CHARS",
    "MIN_RESPONDENTS_FLOOR",
    "CheckinsSection",
    "GroupCheckins",
]

MIN_RESPONDENTS_FLOOR = 3
MIN_HMAC_KEY_CHARS = 32
_HHMM = re.compile(r"([01]\d|2[0-3]):[0-5]\d")


def _check_respondents(value: int) -> int:
    if value < MIN_RESPONDENTS_FLOOR:
        raise ValueError(
            f"must be at least {MIN_RESPONDENTS_FLOOR}: results are never shown for fewer "
            f"than {MIN_RESPONDENTS_FLOOR} people, so nobody can be singled out"
        )
    if value > 100:
        raise ValueError("must be at most 100")
    return value


def _check_time(value: object) -> object:
    if isinstance(value, str):
        if not _HHMM.fullmatch(value.strip()):
            raise ValueError('use a 24-hour time like "18:00"')
        return time.fromisoformat(value.strip())
    return value


class _Timing(BaseModel):
    model_config = ConfigDict(extra="forbid")

    opens_on: Weekday | None = None
    opens_at: time | None = None
    open_days: int | None = Field(default=None, ge=1, le=6)

    @field_validator("opens_at", mode="before")
    @classmethod
    def _time(cls, value: object) -> object:
        return _check_time(value)


class GroupCheckins(_Timing):
    """A group's own settings; anything left out comes from ``[checkins]``."""

    enabled: bool | None = None
    min_respondents: int | None = None
    notes_min_respondents: int | None = None

    @field_validator("min_respondents", "notes_min_respondents")
    @classmethod
    def _respondents(cls, value: int | None) -> int | None:
        return None if value is None else _check_respondents(value)


class CheckinsSection(BaseModel):
    """Anonymous check-ins. The key comes from the environment only
    (``PEERCIRCLE_CHECKINS__HMAC_KEY``); without it check-ins are switched off."""

    model_config = ConfigDict(extra="forbid")

    enabled: bool = True
    opens_on: Weekday = "sunday"
    opens_at: time = time(18, 0)
    open_days: int = Field(default=3, ge=1, le=6)
    min_respondents: int = 5
    notes_min_respondents: int = 10
    retention_days: int = Field(default=90, ge=7, le=3650)
    prompts: bool = True  # a private "check-in is open" message to members (they may opt out)
    hmac_key: SecretStr | None = None

    @field_validator("opens_at", mode="before")
    @classmethod
    def _time(cls, value: object) -> object:
        return _check_time(value)

    @field_validator("min_respondents", "notes_min_respondents")
    @classmethod
    def _respondents(cls, value: int) -> int:
        return _check_respondents(value)

    @field_validator("hmac_key")
    @classmethod
    def _key(cls, value: SecretStr | None) -> SecretStr | None:
        if value is not None and len(value.get_secret_value()) < MIN_HMAC_KEY_CHARS:
            raise ValueError(
                f"must be at least {MIN_HMAC_KEY_CHARS} characters of random text; make one "
                "with: python -c 'import secrets; print(secrets.token_urlsafe(32))'"
            )
        return value

    @model_validator(mode="after")
    def _notes_need_more(self) -> CheckinsSection:
        if self.notes_min_respondents < self.min_respondents:
            raise ValueError(
                "notes_min_respondents must be at least min_respondents: notes say more "
                "about a person than numbers do"
            )
        return self
