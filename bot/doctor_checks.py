"""The checks of ``peercircle doctor`` (``bot.doctor`` runs them and prints the report).

Each returns findings; none raises for what it finds, and none prints a token or an
address holding one (Telegram's token is part of every Bot API address).
"""

from __future__ import annotations

from datetime import UTC
from email.utils import parsedate_to_datetime
from importlib.metadata import PackageNotFoundError, version
from typing import Any
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import aiohttp

from bot.clock import Clock
from bot.config import Settings
from bot.doctor_findings import Finding
from bot.storage.inspect import look_at_sqlite

__all__ = [
    "SKEW_LIMIT_SECONDS",
    "check_discord_token",
    "check_telegram_token",
    "clock_findings",
    "database_findings",
    "setting_findings",
    "timezone_findings",
]

SKEW_LIMIT_SECONDS = 30.0
_TELEGRAM_VAR = "PEERCIRCLE_TELEGRAM__TOKEN"
_DISCORD_VAR = "PEERCIRCLE_DISCORD__TOKEN"
_REFUSED = (401, 403, 404)  # Telegram answers 404 to a token that is not one at all


def _host(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.hostname}:{parts.port}" if parts.port else str(parts.hostname)


async def check_telegram_token(
    session: aiohttp.ClientSession, settings: Settings, clock: Clock
) -> tuple[list[Finding], float | None]:
    """``getMe`` with the token, if one is set; the findings, and how far this machine's
    clock is ahead of Telegram's (seconds; None when Telegram was not reached)."""
    section = settings.telegram
    if section.token is None:
        return [Finding("skip", "telegram", "not enabled, and no token set")], None
    host = _host(section.base_url)
    url = f"{section.base_url}{section.token.get_secret_value()}/getMe"
    try:
        async with session.get(url) as response:
            status, date_header = response.status, response.headers.get("Date")
            body: Any = await response.json(content_type=None) if status == 200 else None
    except (aiohttp.ClientError, TimeoutError, ValueError) as error:
        text = (
            f"could not reach the Bot API at {host} ({type(error).__name__}); check this "
            "machine's network and [telegram] base_url"
        )
        return [Finding("fix", "telegram", text)], None
    skew = _skew(date_header, clock)
    if status in _REFUSED:
        text = (
            f"Telegram refused the token ({status}): it was revoked or mistyped. Copy it "
            f"again from @BotFather into {_TELEGRAM_VAR}"
        )
        return [Finding("fix", "telegram", text)], skew
    result = body.get("result") if isinstance(body, dict) else None
    if status != 200 or not isinstance(result, dict):
        text = f"the Bot API at {host} answered getMe with HTTP {status}; try again later"
        return [Finding("fix", "telegram", text)], skew
    enabled = "" if section.enabled else " (but [telegram] enabled = false)"
    text = f"the token works: this is @{result.get('username', '?')}{enabled}"
    return [Finding("ok", "telegram", text)], skew


def _skew(date_header: str | None, clock: Clock) -> float | None:
    if not date_header:
        return None
    try:
        theirs = parsedate_to_datetime(date_header)
    except (TypeError, ValueError):
        return None
    if theirs.tzinfo is None:
        theirs = theirs.replace(tzinfo=UTC)
    return (clock.now() - theirs).total_seconds()


def clock_findings(skew: float | None) -> list[Finding]:
    """How this machine's clock compares with the platform's (its answer's Date)."""
    if skew is None:
        return [Finding("skip", "clock", "not compared: no platform was reached")]
    if abs(skew) <= SKEW_LIMIT_SECONDS:
        return [Finding("ok", "clock", f"within {abs(skew):.0f} s of Telegram's")]
    side = "ahead of" if skew > 0 else "behind"
    text = (
        f"this machine's clock is {abs(skew):.0f} s {side} Telegram's; reminders and "
        "check-ins go by it: switch on time synchronisation (NTP, e.g. systemd-timesyncd)"
    )
    return [Finding("fix", "clock", text)]


