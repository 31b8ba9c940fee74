"""Plain-text reports about the configuration, for organizers at a terminal."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from pydantic import SecretStr

from bot.config.fields import ENV_PREFIX
from bot.config.group import GroupConfig
from bot.config.problems import ConfigError
from bot.config.settings import Settings
from bot.storage import describe_storage

__all__ = ["format_problems", "summarize"]

_HINT = (
    "Fix these in the file{also} (config.example.toml shows every setting) and start again; "
    "secrets go in PEERCIRCLE_* environment variables."
)


def format_problems(error: ConfigError, path: Path) -> str:
    """A friendly, line-per-problem explanation of why ``path`` could not be loaded."""
    count = len(error.problems)
    noun = "problem" if count == 1 else "problems"
    lines = [f"{path} has {count} {noun}:"]
    lines += [f"  - {problem}" for problem in error.problems]
    from_environment = any(p.path.upper().startswith(ENV_PREFIX) for p in error.problems)
    lines.append(_HINT.format(also=" or the environment" if from_environment else ""))
    return "\n".join(lines)


def summarize(
    settings: Settings,
    describe_schedule: Callable[[GroupConfig], str],
    upcoming: Callable[[GroupConfig], str] | None = None,
) -> str:
    """A one-screen summary of ``settings``; never shows a secret. ``upcoming`` says
    when a group meets next (the caller knows the occurrence engine; the config does not)."""
    lines = [
        f"{settings.bot.name}: language {settings.bot.language}, "
        f"country {settings.bot.country}, timezone {settings.bot.timezone}",
        f"Storage: {_storage(settings)}",
        f"Adapters: {_adapters(settings)}",
        f"Check-ins: {_checkins(settings)}",
        f"Organizers: {len(settings.organizers)}",
        f"Groups: {len(settings.groups)}",
    ]
    for group in settings.groups:
        lines += _group_lines(group, describe_schedule)
        if upcoming is not None:
            lines.append(f"    Next: {upcoming(group)}")
    return "\n".join(lines)


def _storage(settings: Settings) -> str:
    return describe_storage(settings.storage.url, settings.config_dir)


def _checkins(settings: Settings) -> str:
    section = settings.checkins
    if not section.enabled:
        return "off"
    if section.hmac_key is None:
        return (
            "OFF until PEERCIRCLE_CHECKINS__HMAC_KEY is set in the environment (a long random "
            "secret kept outside the database; make one with: python -c 'import secrets; "
            "print(secrets.token_urlsafe(32))'). Members who try are told check-ins aren't "
            "switched on yet; nothing is stored without it."
        )
    when = f"{section.opens_on.title()} {section.opens_at:%H:%M} for {section.open_days} days"
    return (
        f"on (key set); open {when}; results shown from {section.min_respondents} answers, "
        f"notes from {section.notes_min_respondents}; kept {section.retention_days} days"
    )


def _token(token: SecretStr | None) -> str:
    return "token set" if token is not None else "no token"


def _adapters(settings: Settings) -> str:
    console = f"console {_on(settings.console.enabled)} (as {settings.console.user})"
    tg = settings.telegram
    receiving = f"webhook at {tg.webhook_url}" if tg.mode == "webhook" else "polling"
    telegram = f"telegram {_on(tg.enabled)} ({_token(tg.token)}, {receiving})"
    discord = f"discord {_on(settings.discord.enabled)} ({_token(settings.discord.token)})"
    return f"{console}; {telegram}; {discord}"


def _on(enabled: bool) -> str:
    return "on" if enabled else "off"


def _group_lines(group: GroupConfig, describe_schedule: Callable[[GroupConfig], str]) -> list[str]:
    where = "online" if group.online else f"in person at {group.location or '(no location set)'}"
    refs = ", ".join(group.facilitators) or "none yet"
    return [
        f"- {group.name} ({group.slug})",
        f"    {group.capacity} seats, {where}, timezone {group.timezone}",
        f"    Facilitators ({len(group.facilitators)}): {refs}",
        f"    Meets: {describe_schedule(group)}",
    ]
