"""What the domain tells ``peercircle doctor`` (``bot.doctor``): the newest schema
version its migrations reach, and whether the crisis helplines were verified lately."""

from __future__ import annotations

from datetime import date
from pathlib import Path

from bot.config import Settings
from bot.doctor import DoctorDomain
from bot.doctor_findings import Finding
from bot.storage import load_migrations
from groups.crisis import HelplineDirectory
from groups.helplines import STALE_AFTER_DAYS

MIGRATIONS = Path(__file__).parent / "migrations"


def newest_schema() -> int:
    return max((migration.version for migration in load_migrations(MIGRATIONS)), default=0)


def helpline_findings(settings: Settings, today: date) -> list[Finding]:
    """A warning (never a failure: the helplines still show) for rows nobody verified in
    the last ``STALE_AFTER_DAYS`` days."""
    helplines = HelplineDirectory.load(crisis=settings.crisis)
    stale, total = len(helplines.stale(today)), helplines.row_count()
    if not stale:
        text = f"all {total} verified in the last {STALE_AFTER_DAYS} days"
        return [Finding("ok", "helplines", text)]
    text = (
        f"{stale} of {total} crisis helplines not verified in the last {STALE_AFTER_DAYS} "
        "days: `peercircle check-config` lists them; check each against its source"
    )
    return [Finding("warn", "helplines", text)]


DOCTOR_DOMAIN = DoctorDomain(newest_schema=newest_schema, findings=helpline_findings)
