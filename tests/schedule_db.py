"""Cancellations and moves written into a config's SQLite file the way the bot writes
them: the groups table synced from the config, then ``MeetingsRepository.record_change``
inside a transaction."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, datetime, timedelta
from pathlib import Path

from bot.config import load_settings
from bot.storage import load_migrations, open_database
from groups.directory import GroupDirectory
from groups.group_table import sync_groups
from groups.meetings_repo import MeetingsRepository
from groups.recurrence import OccurrenceChange
from groups.schedule_cli import MIGRATIONS_DIR

RECORDED_AT = datetime(2026, 10, 1, tzinfo=UTC)


async def record_changes(config: Path, slug: str, changes: Iterable[OccurrenceChange]) -> None:
    settings = load_settings(config, environ={})
    database = open_database(
        settings.storage.url, settings.config_dir, load_migrations(MIGRATIONS_DIR)
    )
    await database.connect()
    try:
        groups = GroupDirectory.from_settings(settings).all()
        await sync_groups(database, groups, RECORDED_AT, timedelta(days=90))
        async with database.transaction() as tx:
            for change in changes:
                await MeetingsRepository().record_change(tx, slug, change, RECORDED_AT)
    finally:
        await database.close()
