"""PeerCircle settings: a TOML file for structure, environment variables for secrets.

Use :func:`load_settings`; every failure becomes a :class:`ConfigError` that lists
organizer-friendly :class:`ConfigProblem` entries with dotted paths and line numbers.
"""

from __future__ import annotations

import datetime
import os
import re
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated, Any, Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Field,
    PrivateAttr,
    SecretStr,
    ValidationError,
    ValidationInfo,
    field_validator,
    model_validator,
)
from pydantic_core import ErrorDetails, PydanticCustomError
from pydantic_settings import (
    BaseSettings,
    EnvSettingsSource,
    PydanticBaseSettingsSource,
    SettingsConfigDict,
    SettingsError,
)

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
    "Platform",
    "ScheduleConfig",
    "Settings",
    "StorageSection",
    "TelegramSection",
    "load_settings",
    "parse_member_ref",
]

Platform = Literal["console", "telegram", "discord"]
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

ENV_PREFIX = "PEERCIRCLE_"
ENV_DELIMITER = "__"
SECRET_KEYS: tuple[tuple[str, str], ...] = (
    ("telegram", "token"),
    ("discord", "token"),
    ("checkins", "hmac_key"),
)
SQLITE_PREFIX = "sqlite:///"

_CONSOLE_NAME = re.compile(r"[A-Za-z0-9_.-]{1,32}")
_TELEGRAM_ID = re.compile(r"[1-9][0-9]*")
_DISCORD_ID = re.compile(r"[0-9]{15,21}")
_SLUG = re.compile(r"[a-z0-9][a-z0-9-]{1,39}")
_COUNTRY = re.compile(r"[A-Z]{2}")
_HH_MM = re.compile(r"([0-9]{1,2}):([0-9]{2})")
_REF_EXAMPLES = "telegram:123456789, discord:123456789012345678 or console:sam"


def env_var_name(section: str, key: str) -> str:
    """The environment variable that sets ``section.key``."""
    return f"{ENV_PREFIX}{section.upper()}{ENV_DELIMITER}{key.upper()}"


# ---------------------------------------------------------------------------
# Problems and errors
# ---------------------------------------------------------------------------


@dataclass(frozen=True)
class ConfigProblem:
    """One thing wrong with the configuration, pointing at where it is."""

    path: str
    message: str
    line: int | None = None

    def __str__(self) -> str:
        where = self.path if self.line is None else f"{self.path} (line {self.line})"
        return f"{where}: {self.message}"


class ConfigError(Exception):
    """The configuration could not be loaded; ``problems`` says why."""

    def __init__(self, problems: list[ConfigProblem]) -> None:
        self.problems = list(problems)
        super().__init__("\n".join(str(problem) for problem in self.problems))


# ---------------------------------------------------------------------------
# Reusable field checks
# ---------------------------------------------------------------------------


def _check_timezone(name: str) -> str:
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError, OSError):
        raise ValueError(
            f"{name!r} is not a time zone I recognise; use an IANA name "
            "such as Europe/London or America/New_York"
        ) from None
    return name


def _check_console_name(name: str) -> str:
    if not _CONSOLE_NAME.fullmatch(name):
        raise ValueError(
            "a console name is 1–32 letters, digits, dots, dashes or underscores, like sam"
        )
    return name


def parse_member_ref(ref: str) -> tuple[str, str]:
    """Split a member reference like ``telegram:123`` into ``("telegram", "123")``."""
    platform, sep, ident = ref.partition(":")
    if not sep or not platform or not ident:
        raise ValueError(f"{ref!r} should look like platform:id, for example {_REF_EXAMPLES}")
    if platform == "telegram":
        if not _TELEGRAM_ID.fullmatch(ident):
            raise ValueError(
                f"{ref!r}: a Telegram user id is a positive whole number, like telegram:123456789"
            )
    elif platform == "discord":
        if not _DISCORD_ID.fullmatch(ident):
            raise ValueError(
                f"{ref!r}: a Discord user id is a number of 15–21 digits, "
                "like discord:123456789012345678"
            )
    elif platform == "console":
        if not _CONSOLE_NAME.fullmatch(ident):
            raise ValueError(
                f"{ref!r}: a console name is 1–32 letters, digits, dots, dashes or "
                "underscores, like console:sam"
            )
    else:
        raise ValueError(
            f"{ref!r}: unknown platform {platform!r}; use telegram, discord or console"
        )
    return platform, ident


def _check_member_ref(ref: str) -> str:
    parse_member_ref(ref)
    return ref


MemberRef = Annotated[str, AfterValidator(_check_member_ref)]


def _located(sub_loc: tuple[str | int, ...], message: str) -> PydanticCustomError:
    """An error to be reported below the validated field, at ``sub_loc``."""
    return PydanticCustomError("located", "{message}", {"message": message, "sub_loc": sub_loc})


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
        return _check_timezone(value)

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
        if value.startswith(("postgresql://", "postgres://")):
            raise ValueError(
                "PostgreSQL storage is not available in this release yet; use sqlite:///path"
            )
        if not value.startswith(SQLITE_PREFIX) or value == SQLITE_PREFIX:
            raise ValueError(
                "use a SQLite address like sqlite:///data/peercircle.sqlite3 "
                "(or sqlite:///:memory: for a throwaway database)"
            )
        return value


class ConsoleSection(_Section):
    """The local console adapter."""

    enabled: bool = True
    user: str = "you"

    @field_validator("user")
    @classmethod
    def _user(cls, value: str) -> str:
        return _check_console_name(value)


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
        return _check_timezone(value) if value else value


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
        rest = self.storage.url.removeprefix(SQLITE_PREFIX)
        if rest == ":memory:":
            return None
        path = Path(rest)
        return path if path.is_absolute() else self.config_dir / path


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


