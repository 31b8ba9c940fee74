"""``peercircle check-config``: is this config usable, and what does it say?

Prints the problems (exit 1) or a one-screen summary with each group's next meetings
(exit 0), and a warning, never a failure, for crisis helplines nobody has verified in
the last 180 days.
"""

from __future__ import annotations

import sys
from datetime import date
from pathlib import Path

from bot.catalog import Catalog
from bot.clock import SystemClock
from bot.config import ConfigError, format_problems, load_settings, summarize
from groups.crisis import HelplineDirectory
from groups.directory import group_from_config
from groups.helplines import staleness_warning
from groups.schedule import describe_group_schedule
from groups.timetable import next_meetings


def check_config(path: Path, *, today: date | None = None) -> int:
    """``peercircle check-config``: 1 with the problems if the config cannot be used,
    else 0 with a summary, and a warning (not a failure) for every crisis helpline not
    verified in the 180 days before ``today`` (default: today, UTC)."""
    try:
        settings = load_settings(path)
    except ConfigError as error:
        print(format_problems(error, path), file=sys.stderr)
        return 1
    catalog = Catalog.load(settings.bot.language)
    now = SystemClock().now()
    print(
        summarize(
            settings,
            lambda g: describe_group_schedule(group_from_config(g), catalog),
            upcoming=lambda g: next_meetings(group_from_config(g), now),
        )
    )
    helplines = HelplineDirectory.load(crisis=settings.crisis)
    if warning := staleness_warning(helplines.countries(), today or now.date()):
        print(warning)
    return 0
