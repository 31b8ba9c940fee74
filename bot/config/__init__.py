"""PeerCircle's configuration: one TOML file for structure, ``PEERCIRCLE_*`` variables for secrets.

Use :func:`load_settings`; every failure is a :class:`ConfigError` listing
:class:`ConfigProblem` entries an organizer can act on (the setting's path, its line,
and what to do). :func:`format_problems` and :func:`summarize` are what
``peercircle check-config`` prints.

Inside: ``loading`` (the file, merging, validating), ``environment`` (``PEERCIRCLE_*``
variables), ``settings`` (the whole model), ``sections`` (``[bot]`` and friends), ``group``
(``[[groups]]``), ``schedule`` (``[groups.schedule]``), ``rule`` (its ``rrule``),
``reminders`` (reminder offsets), ``checkins`` (``[checkins]``), ``telegram``
(``[telegram]``: polling or a webhook), ``names`` (groups people
can tell apart), ``fields`` (reusable checks), ``problems`` and ``locator`` (plain-English
errors with line numbers), ``report``.
"""

from __future__ import annotations

from bot.config.checkins import GroupCheckins
from bot.config.fields import parse_member_ref
from bot.config.group import GroupConfig
from bot.config.loading import MAX_CONFIG_BYTES, load_settings
from bot.config.problems import ConfigError, ConfigProblem
from bot.config.reminders import DEFAULT_REMINDERS, format_offset
from bot.config.report import format_problems, summarize
from bot.config.schedule import ScheduleConfig, Weekday
from bot.config.sections import (
    SUPPORTED_LANGUAGES,
    BotSection,
    CheckinsSection,
    ConsoleSection,
    DiscordSection,
    StorageSection,
    TelegramSection,
)
from bot.config.settings import Settings

__all__ = [
    "DEFAULT_REMINDERS",
    "MAX_CONFIG_BYTES",
    "SUPPORTED_LANGUAGES",
    "BotSection",
    "CheckinsSection",
    "ConfigError",
    "ConfigProblem",
    "ConsoleSection",
    "DiscordSection",
    "GroupCheckins",
    "GroupConfig",
    "ScheduleConfig",
    "Settings",
    "StorageSection",
    "TelegramSection",
    "Weekday",
    "format_offset",
    "format_problems",
    "load_settings",
    "parse_member_ref",
    "summarize",
]
