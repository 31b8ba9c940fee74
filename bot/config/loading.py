"""Loading the configuration: a TOML file for structure, environment variables for secrets.

:func:`load_settings` reads the file, refuses secrets written into it, layers the
``PEERCIRCLE_*`` variables over it and validates the result; every failure becomes a
:class:`ConfigError` listing what is wrong, where.
"""

from __future__ import annotations

import os
import re
import tomllib
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from pydantic import ValidationError
from pydantic_settings import BaseSettings, EnvSettingsSource, SettingsError

from bot.config.fields import ENV_PREFIX, env_var_name
from bot.config.locator import TomlLocator
from bot.config.problems import ConfigError, ConfigProblem, problems_from
from bot.config.settings import SECRET_KEYS, Settings

__all__ = ["load_settings"]


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
    locator = TomlLocator(text)
    problems = _secrets_in_file(raw, locator)
    for section, key in SECRET_KEYS:
        section_data = raw.get(section)
        if isinstance(section_data, dict):
            section_data.pop(key, None)
    merged = _deep_merge(raw, _env_values(os.environ if environ is None else environ))
    try:
        settings = Settings.from_values(merged, config_dir=path.resolve().parent)
    except ValidationError as exc:
        flagged = {problem.path for problem in problems}
        problems += [p for p in problems_from(exc, locator) if p.path not in flagged]
    if problems:
        raise ConfigError(_sorted_unique(problems))
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


def _secrets_in_file(raw: Mapping[str, Any], locator: TomlLocator) -> list[ConfigProblem]:
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
