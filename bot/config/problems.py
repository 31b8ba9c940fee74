"""Where and what is wrong with a configuration, in words an organizer can act on.

:class:`ConfigError` carries :class:`ConfigProblem` entries with dotted paths (see
:func:`format_path`) and, where the TOML text allows, line numbers. Checks first
produce a :class:`Finding` (what is wrong at which setting); the loader then decides
whether to point at the file's line or at the environment variable that set it.
"""

from __future__ import annotations

from dataclasses import dataclass

from pydantic import ValidationError
from pydantic_core import ErrorDetails

from bot.config.fields import CONFIG_ERROR
from bot.config.locator import Loc

__all__ = [
    "ConfigError",
    "ConfigProblem",
    "Finding",
    "findings_from",
    "format_path",
]


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
# Turning pydantic errors into plain English
# ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Finding:
    """Something wrong at the setting ``loc``, before we know who set it.

    ``unquoted`` is the same reason without repeating anything that was written: it is
    what an environment variable's problem shows, since its value may be a secret.
    """

    loc: Loc
    message: str
    unquoted: str


def findings_from(exc: ValidationError) -> list[Finding]:
    """Each of pydantic's errors as a :class:`Finding` in plain English."""
    findings = []
    for error in exc.errors(include_url=False, include_input=False):
        loc: Loc = tuple(error["loc"])
        ctx = error.get("ctx") or {}
        if error["type"] == CONFIG_ERROR:
            findings.append(Finding(loc + tuple(ctx["sub_loc"]), ctx["message"], ctx["unquoted"]))
        else:
            message = _plain_message(error)
            findings.append(Finding(loc, message, message))
    return findings


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
    "float_type": "must be a number",
    "float_parsing": "must be a number",
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
