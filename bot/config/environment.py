"""``PEERCIRCLE_*`` environment variables, read one at a time so every problem names its variable.

A variable's value is never repeated in a problem: it may be a secret.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from pydantic_settings import BaseSettings, EnvSettingsSource, SettingsError

from bot.config.fields import ENV_DELIMITER, ENV_PREFIX
from bot.config.locator import Loc
from bot.config.problems import ConfigProblem

__all__ = ["Environment", "deep_merge", "read_environment"]

_UNREADABLE = (
    "could not be read; a list or a whole section set in the environment is written "
    'as JSON, like ["console:sam"]'
)


@dataclass(frozen=True)
class Environment:
    """The settings found in the environment, and which variable set each of them."""

    values: dict[str, Any] = field(default_factory=dict)
    variables: dict[Loc, str] = field(default_factory=dict)
    problems: tuple[ConfigProblem, ...] = ()

    def variable_for(self, loc: Loc) -> tuple[str, Loc] | None:
        """The variable that set ``loc`` (or set something inside it), and the path it set;
        None when the value there came from the file."""
        if not _supplies(self.values, loc):
            return None
        for var_loc, name in self.variables.items():
            if loc[: len(var_loc)] == var_loc:
                return name, var_loc
        for var_loc, name in self.variables.items():
            if loc and var_loc[: len(loc)] == loc:
                return name, var_loc
        return None


def _supplies(values: Mapping[str, Any], loc: Loc) -> bool:
    """Whether the environment's ``values`` hold ``loc`` (sections merge key by key with
    the file's, so a variable for a whole section need not hold every key in it)."""
    node: object = values
    for part in loc:
        if not isinstance(node, Mapping):
            return True  # a list or value that a variable set whole
        if part not in node:
            return False
        node = node[part]
    return True


class _MappingEnvSource(EnvSettingsSource):
    """pydantic-settings' env source, reading a given mapping instead of os.environ."""

    def __init__(self, settings_cls: type[BaseSettings], environ: Mapping[str, str]) -> None:
        super().__init__(settings_cls)
        self.env_vars = {
            (name if self.case_sensitive else name.lower()): value
            for name, value in environ.items()
        }


def read_environment(environ: Mapping[str, str], settings_cls: type[BaseSettings]) -> Environment:
    """The ``PEERCIRCLE_*`` settings in ``environ``, nested like the TOML file."""
    values: dict[str, Any] = {}
    variables: dict[Loc, str] = {}
    problems = []
    for name in sorted(environ):
        if not name.upper().startswith(ENV_PREFIX):
            continue
        try:
            found = dict(_MappingEnvSource(settings_cls, {name: environ[name]})())
        except SettingsError:
            problems.append(ConfigProblem(name, _UNREADABLE))
            continue
        if found:  # e.g. PEERCIRCLE_CONFIG names the file and is no setting
            values = deep_merge(values, found)
            variables[_loc_of(name)] = name
    return Environment(values, variables, tuple(problems))


def _loc_of(name: str) -> Loc:
    """``PEERCIRCLE_BOT__TIMEZONE`` -> ``("bot", "timezone")``."""
    return tuple(part.lower() for part in name[len(ENV_PREFIX) :].split(ENV_DELIMITER))


def deep_merge(base: Mapping[str, Any], override: Mapping[str, Any]) -> dict[str, Any]:
    """``base`` with ``override`` laid over it, merging sections key by key."""
    merged = dict(base)
    for key, value in override.items():
        current = merged.get(key)
        if isinstance(current, Mapping) and isinstance(value, Mapping):
            merged[key] = deep_merge(current, value)
        else:
            merged[key] = value
    return merged