# ---------------------------------------------------------------------------
# Turning pydantic errors into plain English
# ---------------------------------------------------------------------------

Loc = tuple[str | int, ...]


def _translate(exc: ValidationError, locator: _TomlLocator) -> list[ConfigProblem]:
    problems = []
    for error in exc.errors(include_url=False, include_input=False):
        loc: Loc = tuple(error["loc"])
        ctx = error.get("ctx") or {}
        if error["type"] == "located":
            loc += tuple(ctx["sub_loc"])
        problems.append(
            ConfigProblem(format_path(loc), _plain_message(error), locator.line_for(loc))
        )
    return problems


def format_path(loc: Loc) -> str:
    """``("groups", 1, "slug")`` -> ``"groups[1].slug"``."""
    out = ""
    for part in loc:
        if isinstance(part, int):
            out += f"[{part}]"
        else:
            out += f".{part}" if out else part
    return out or "<config>"


_SIMPLE_MESSAGES: dict[str, str] = {
    "extra_forbidden": "unknown setting (check the spelling)",
    "missing": "required setting is missing",
    "int_type": "must be a whole number",
    "int_parsing": "must be a whole number",
    "int_from_float": "must be a whole number",
    "bool_type": "must be true or false",
    "bool_parsing": "must be true or false",
    "string_type": "must be text in quotes",
    "list_type": 'must be a list, like ["a", "b"]',
    "model_type": "must be a section of settings",
    "model_attributes_type": "must be a section of settings",
    "dict_type": "must be a section of settings",
    "date_type": "must be a date like 2026-01-08",
    "date_parsing": "must be a date like 2026-01-08",
    "date_from_datetime_parsing": "must be a date like 2026-01-08",
    "date_from_datetime_inexact": "must be a date like 2026-01-08, without a time",
    "time_type": 'must be a time like "19:00"',
    "time_parsing": 'must be a time like "19:00"',
}


def _plain_message(error: ErrorDetails) -> str:
    kind = error["type"]
    ctx = error.get("ctx") or {}
    if kind in _SIMPLE_MESSAGES:
        return _SIMPLE_MESSAGES[kind]
    if kind in ("value_error", "assertion_error"):
        return str(ctx.get("error", error["msg"]))
    bounds = {
        "greater_than_equal": ("must be at least", "ge"),
        "less_than_equal": ("must be at most", "le"),
        "greater_than": ("must be more than", "gt"),
        "less_than": ("must be less than", "lt"),
    }
    if kind in bounds:
        words, key = bounds[kind]
        return f"{words} {ctx[key]}"
    if kind == "string_too_short":
        size = ctx.get("min_length", 1)
        return "must not be empty" if size == 1 else f"must be at least {size} characters"
    if kind == "string_too_long":
        return f"must be at most {ctx.get('max_length')} characters"
    if kind == "literal_error":
        return f"must be one of {ctx.get('expected')}"
    return error["msg"]


# ---------------------------------------------------------------------------
# Line numbers, best effort
# ---------------------------------------------------------------------------

_HEADER_LINE = re.compile(r"\s*(\[\[?)\s*([^\[\]]+?)\s*\]\]?\s*(?:#.*)?")
_KEY_LINE = re.compile(r"\s*([A-Za-z0-9_\-.\"' ]+?)\s*=(.*)")
_INLINE_KEY = re.compile(r"([A-Za-z0-9_-]+)\s*=")


def _split_key(key: str) -> tuple[str, ...]:
    return tuple(part.strip().strip("\"'") for part in key.split("."))


class _TomlLocator:
    """Maps setting paths like ``("groups", 1, "capacity")`` to line numbers."""

    def __init__(self, text: str) -> None:
        self._lines: dict[Loc, int] = {}
        self._arrays: dict[tuple[str, ...], int] = {}
        self._scan(text)

    def line_for(self, loc: Loc) -> int | None:
        """The line of ``loc``, or of its nearest enclosing table or key."""
        for size in range(len(loc), 0, -1):
            line = self._lines.get(loc[:size])
            if line is not None:
                return line
        return None

    def _scan(self, text: str) -> None:
        table: Loc = ()
        in_string = False
        for number, line in enumerate(text.splitlines(), start=1):
            was_in_string = in_string
            if (line.count('"""') + line.count("'''")) % 2:
                in_string = not in_string
            if was_in_string:
                continue
            header = _HEADER_LINE.fullmatch(line)
            if header:
                table = self._enter_table(header[1] == "[[", _split_key(header[2]))
                self._lines.setdefault(table, number)
                continue
            key = _KEY_LINE.fullmatch(line)
            if key and not line.lstrip().startswith("#"):
                self._record_key(table + _split_key(key[1]), key[2], number)

    def _enter_table(self, is_array: bool, names: tuple[str, ...]) -> Loc:
        if is_array:
            self._arrays[names] = self._arrays.get(names, -1) + 1
        loc: list[str | int] = []
        for size in range(1, len(names) + 1):
            loc.append(names[size - 1])
            index = self._arrays.get(names[:size])
            if index is not None:
                loc.append(index)
        return tuple(loc)

    def _record_key(self, loc: Loc, value: str, number: int) -> None:
        self._lines.setdefault(loc, number)
        if value.strip().startswith("{"):
            for inner in _INLINE_KEY.finditer(value):
                self._lines.setdefault((*loc, inner[1]), number)
