"""Reusable field checks shared by the config sections.

Time zones, console names and member references (``telegram:123``), the
``PEERCIRCLE_*`` environment-variable names that error messages point at, and
:func:`config_error`, the one way a check words a problem in its own terms.
"""

from __future__ import annotations

import re
from typing import Annotated
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import AfterValidator
from pydantic_core import PydanticCustomError

from bot.config.locator import Loc
from bot.text import has_control_characters

__all__ = [
    "CONFIG_ERROR",
    "ENV_DELIMITER",
    "ENV_PREFIX",
    "MemberRef",
    "check_console_name",
    "check_timezone",
    "config_error",
    "env_var_name",
    "parse_member_ref",
    "quoting",
]

ENV_PREFIX = "PEERCIRCLE_"
ENV_DELIMITER = "__"
CONFIG_ERROR = "peercircle_config"

_CONSOLE_NAME = re.compile(r"[A-Za-z0-9_.-]{1,32}")
_TELEGRAM_ID = re.compile(r"[1-9][0-9]*")
_DISCORD_ID = re.compile(r"[0-9]{15,21}")
_REF_EXAMPLES = "telegram:123456789, discord:123456789012345678 or console:sam"


def env_var_name(section: str, key: str) -> str:
    """The environment variable that sets ``section.key``."""
    return f"{ENV_PREFIX}{section.upper()}{ENV_DELIMITER}{key.upper()}"


def config_error(message: str, *, unquoted: str = "", sub_loc: Loc = ()) -> PydanticCustomError:
    """A validation error in our own words.

    ``unquoted`` says the same without repeating anything that was written (it is shown
    instead of ``message`` when the value came from an environment variable, which may
    hold a secret); leave it empty when ``message`` quotes nothing. ``sub_loc`` reports the
    error below the validated field, e.g. ``(2, "slug")`` under ``groups``.
    """
    context = {"message": message, "unquoted": unquoted or message, "sub_loc": sub_loc}
    return PydanticCustomError(CONFIG_ERROR, "{message}", context)


def quoting(shown: str, reason: str) -> PydanticCustomError:
    """``'Mars/Base' is not a time zone…``, or just the reason for an environment variable."""
    return config_error(f"{shown} {reason}", unquoted=reason)


# ---------------------------------------------------------------------------
# Reusable field checks
# ---------------------------------------------------------------------------


_UNKNOWN_ZONE = (
    "is not a time zone I recognise; use an IANA name such as Europe/London or America/New_York"
)
_NOT_A_PLACE = {
    "localtime": "is whatever zone this computer is set to, which can change when the bot "
    "moves; name the zone the group meets in, such as Europe/London",
    "factory": "is a placeholder, not a real time zone; use an IANA name such as Europe/London",
    "posixrules": "is an internal file of the time zone database, not a time zone; "
    "use an IANA name such as Europe/London",
}
_VARIANT_TREES = ("right/", "posix/")
_VARIANT = (
    'is a special-purpose copy of the time zone database; write the zone without "right/" '
    'or "posix/", such as Europe/London'
)


def _timezone_problem(name: str) -> str | None:
    folded = name.casefold()
    if folded in _NOT_A_PLACE:
        return _NOT_A_PLACE[folded]
    if folded.startswith(_VARIANT_TREES):
        return _VARIANT
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError, OSError):
        return _UNKNOWN_ZONE
    return None


def check_one_line(text: str) -> str:
    """A name the bot shows as written: one line, no control characters."""
    if has_control_characters(text):
        raise ValueError("must be one line of plain text, without line breaks, tabs or escapes")
    return text


def check_plain_text(text: str) -> str:
    """A text the bot shows as written: line breaks are fine, control characters not."""
    if has_control_characters(text, line_breaks=True):
        raise ValueError("must be plain text: line breaks are fine, but not tabs or escapes")
    return text


def check_timezone(name: str) -> str:
    """``name`` if it is an IANA time zone a group can meet in; zoneinfo also loads names
    such as ``localtime`` and ``right/Europe/London``, which are refused here."""
    problem = _timezone_problem(name)
    if problem is not None:
        raise quoting(repr(name), problem)
    return name


def check_console_name(name: str) -> str:
    if not _CONSOLE_NAME.fullmatch(name):
        raise ValueError(
            "a console name is 1–32 letters, digits, dots, dashes or underscores, like sam"
        )
    return name


def _member_ref_problem(ref: str) -> str | None:
    """Why ``ref`` is not a member reference like ``telegram:123`` (without quoting it),
    or None when it is one."""
    platform, sep, ident = ref.partition(":")
    if not sep or not platform or not ident:
        return f"should look like platform:id, for example {_REF_EXAMPLES}"
    checks = {
        "telegram": (
            _TELEGRAM_ID,
            "is not a Telegram user id: that is a positive whole number, like telegram:123456789",
        ),
        "discord": (
            _DISCORD_ID,
            "is not a Discord user id: that is a number of 15–21 digits, "
            "like discord:123456789012345678",
        ),
        "console": (
            _CONSOLE_NAME,
            "is not a console name: that is 1–32 letters, digits, dots, dashes or "
            "underscores, like console:sam",
        ),
    }
    if platform not in checks:
        return "names a platform PeerCircle does not know; use telegram, discord or console"
    pattern, problem = checks[platform]
    return None if pattern.fullmatch(ident) else problem


def parse_member_ref(ref: str) -> tuple[str, str]:
    """Split a member reference like ``telegram:123`` into ``("telegram", "123")``.

    Raises ``ValueError`` naming ``ref`` and what is wrong with it.
    """
    problem = _member_ref_problem(ref)
    if problem is not None:
        raise ValueError(f"{ref!r} {problem}")
    platform, _, ident = ref.partition(":")
    return platform, ident


def _check_member_ref(ref: str) -> str:
    problem = _member_ref_problem(ref)
    if problem is not None:
        raise quoting(repr(ref), problem)
    return ref


MemberRef = Annotated[str, AfterValidator(_check_member_ref)]
