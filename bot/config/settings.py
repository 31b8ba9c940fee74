"""The whole configuration as one model: :class:`Settings`.

Build it with :func:`bot.config.load_settings`, which reads the file and the environment;
constructing it directly uses only what it is given (handy in tests).
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

from pydantic import Field, PrivateAttr, model_validator
from pydantic_settings import BaseSettings, PydanticBaseSettingsSource, SettingsConfigDict

from bot.config.crisis import CrisisSection
from bot.config.delivery import DeliverySection
from bot.config.events import EventsSection
from bot.config.fields import ENV_DELIMITER, ENV_PREFIX, MemberRef, config_error
from bot.config.group import GroupConfig
from bot.config.http import HttpSection
from bot.config.logs import LoggingSection
from bot.config.names import group_identity_findings
from bot.config.sections import (
    BotSection,
    CheckinsSection,
    ConsoleSection,
    DiscordSection,
    StorageSection,
    TelegramSection,
)
from bot.storage import is_postgres, sqlite_location

__all__ = ["SECRET_KEYS", "Settings"]

SECRET_KEYS: tuple[tuple[str, str], ...] = (
    ("telegram", "token"),
    ("telegram", "webhook_secret"),
    ("discord", "token"),
    ("checkins", "hmac_key"),
    ("http", "calendar_key"),
)
"""The ``(section, key)`` settings that hold secrets: environment only, never the file."""


class Settings(BaseSettings):
    """The whole configuration. Build it with :func:`bot.config.load_settings`.

    Constructing it directly never reads ``os.environ`` (so tests stay hermetic);
    ``load_settings`` layers the ``PEERCIRCLE_*`` variables over the file.
    """

    model_config = SettingsConfigDict(
        env_prefix=ENV_PREFIX,
        env_nested_delimiter=ENV_DELIMITER,
        extra="forbid",
    )

    bot: BotSection = Field(default_factory=BotSection)
    storage: StorageSection = Field(default_factory=StorageSection)
    console: ConsoleSection = Field(default_factory=ConsoleSection)
    telegram: TelegramSection = Field(default_factory=TelegramSection)
    discord: DiscordSection = Field(default_factory=DiscordSection)
    checkins: CheckinsSection = Field(default_factory=CheckinsSection)
    delivery: DeliverySection = Field(default_factory=DeliverySection)
    crisis: CrisisSection = Field(default_factory=CrisisSection)
    events: EventsSection = Field(default_factory=EventsSection)
    logging: LoggingSection = Field(default_factory=LoggingSection)
    http: HttpSection = Field(default_factory=HttpSection)
    organizers: list[MemberRef] = Field(default_factory=list)
    groups: list[GroupConfig] = Field(default_factory=list)

    _config_dir: Path | None = PrivateAttr(default=None)

    @classmethod
    def from_values(cls, values: Mapping[str, Any], *, config_dir: Path) -> Settings:
        """Validate ``values`` (file and environment merged) for a file in ``config_dir``.

        Raises pydantic's ``ValidationError``; :func:`bot.config.load_settings` turns it
        into plain English.
        """
        if any(key.startswith("_") for key in values):  # never a setting (reported so)
            settings = cls.model_validate(values)
        else:
            # Through __init__, not model_validate: for a BaseSettings, model_validate
            # calls __init__ and then validates again around it, three times the work
            # (a second or more with 10,000 groups).
            settings = cls(**values)
        settings._config_dir = config_dir
        return settings

    @classmethod
    def settings_customise_sources(
        cls,
        settings_cls: type[BaseSettings],
        init_settings: PydanticBaseSettingsSource,
        env_settings: PydanticBaseSettingsSource,
        dotenv_settings: PydanticBaseSettingsSource,
        file_secret_settings: PydanticBaseSettingsSource,
    ) -> tuple[PydanticBaseSettingsSource, ...]:
        """Only explicit values: :func:`load_settings` reads the environment it is given."""
        return (init_settings,)

    @model_validator(mode="after")
    def _groups_people_can_tell_apart(self) -> Settings:
        """Also checked on the raw data by the loader; this keeps direct construction safe."""
        groups = [{"slug": group.slug, "name": group.name} for group in self.groups]
        findings = group_identity_findings(groups)
        if findings:
            first = findings[0]
            raise config_error(first.message, unquoted=first.unquoted, sub_loc=first.loc)
        return self

    @model_validator(mode="after")
    def _earlier_slugs_are_free(self) -> Settings:
        """A group's ``previously`` moves the members of its old slug to it, so the old
        slug must not name a group now, nor be claimed by two groups."""
        current = {group.slug for group in self.groups}
        claimed: dict[str, int] = {}
        for index, group in enumerate(self.groups):
            for position, old in enumerate(group.previously):
                loc = ("groups", index, "previously", position)
                if old in current:
                    reason = "is the slug of a group in this file; a slug can't be both"
                    raise config_error(f"{old!r} {reason}", unquoted=reason, sub_loc=loc)
                if old in claimed:
                    reason = f"is also listed by groups[{claimed[old]}].previously"
                    raise config_error(f"{old!r} {reason}", unquoted=reason, sub_loc=loc)
                claimed[old] = index
        return self

    @model_validator(mode="after")
    def _fill_group_timezones(self) -> Settings:
        for group in self.groups:
            if not group.timezone:
                group.timezone = self.bot.timezone
        return self

    @model_validator(mode="after")
    def _fill_group_reminders(self) -> Settings:
        """A group without reminders of its own takes ``[bot] reminders`` (``[]``: none)."""
        for group in self.groups:
            if group.schedule.reminders is None:
                group.schedule.reminders = list(self.bot.reminders)
        return self

    @model_validator(mode="after")
    def _fill_group_checkins(self) -> Settings:
        """A group's check-in settings left out come from ``[checkins]``; a group's notes
        threshold is never below its numbers threshold."""
        bot = self.checkins
        for group in self.groups:
            own = group.checkins
            for name in ("enabled", "opens_on", "opens_at", "open_days", "min_respondents"):
                if getattr(own, name) is None:
                    setattr(own, name, getattr(bot, name))
            notes = own.notes_min_respondents or bot.notes_min_respondents
            own.notes_min_respondents = max(notes, own.min_respondents or 0)
        return self

    @property
    def config_dir(self) -> Path:
        """The directory of the config file (the working directory if there was none)."""
        return self._config_dir if self._config_dir is not None else Path.cwd()

    def sqlite_path(self) -> Path | None:
        """The SQLite file path, resolved against the config directory; None for :memory:
        (and for a PostgreSQL database, which is no file)."""
        if is_postgres(self.storage.url):
            return None
        return sqlite_location(self.storage.url, self.config_dir)