async def check_discord_token(
    session: aiohttp.ClientSession, settings: Settings, api_base_url: str | None = None
) -> list[Finding]:
    """``users/@me`` with the token, at ``api_base_url`` or the ``[discord]`` section's."""
    token = settings.discord.token
    if token is None:
        return [Finding("skip", "discord", "not enabled, and no token set")]
    base = api_base_url or settings.discord.api_base_url
    headers = {"Authorization": f"Bot {token.get_secret_value()}"}
    try:
        async with session.get(f"{base.rstrip('/')}/users/@me", headers=headers) as response:
            status = response.status
            body: Any = await response.json(content_type=None) if status == 200 else None
    except (aiohttp.ClientError, TimeoutError, ValueError) as error:
        text = f"could not reach Discord at {_host(base)} ({type(error).__name__})"
        return [Finding("fix", "discord", text)]
    if status in _REFUSED:
        text = (
            f"Discord refused the token ({status}): reset it in the Developer Portal and "
            f"set {_DISCORD_VAR}"
        )
        return [Finding("fix", "discord", text)]
    name = body.get("username") if isinstance(body, dict) else None
    if status != 200 or name is None:
        return [Finding("fix", "discord", f"Discord answered users/@me with HTTP {status}")]
    return [Finding("ok", "discord", f"the token works: this is {name}")]


def setting_findings(settings: Settings) -> list[Finding]:
    """What the settings say, beyond being valid: platforms, keys, the console."""
    found: list[Finding] = []
    platforms = [name for name in ("telegram", "discord") if getattr(settings, name).enabled]
    if not platforms:
        text = (
            "no platform is enabled, so `peercircle run` has nothing to serve: set enabled "
            f"= true in [telegram] and the bot's token in {_TELEGRAM_VAR}"
        )
        found.append(Finding("fix", "platforms", text))
    else:
        found.append(Finding("ok", "platforms", ", ".join(platforms)))
        if settings.console.enabled:
            text = (
                "[console] enabled = true on a server: whoever can run `peercircle console` "
                "here may speak as anyone; set it to false"
            )
            found.append(Finding("warn", "console", text))
    found.append(_checkins(settings))
    found += _http(settings)
    return found


def _checkins(settings: Settings) -> Finding:
    if not settings.checkins.enabled:
        return Finding("skip", "check-ins", "switched off ([checkins] enabled = false)")
    if settings.checkins.hmac_key is None:
        text = (
            "no key, so check-ins are off: set PEERCIRCLE_CHECKINS__HMAC_KEY to 32+ random "
            "characters (python -c 'import secrets; print(secrets.token_urlsafe(32))')"
        )
        return Finding("fix", "check-ins", text)
    return Finding("ok", "check-ins", "the key is set")


def _http(settings: Settings) -> list[Finding]:
    section = settings.http
    if not section.enabled:
        return [Finding("skip", "http", "the endpoint is off ([http] enabled = false)")]
    found = [Finding("ok", "http", f"serves on {section.listen}:{section.port} while running")]
    if section.calendar_key is None:
        text = "no PEERCIRCLE_HTTP__CALENDAR_KEY, so there are no calendar feeds"
        found.append(Finding("warn", "http", text))
    return found


async def database_findings(settings: Settings, newest_schema: int) -> list[Finding]:
    """The database, read only: could the bot open (or create) it and migrate it?"""
    path = settings.sqlite_path()
    if path is None:
        return [Finding("warn", "database", "in memory: nothing is kept when the bot stops")]
    look = await look_at_sqlite(path)
    if look.problem is not None:
        return [Finding("fix", "database", f"{look.problem} The bot would start degraded.")]
    if not look.exists:
        return [Finding("ok", "database", f"{path} will be created at the first start")]
    current = look.schema_version or 0
    if current > newest_schema:
        text = (
            f"{path} has schema version {current}, newer than this release knows "
            f"({newest_schema}): upgrade PeerCircle, or point storage.url elsewhere"
        )
        return [Finding("fix", "database", text)]
    later = "" if current == newest_schema else f"; migrated to {newest_schema} at the next start"
    return [Finding("ok", "database", f"{path}: schema version {current}{later}")]


def timezone_findings(settings: Settings) -> list[Finding]:
    zones = sorted({settings.bot.timezone, *(group.timezone for group in settings.groups)})
    missing = []
    for zone in zones:
        try:
            ZoneInfo(zone)
        except (ZoneInfoNotFoundError, ValueError):
            missing.append(zone)
    if missing:
        text = (
            f"no time zone data for {', '.join(missing)}: install the tzdata package "
            "(pip install tzdata) or the system's (apt install tzdata)"
        )
        return [Finding("fix", "time zones", text)]
    try:
        source = f"tzdata {version('tzdata')}"
    except PackageNotFoundError:
        source = "the system's data"
    return [Finding("ok", "time zones", f"{', '.join(zones)} ({source})")]
