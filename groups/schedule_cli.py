"""``peercircle schedule`` and ``peercircle calendar``: an organizer's view of when groups
meet, from the config and the cancellations and moves recorded in the database. Neither
needs a platform token or a running bot; ``bot.cli`` wires them.
"""

from __future__ import annotations

import difflib
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, time
from pathlib import Path
from typing import TextIO
from zoneinfo import ZoneInfo

from bot.catalog import Catalog
from bot.config import Settings
from bot.storage import (
    StorageError,
    StorageUnavailable,
    is_postgres,
    load_migrations,
    open_database,
)
from groups.calendar import group_calendar
from groups.directory import GroupDirectory
from groups.meetings_repo import MeetingsRepository
from groups.models import Group
from groups.recurrence import OccurrenceChange, occurrences, place_in_zone
from groups.schedule import describe_group_schedule
from groups.timetable import timetable

MIGRATIONS_DIR = Path(__file__).parent / "migrations"
Changes = dict[datetime, OccurrenceChange]


@dataclass(frozen=True, slots=True)
class Terminal:
    """Where a command writes: its output, and what goes wrong."""

    out: TextIO
    err: TextIO


async def recorded_changes(settings: Settings, slugs: Sequence[str]) -> dict[str, Changes]:
    """The cancellations and moves the database holds for each of ``slugs``. A database
    that does not exist yet holds none, and is not created for asking."""
    path = settings.sqlite_path()
    if not is_postgres(settings.storage.url) and (path is None or not path.exists()):
        return {slug: {} for slug in slugs}
    database = open_database(
        settings.storage.url,
        settings.config_dir,
        load_migrations(MIGRATIONS_DIR),
        busy_timeout_ms=settings.storage.busy_timeout_ms,
    )
    await database.connect()
    try:
        repository = MeetingsRepository()
        return {slug: await repository.changes(database, slug) for slug in slugs}
    finally:
        await database.close()


async def print_schedule(
    settings: Settings,
    terminal: Terminal,
    *,
    slug: str | None,
    first_day: date | None,
    count: int,
    now: datetime,
) -> int:
    """Each group's next ``count`` meetings from ``first_day`` (default: today there)."""
    groups = _chosen(settings, slug, terminal)
    if groups is None:
        return 1
    changes = await _changes_or_report(settings, [g.slug for g in groups], terminal)
    if changes is None:
        return 1
    catalog = Catalog.load(settings.bot.language)
    blocks = []
    for group in groups:
        zone = ZoneInfo(group.timezone)
        day = first_day or now.astimezone(zone).date()
        after = place_in_zone(datetime.combine(day, time.min), zone)
        found = occurrences(group, after, count, changes[group.slug])
        blocks.append(timetable(group, found, describe_group_schedule(group, catalog)))
    terminal.out.write("\n\n".join("\n".join(block) for block in blocks) + "\n")
    return 0


async def print_calendar(settings: Settings, terminal: Terminal, slug: str, now: datetime) -> int:
    """The group's ``.ics``, with its cancellations and moves."""
    groups = _chosen(settings, slug, terminal)
    if groups is None:
        return 1
    [group] = groups
    changes = await _changes_or_report(settings, [group.slug], terminal)
    if changes is None:
        return 1
    text = group_calendar(group, changes[group.slug], now=now).to_ical().decode("utf-8")
    terminal.out.write(text)
    return 0


def _chosen(settings: Settings, slug: str | None, terminal: Terminal) -> list[Group] | None:
    directory = GroupDirectory.from_settings(settings)
    if slug is None:
        return list(directory.all())
    group = directory.get(slug)
    if group is not None:
        return [group]
    terminal.err.write(_unknown(slug, [g.slug for g in directory.all()]) + "\n")
    return None


def _unknown(slug: str, slugs: list[str]) -> str:
    if not slugs:
        return f"There is no group {slug!r}: the config has no groups yet."
    close = difflib.get_close_matches(slug, slugs, n=1)
    hint = f"Did you mean {close[0]}? " if close else ""
    return f"There is no group {slug!r} in the config. {hint}The groups are: {', '.join(slugs)}"


async def _changes_or_report(
    settings: Settings, slugs: list[str], terminal: Terminal
) -> dict[str, Changes] | None:
    try:
        return await recorded_changes(settings, slugs)
    except (StorageError, StorageUnavailable) as error:
        terminal.err.write(f"Cannot open the database: {error}\n")
        return None
