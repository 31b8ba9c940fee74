"""A group's ``[groups.schedule]``: when it meets, as local wall-clock time, and its reminders.

Either ``frequency`` + ``weekday`` (+ ``week_of_month``), or an RFC 5545 ``rrule``; then
``time``, ``duration_minutes``, ``starts``, ``until``, ``reminders`` and ``link``.
"""

from __future__ import annotations

import datetime
import re
from typing import Literal, get_args
from urllib.parse import urlsplit

from pydantic import BaseModel, ConfigDict, Field, ValidationInfo, field_validator, model_validator

from bot.config.fields import config_error, quoting
from bot.config.reminders import ReminderOffsets
from bot.config.rule import normalise_rule, rule_problem

__all__ = ["Frequency", "ScheduleConfig", "Weekday"]

Weekday = Literal["monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"]
"""A day a group meets on, as written in the config (Monday first, like ``date.weekday()``)."""

Frequency = Literal["weekly", "fortnightly", "monthly"]

_DAY_NAMES: tuple[str, ...] = get_args(Weekday)
_HH_MM = re.compile(r"([0-9]{1,2}):([0-9]{2})")
_NOT_WITH_RULE = "the rrule already says when the group meets; remove this line (or the rrule)"
_LINK = 'must be a web address starting with https://, like "https://meet.example.org/tuesday"'
# An https address with a plain host name, no spaces: what urlsplit would accept below.
_PLAIN_HTTPS = re.compile(r"https://[A-Za-z0-9.-]+(?::[0-9]+)?(?:[/?#][^\s]*)?")


class ScheduleConfig(BaseModel):
    """When a group meets, as local wall-clock time."""

    model_config = ConfigDict(extra="forbid")

    rrule: str | None = None
    frequency: Frequency | None = Field(default=None, validate_default=True)
    weekday: Weekday | None = Field(default=None, validate_default=True)
    time: datetime.time
    duration_minutes: int = Field(default=90, ge=15, le=480)
    starts: datetime.date | None = Field(default=None, validate_default=True)
    until: datetime.date | None = None
    week_of_month: int | None = Field(default=None, validate_default=True)
    reminders: ReminderOffsets | None = None  # None: the bot's [bot] reminders
    link: str = Field(default="", max_length=500)

    @property
    def repeats(self) -> Frequency:
        """How often a schedule without an rrule repeats."""
        return self.frequency or "weekly"

    @field_validator("rrule")
    @classmethod
    def _rrule(cls, value: str | None) -> str | None:
        return None if value is None else normalise_rule(value)

    @field_validator("frequency")
    @classmethod
    def _frequency(cls, value: Frequency | None, info: ValidationInfo) -> Frequency | None:
        if value is not None and info.data.get("rrule"):
            raise ValueError(_NOT_WITH_RULE)
        return value

    @field_validator("weekday", mode="before")
    @classmethod
    def _weekday(cls, value: object, info: ValidationInfo) -> object:
        if value is None:
            if "rrule" in info.data and info.data["rrule"] is None:
                raise ValueError(
                    'required setting is missing: the day the group meets, like "tuesday" '
                    "(or an rrule)"
                )
            return None
        if info.data.get("rrule"):
            raise ValueError(_NOT_WITH_RULE)
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

    @field_validator("until")
    @classmethod
    def _until(cls, value: datetime.date | None, info: ValidationInfo) -> datetime.date | None:
        starts = info.data.get("starts")
        if value is not None and starts is not None and value < starts:
            raise quoting(
                value.isoformat(),
                f"is before starts ({starts.isoformat()}): no meeting would be left; "
                "until is the last day the group may meet",
            )
        return value

    @field_validator("week_of_month")
    @classmethod
    def _week_of_month(cls, value: int | None, info: ValidationInfo) -> int | None:
        if info.data.get("rrule"):
            if value is not None:
                raise ValueError(_NOT_WITH_RULE)
            return None
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

    @field_validator("link")
    @classmethod
    def _link(cls, value: str) -> str:
        value = value.strip()
        if not value or _PLAIN_HTTPS.fullmatch(value):  # the usual case, without urlsplit
            return value
        parts = urlsplit(value)
        if parts.scheme == "http" and parts.hostname:
            raise ValueError("use https:// so the meeting's address travels encrypted")
        if parts.scheme != "https" or not parts.hostname or re.search(r"\s", value):
            raise ValueError(_LINK)
        return value

    @model_validator(mode="after")
    def _rule_fits_the_schedule(self) -> ScheduleConfig:
        if self.rrule is not None:
            problem = rule_problem(self.rrule, self.starts, self.until, self.time)
            if problem is not None:
                setting, reason = problem
                raise config_error(reason, sub_loc=(setting,))
        return self
