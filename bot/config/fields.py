"""Reusable field checks shared by the config sections.

Time zones, console names and member references (``telegram:123``), plus the
``PEERCIRCLE_*`` environment-variable names that error messages point at.
"""

from __future__ import annotations

import re
from typing import Annotated
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import AfterValidator
from pydantic_core import PydanticCustomError

__all__ = [
    "ENV_DELIMITER",
    "ENV_PREFIX",
    "MemberRef",
    "check_console_name",
    "check_timezone",
    "env_var_name",
    "located",
    "parse_member_ref",
]

ENV_PREFIX = "PEERCIRCLE_"
ENV_DELIMITER = "__"

_CONSOLE_NAME = re.compile(r"[A-Za-z0-9_.-]{1,32}")
_TELEGRAM_ID = re.compile(r"[1-9][0-9]*")
_DISCORD_ID = re.compile(r"[0-9]{15,21}")
_REF_EXAMPLES = "telegram:123456789, discord:123456789012345678 or console:sam"


def env_var_name(section: str, key: str) -> str:
    """The environment variable that sets ``section.key``."""
    return f"{ENV_PREFIX}{section.upper()}{ENV_DELIMITER}{key.upper()}"


# ---------------------------------------------------------------------------
# Reusable field checks
# ---------------------------------------------------------------------------


def check_timezone(name: str) -> str:
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError, OSError):
        raise ValueError(
            f"{name!r} is not a time zone I recognise; use an IANA name "
            "such as Europe/London or America/New_York"
        ) from None
    return name


def check_console_name(name: str) -> str:
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


def located(sub_loc: tuple[str | int, ...], message: str) -> PydanticCustomError:
    """An error to be reported below the validated field, at ``sub_loc``."""
    return PydanticCustomError("located", "{message}", {"message": message, "sub_loc": sub_loc})
