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

from bot.config.environment import Environment, deep_merge, read_environment
from bot.config.fields import env_var_name
from bot.config.locator import Loc, TomlLocator
from bot.config.names import group_identity_findings
from bot.config.problems import ConfigError, ConfigProblem, Finding, findings_from, format_path
from bot.config.settings import SECRET_KEYS, Settings
from bot.storage.urls import has_password, is_postgres

__all__ = ["MAX_CONFIG_BYTES", "load_settings"]

MAX_CONFIG_BYTES = 8 * 1024 * 1024
"""A config file larger than this (8 MB) is refused unread: a small organization's is a few
kilobytes, one with 10,000 groups (facilitators, chats and links) about 2 MB."""


def load_settings(path: Path, *, environ: Mapping[str, str] | None = None) -> Settings:
    """Load ``path`` (TOML) plus ``PEERCIRCLE_*`` variables from ``environ`` (default os.environ).

    Raises :class:`ConfigError` listing every problem found.
    """
    text = _read_text(path)
    raw = _parse_toml(text)
    locator = TomlLocator(text)
    secrets = _take_out_secrets(raw)
    problems = [_secret_in_file(loc, locator) for loc in secrets]
    if _take_out_storage_password(raw):
        secrets.append(("storage", "url"))
        problems.append(_password_in_file(locator))
    environment = read_environment(os.environ if environ is None else environ, Settings)
    problems += environment.problems
    merged = deep_merge(raw, environment.values)
    findings: list[Finding] = []
    settings: Settings | None = None
    try:  # valid settings passed the same identity check (a Settings validator)
        settings = Settings.from_values(merged, config_dir=path.resolve().parent)
    except ValidationError as exc:
        findings = group_identity_findings(merged.get("groups"))  # even if a group is invalid
        reported = {*secrets, *(finding.loc for finding in findings)}
        findings += [f for f in findings_from(exc) if f.loc not in reported]
    problems += [_placed(finding, locator, environment) for finding in findings]
    if problems or settings is None:
        raise ConfigError(_sorted_unique(problems))
    return settings


def _placed(finding: Finding, locator: TomlLocator, environment: Environment) -> ConfigProblem:
    """Point at the variable that set the value, if one did; else at the file's line."""
    source = environment.variable_for(finding.loc)
    if source is None:
        line = locator.line_for(finding.loc)
        return ConfigProblem(format_path(finding.loc), finding.message, line)
    name, var_loc = source
    where = name if finding.loc == var_loc else f"{name} ({format_path(finding.loc)})"
    return ConfigProblem(where, finding.unquoted)


def _read_text(path: Path) -> str:
    """The file's text, refusing (before any parsing) one too large to be a config."""
    try:
        with path.open("rb") as file:
            # read(n) sets aside n bytes first: ask for no more than the file holds.
            size = os.fstat(file.fileno()).st_size
            data = file.read((size if 0 < size <= MAX_CONFIG_BYTES else MAX_CONFIG_BYTES) + 1)
    except FileNotFoundError:
        raise ConfigError([ConfigProblem("<file>", f"no config file at {path}")]) from None
    except OSError as exc:
        message = f"could not read {path}: {exc.strerror or exc}"
        raise ConfigError([ConfigProblem("<file>", message)]) from None
    if len(data) > MAX_CONFIG_BYTES:
        message = (
            f"{path} is larger than {MAX_CONFIG_BYTES // (1024 * 1024)} MB, far more than any"
            " PeerCircle config needs; "
            "check that this is the right file"
        )
        raise ConfigError([ConfigProblem("<file>", message)])
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        message = f"{path} is not UTF-8 text; save it as UTF-8 and try again"
        raise ConfigError([ConfigProblem("<file>", message)]) from None
    return text.replace("\r\n", "\n").replace("\r", "\n")  # as text mode would


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


def _take_out_secrets(raw: dict[str, Any]) -> list[Loc]:
    """Remove secrets written into the file from ``raw``; where they were."""
    found: list[Loc] = []
    for section, key in SECRET_KEYS:
        section_data = raw.get(section)
        if isinstance(section_data, dict) and key in section_data:
            del section_data[key]
            found.append((section, key))
    return found


def _take_out_storage_password(raw: dict[str, Any]) -> bool:
    """Remove a PostgreSQL address holding a password from ``raw``; whether there was one."""
    storage = raw.get("storage")
    url = storage.get("url") if isinstance(storage, dict) else None
    if (
        isinstance(storage, dict)
        and isinstance(url, str)
        and is_postgres(url)
        and has_password(url)
    ):
        del storage["url"]
        return True
    return False


def _password_in_file(locator: TomlLocator) -> ConfigProblem:
    message = (
        "a database password does not belong in the config file; leave it out here and "
        "set PGPASSWORD in the environment, or put the whole address in "
        "PEERCIRCLE_STORAGE__URL instead"
    )
    return ConfigProblem("storage.url", message, locator.line_for(("storage", "url")))


def _secret_in_file(loc: Loc, locator: TomlLocator) -> ConfigProblem:
    section, key = str(loc[0]), str(loc[1])
    message = (
        "secrets do not belong in the config file; "
        f"set {env_var_name(section, key)} in the environment instead"
    )
    return ConfigProblem(format_path(loc), message, locator.line_for(loc))


def _sorted_unique(problems: list[ConfigProblem]) -> list[ConfigProblem]:
    unique = list(dict.fromkeys(problems))
    return sorted(unique, key=lambda p: (p.line is None, p.line or 0))
