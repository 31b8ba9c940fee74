"""Reading what a member typed for a setting: a time zone, a country, on/off, quiet hours.
Each refuses with a kind ``UserError`` that says what would work."""

from __future__ import annotations

import re
from datetime import time
from zoneinfo import available_timezones

from bot.config.fields import check_timezone
from bot.errors import UserError
from bot.text import quote_back
from groups.member_settings import QuietHours

BACK_TO_DEFAULT = frozenset({"default", "reset"})  # a zone or country: back to the bot's
NO_QUIET = frozenset({"off", "none", "no"})
ON = frozenset({"on", "yes", "true", "1"})
OFF = frozenset({"off", "no", "false", "0"})
COUNTRY_ALIASES = {"UK": "GB"}  # the United Kingdom's ISO 3166 code is GB
_COUNTRY = re.compile(r"[A-Z]{2}")
_QUIET = re.compile(r"(\d{1,2}):(\d{2})\s*[-–—]\s*(\d{1,2}):(\d{2})")
QUOTE_LIMIT = 40


def parse_timezone(typed: str) -> str | None:
    """An IANA zone name (any case: ``europe/dublin`` is ``Europe/Dublin``), or None for
    "default". Names that are not a place, such as ``localtime`` or ``posix/...``, are
    refused as the config refuses them."""
    wanted = typed.strip()
    if wanted.casefold() in BACK_TO_DEFAULT:
        return None
    for candidate in (wanted, _zone_in_any_case(wanted)):
        if candidate is None:
            continue
        try:
            return check_timezone(candidate)
        except ValueError:
            continue
    raise UserError("settings.timezone.unknown", given=quote_back(typed, QUOTE_LIMIT))


def _zone_in_any_case(wanted: str) -> str | None:
    folded = wanted.casefold()
    return next((name for name in available_timezones() if name.casefold() == folded), None)


def parse_country(typed: str) -> str | None:
    """Two letters (ISO 3166, like IE or GB), upper-cased; None for "default"."""
    wanted = typed.strip()
    if wanted.casefold() in BACK_TO_DEFAULT:
        return None
    code = wanted.upper()
    code = COUNTRY_ALIASES.get(code, code)
    if not _COUNTRY.fullmatch(code):
        raise UserError("settings.country.bad", given=quote_back(typed, QUOTE_LIMIT))
    return code


def parse_switch(typed: str, setting: str) -> bool:
    """on or off (yes/no too); ``setting`` names the setting in the refusal."""
    wanted = typed.strip().casefold()
    if wanted in ON:
        return True
    if wanted in OFF:
        return False
    raise UserError("settings.bad_switch", setting=setting)


def parse_quiet(typed: str) -> QuietHours | None:
    """``22:00-08:00`` (24-hour clock; may wrap midnight), or None for "off"."""
    wanted = typed.strip()
    if wanted.casefold() in NO_QUIET:
        return None
    match = _QUIET.fullmatch(wanted)
    if match is None:
        raise UserError("settings.quiet.bad", given=quote_back(typed, QUOTE_LIMIT))
    hours_from, minutes_from, hours_until, minutes_until = (int(part) for part in match.groups())
    if max(hours_from, hours_until) > 23 or max(minutes_from, minutes_until) > 59:
        raise UserError("settings.quiet.bad", given=quote_back(typed, QUOTE_LIMIT))
    start, end = time(hours_from, minutes_from), time(hours_until, minutes_until)
    if start == end:
        raise UserError("settings.quiet.same")
    return QuietHours(start, end)
