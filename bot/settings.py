"""PeerCircle settings: a TOML file for structure, environment variables for secrets.

Use :func:`load_settings`; every failure becomes a :class:`ConfigError` that lists
organizer-friendly :class:`ConfigProblem` entries with dotted paths and line numbers.

The pieces live next door: :mod:`bot.config_problems` (errors, plain-English messages,
line numbers), :mod:`bot.config_fields` (reusable field checks) and
:mod:`bot.config_sections` (the section models). Everything public is re-exported here.
"""

from __future__ import annotations

import os
import re
import tomllib
from collections.abc import Mapping
from pathlib import Path
from typing import Any, Literal

from pydantic import Field, PrivateAttr, ValidationError, field_validator, model_validator
from pydantic_settings import (
    BaseSettings,
    EnvSettingsSource,
    PydanticBaseSettingsSource,
    SettingsConfigDict,
    SettingsError,
)

from bot.config_fields import (
    ENV_DELIMITER,
    ENV_PREFIX,
    MemberRef,
    _located,
    env_var_name,
    parse_member_ref,
)
from bot.config_problems import (
    ConfigError,
    ConfigProblem,
    Loc,
    _TomlLocator,
    _translate,
    format_path,
)
from bot.config_sections import (
    SUPPORTED_LANGUAGES,
    WEEKDAYS,
    BotSection,
    CheckinsSection,
    ConsoleSection,
    DiscordSection,
    GroupConfig,
    ScheduleConfig,
    StorageSection,
    TelegramSection,
)
from bot.storage import sqlite_location

__all__ = [
    "SUPPORTED_LANGUAGES",
    "WEEKDAYS",
    "BotSection",
    "CheckinsSection",
    "ConfigError",
    "ConfigProblem",
    "ConsoleSection",
    "DiscordSection",
    "GroupConfig",
    "Loc",
    "Platform",
    "ScheduleConfig",
    "Settings",
    "StorageSection",
    "TelegramSection",
    "format_path",
    "load_settings",
    "parse_member_ref",
]

Platform = Literal["console", "telegram", "discord"]

SECRET_KEYS: tuple[tuple[str, str], ...] = (
    ("telegram", "token"),
    ("discord", "token"),
    ("checkins", "hmac_key"),
)


# ---------------------------------------------------------------------------
# Settings
# ---------------------------------------------------------------------------


class Settings(BaseSettings):
    """The whole configuration. Build it with :func:`load_settings`.

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
    organizers: list[MemberRef] = Field(default_factory=list)
    groups: list[GroupConfig] = Field(default_factory=list)

    _config_dir: Path | None = PrivateAttr(default=None)

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

    @field_validator("groups")
    @classmethod
    def _unique_slugs(cls, groups: list[GroupConfig]) -> list[GroupConfig]:
        seen: dict[str, int] = {}
        for index, group in enumerate(groups):
            if group.slug in seen:
                raise _located(
                    (index, "slug"),
                    f"{group.slug!r} is already used by groups[{seen[group.slug]}]; "
                    "each group needs its own slug",
                )
            seen[group.slug] = index
        return groups

    @model_validator(mode="after")
    def _fill_group_timezones(self) -> Settings:
        for group in self.groups:
            if not group.timezone:
                group.timezone = self.bot.timezone
        return self

    @property
    def config_dir(self) -> Path:
        """The directory of the config file (the working directory if there was none)."""
        return self._config_dir if self._config_dir is not None else Path.cwd()

    def sqlite_path(self) -> Path | None:
        """The SQLite file path, resolved against the config directory; None for :memory:."""
        return sqlite_location(self.storage.url, self.config_dir)


# ---------------------------------------------------------------------------
# Loading
# ---------------------------------------------------------------------------


class _MappingEnvSource(EnvSettingsSource):
    """pydantic-settings' env source, reading a given mapping instead of os.environ."""

    def __init__(self, settings_cls: type[BaseSettings], environ: Mapping[str, str]) -> None:
        super().__init__(settings_cls)
        self.env_vars = {
            (name if self.case_sensitive else name.lower()): value
            for name, value in environ.items()
        }


def load_settings(path: Path, *, environ: Mapping[str, str] | None = None) -> Settings:
    """Load ``path`` (TOML) plus ``PEERCIRCLE_*`` variables from ``environ`` (default os.environ).

    Raises :class:`ConfigError` listing every problem found.
    """
    text = _read_text(path)
    raw = _parse_toml(text)
    locator = _TomlLocator(text)
    problems = _secrets_in_file(raw, locator)
    for section, key in SECRET_KEYS:
        section_data = raw.get(section)
        if isinstance(section_data, dict):
            section_data.pop(key, None)
    merged = _deep_merge(raw, _env_values(os.environ if environ is None else environ))
    try:
        settings = Settings.model_validate(merged)
    except ValidationError as exc:
        flagged = {problem.path for problem in problems}
        problems += [p for p in _translate(exc, locator) if p.path not in flagged]
    if problems:
        raise ConfigError(_sorted_unique(problems))
    settings._config_dir = path.resolve().parent
    return settings


def _read_text(path: Path) -> str:
    try:
        return path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise ConfigError([ConfigProblem("<file>", f"no config file at {path}")]) from None
    except UnicodeDecodeError:
        message = f"{path} is not UTF-8 text; save it as UTF-8 and try again"
        raise ConfigError([ConfigProblem("<file>", message)]) from None
    except OSError as exc:
        message = f"could not read {path}: {exc.strerror or exc}"
        raise ConfigError([ConfigProblem("<file>", message)]) from None


_TOML_POSITION = re.compile(r"\s*\(at line (\d+), column (\d+)\)")


def _parse_toml(text: str) -> dict[str, Any]:
    try:
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        detail = str(exc)
        match = _TOML_POSITION.search(detail)
        line = int(match[1]) if match else None
        reason = _TOML_POSITION.sub("", detail).rstrip(".") or "invalid syntax"
        column = f" at column {match[2]}" if match else ""
        message = (
            f"this is not valid TOML: {reason[0].lower()}{reason[1:]}{column}. "
            "Check for a missing quote, bracket, comma or '='"
        )
        raise ConfigError([ConfigProblem("<toml>", message, line)]) from None


def _secrets_in_file(raw: Mapping[str, Any], locator: _TomlLocator) -> list[ConfigProblem]:
    problems = []
    for section, key in SECRET_KEYS:
        section_data = raw.get(section)
        if isinstance(section_data, dict) and key in section_data:
            message = (
                "secrets do not belong in the config file; "
                f"set {env_var_name(section, key)} in the environment instead"
            )
            line = locator.line_for((section, key))
            problems.append(ConfigProblem(f"{section}.{key}", message, line))
    return problems


def _env_values(environ: Mapping[str, str]) -> dict[str, Any]:
    try:
        return dict(_MappingEnvSource(Settings, environ)())
    except SettingsError as exc:
        message = f"could not read a {ENV_PREFIX}* variable: {exc}"
        raise ConfigError([ConfigProblem("<environment>", message)]) from None


def _deep_merge(base: dict[str, Any], override: Mapping[str, Any]) -> dict[str, Any]:
    merged = dict(base)
    for key, value in override.items():
        current = merged.get(key)
        if isinstance(current, dict) and isinstance(value, Mapping):
            merged[key] = _deep_merge(current, value)
        else:
            merged[key] = value
    return merged


def _sorted_unique(problems: list[ConfigProblem]) -> list[ConfigProblem]:
    unique = list(dict.fromkeys(problems))
    return sorted(unique, key=lambda p: (p.line is None, p.line or 0))
