"""One ``[[groups]]`` entry of the configuration; its ``[groups.schedule]`` is in
:mod:`bot.config.schedule`."""

from __future__ import annotations

import re

from pydantic import BaseModel, ConfigDict, Field, ValidationInfo, field_validator

from bot.config.checkins import GroupCheckins
from bot.config.crisis import check_country_code
from bot.config.fields import (
    MemberRef,
    check_one_line,
    check_plain_text,
    check_timezone,
    config_error,
    quoting,
)
from bot.config.schedule import ScheduleConfig

__all__ = ["GroupConfig"]

_SLUG = re.compile(r"[a-z0-9][a-z0-9-]{1,39}")


class GroupConfig(BaseModel):
    """One peer-support group."""

    model_config = ConfigDict(extra="forbid")

    slug: str
    name: str = Field(min_length=1, max_length=80)
    description: str = Field(default="", max_length=500)
    capacity: int = Field(ge=1, le=500)
    facilitators: list[MemberRef] = Field(default_factory=list)
    timezone: str = ""
    # Where the group meets, for /crisis asked in its chat (None: the member's or the bot's).
    country: str | None = None
    online: bool = True
    location: str = Field(default="", max_length=200)
    telegram_chat_id: int | None = None
    discord_guild_id: int | None = None
    discord_channel_id: int | None = None
    schedule: ScheduleConfig
    previously: list[str] = Field(default_factory=list, max_length=10)
    checkins: GroupCheckins = Field(default_factory=GroupCheckins)

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

    @field_validator("country", mode="before")
    @classmethod
    def _country(cls, value: object) -> object:
        return check_country_code(value)

    @field_validator("timezone")
    @classmethod
    def _timezone(cls, value: str) -> str:
        return check_timezone(value) if value else value

    @field_validator("name", "location")
    @classmethod
    def _one_line(cls, value: str) -> str:
        return check_one_line(value)

    @field_validator("description")
    @classmethod
    def _plain_text(cls, value: str) -> str:
        return check_plain_text(value)

    @field_validator("schedule")
    @classmethod
    def _link_only_online(cls, value: ScheduleConfig, info: ValidationInfo) -> ScheduleConfig:
        if value.link and info.data.get("online") is False:
            raise config_error(
                "is for groups that meet online, and this one meets in person "
                "(online = false): remove the link, or set online = true",
                sub_loc=("link",),
            )
        return value

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
