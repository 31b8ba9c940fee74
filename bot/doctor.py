"""``peercircle doctor``: is this installation ready to serve? One line per finding, and
for each thing to fix, what to do; exit 0 when nothing needs fixing, 1 otherwise.

It looks without changing anything: the config (as ``check-config``), each platform
token that is set (Telegram's ``getMe`` through the configured ``base_url``; Discord's
``users/@me`` where the config names an API address), this machine's clock against the
``Date`` of Telegram's answer, the database (read only: schema version, writable, the
reasons it would start degraded), time zone data for every zone in use, the check-in
key, the HTTP endpoint's key, and (from the domain, handed in by ``bot.cli``) whatever
else it knows, such as crisis helplines nobody has verified lately.

A token is never printed, nor an address that contains one.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import sys
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Literal, TextIO

import aiohttp

from bot.clock import Clock, SystemClock
from bot.config import ConfigError, Settings, load_settings
from bot.doctor_checks import (
    check_discord_token,
    check_telegram_token,
    clock_findings,
    database_findings,
    setting_findings,
    timezone_findings,
)
from bot.doctor_findings import Finding

__all__ = ["DoctorDomain", "Finding", "add_doctor_parser", "examine", "run_doctor"]

HTTP_TIMEOUT = 10.0  # seconds for each platform's answer


@dataclass(frozen=True, slots=True)
class DoctorDomain:
    """What only the domain knows, handed in by the composition root: the newest schema
    version this release has, and findings of its own (helplines, say)."""

    newest_schema: Callable[[], int]
    findings: Callable[[Settings, date], list[Finding]]


def add_doctor_parser(
    sub: argparse._SubParsersAction[argparse.ArgumentParser], config: argparse.ArgumentParser
) -> None:
    sub.add_parser(
        "doctor",
        parents=[config],
        help="check that this installation can serve: config, tokens, database, time "
        "zones, clock; prints what to fix (exit 1 if anything)",
    )


def run_doctor(
    path: Path,
    domain: DoctorDomain,
    *,
    environ: Mapping[str, str] | None = None,
    clock: Clock | None = None,
    out: TextIO | None = None,
) -> int:
    """Examine, print the findings, and return the exit code."""
    findings = asyncio.run(examine(path, domain, environ=environ, clock=clock))
    print(report(path, findings), file=out or sys.stdout)
    return 1 if any(finding.status == "fix" for finding in findings) else 0


async def examine(
    path: Path,
    domain: DoctorDomain,
    *,
    environ: Mapping[str, str] | None = None,
    clock: Clock | None = None,
) -> list[Finding]:
    clock = clock or SystemClock()
    try:
        settings = load_settings(path, environ=os.environ if environ is None else environ)
    except ConfigError as error:
        return [Finding("fix", "config", str(problem)) for problem in error.problems]
    findings = [Finding("ok", "config", f"{path} is valid ({len(settings.groups)} groups)")]
    timeout = aiohttp.ClientTimeout(total=HTTP_TIMEOUT)
    async with aiohttp.ClientSession(timeout=timeout) as session:
        telegram, server_time = await check_telegram_token(session, settings, clock)
        findings += telegram
        findings += clock_findings(server_time)
        findings += await check_discord_token(session, settings)
    findings += setting_findings(settings)
    findings += await database_findings(settings, domain.newest_schema())
    findings += timezone_findings(settings)
    findings += domain.findings(settings, clock.now().date())
    return findings


_LABELS: dict[Literal["ok", "warn", "fix", "skip"], str] = {
    "ok": "ok  ",
    "warn": "warn",
    "fix": "FIX ",
    "skip": "skip",
}


def report(path: Path, findings: Sequence[Finding]) -> str:
    lines = [f"peercircle doctor: {path}"]
    lines += [f"  {_LABELS[f.status]}  {f.topic}: {f.text}" for f in findings]
    to_fix = sum(1 for finding in findings if finding.status == "fix")
    warnings = sum(1 for finding in findings if finding.status == "warn")
    if to_fix:
        lines.append(f"{to_fix} thing{'s' if to_fix != 1 else ''} to fix (the FIX lines).")
    else:
        also = f" ({warnings} warning{'s' if warnings != 1 else ''})" if warnings else ""
        lines.append(f"All is well{also}.")
    return "\n".join(lines)
