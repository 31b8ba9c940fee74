"""The operator's storage commands: ``peercircle migrate``, ``peercircle backup`` and
``peercircle copy-db FROM_URL TO_URL``. Each says what it will do, does it, and says what
it did; an address is only ever shown without its password."""

from __future__ import annotations

import argparse
import asyncio
import os
import sys
from collections.abc import Sequence
from datetime import UTC, datetime
from pathlib import Path

from bot.app import MIGRATIONS_DIR
from bot.config import ConfigError, Settings, format_problems, load_settings
from bot.storage import (
    Migration,
    SchemaTooNewError,
    StorageError,
    describe_storage,
    is_postgres,
    load_migrations,
    open_database,
    sqlite_location,
)
from bot.storage.copying import (
    backup_sqlite,
    copy_into_postgres,
    pg_dump_command,
    recorded_version,
)
from bot.storage.urls import postgres_address, shown

STORAGE_TOOLS = ("migrate", "backup", "copy-db")
_TOKEN_VARIABLES = ("PEERCIRCLE_TELEGRAM__TOKEN", "PEERCIRCLE_DISCORD__TOKEN")


def add_storage_tools(
    sub: argparse._SubParsersAction[argparse.ArgumentParser], config: argparse.ArgumentParser
) -> None:
    migrate = sub.add_parser(
        "migrate",
        parents=[config],
        help="bring the database (storage.url) up to this release's schema, saying what "
        "it will do and what it did",
    )
    migrate.add_argument("--dry-run", action="store_true", help="only say what would be applied")
    backup = sub.add_parser(
        "backup",
        parents=[config],
        help="copy the SQLite database safely, even while the bot runs (for PostgreSQL: "
        "print the pg_dump command)",
    )
    backup.add_argument(
        "destination", nargs="?", type=Path, help="the new file (default: beside the database)"
    )
    copy = sub.add_parser(
        "copy-db",
        help="copy a SQLite database into an empty PostgreSQL one (stop the bot first)",
    )
    copy.add_argument("from_url", metavar="FROM_URL", help="sqlite:///path/to/peercircle.sqlite3")
    copy.add_argument(
        "to_url",
        metavar="TO_URL",
        help="postgresql://user@host:5432/database (the password from PGPASSWORD)",
    )


def run_storage_tool(args: argparse.Namespace, config: Path) -> int:
    """Run ``peercircle migrate``, ``backup`` or ``copy-db``; the exit status."""
    migrations = load_migrations(MIGRATIONS_DIR)
    try:
        if args.command == "copy-db":
            return asyncio.run(_copy(args.from_url, args.to_url, migrations))
        settings = _settings(config)
        if settings is None:
            return 1
        if args.command == "migrate":
            return asyncio.run(_migrate(settings, migrations, dry_run=args.dry_run))
        return _backup(settings, args.destination)
    except StorageError as error:
        print(str(error), file=sys.stderr)
        return 1


def _settings(config: Path) -> Settings | None:
    """The config, read without platform tokens (these commands never use them)."""
    environ = dict(os.environ)
    for name in _TOKEN_VARIABLES:
        environ.setdefault(name, "not-needed-offline")
    try:
        return load_settings(config, environ=environ)
    except ConfigError as error:
        print(format_problems(error, config), file=sys.stderr)
        return None


def _names(migrations: Sequence[Migration]) -> str:
    return ", ".join(f"{m.version:04d} {m.description}" for m in migrations) or "nothing"


async def _migrate(settings: Settings, migrations: Sequence[Migration], *, dry_run: bool) -> int:
    url, base = settings.storage.url, settings.config_dir
    known = max((m.version for m in migrations), default=0)
    print(f"Database: {describe_storage(url, base)}")
    before = await recorded_version(url, base)
    if before is not None and before > known:
        print(str(SchemaTooNewError(before, known)), file=sys.stderr)
        return 1
    pending = [m for m in migrations if m.version > (before or 0)]
    now = "new (no schema yet)" if before is None else f"schema version {before}"
    print(f"Now: {now}; this PeerCircle knows versions up to {known}.")
    print(f"Will apply: {_names(pending)}.")
    if dry_run or not pending:
        print("Nothing was changed." if pending else "Nothing to do: it is up to date.")
        return 0
    database = open_database(
        url, base, migrations, busy_timeout_ms=settings.storage.busy_timeout_ms
    )
    await database.connect()  # applies them, each in its own transaction
    try:
        after = await database.schema_version()
    finally:
        await database.close()
    applied = [m for m in pending if m.version <= after]
    print(f"Applied: {_names(applied)}. The database is now at schema version {after}.")
    return 0


def _backup(settings: Settings, destination: Path | None) -> int:
    url = settings.storage.url
    stamp = datetime.now(UTC).strftime("%Y%m%d-%H%M%S")
    if is_postgres(url):
        address = postgres_address(url)
        print(f"Database: PostgreSQL, {address.shown}")
        print("PostgreSQL backs itself up with pg_dump; run (the password comes from")
        print("PGPASSWORD or ~/.pgpass, as for PeerCircle):")
        print(f"  {pg_dump_command(address, str(destination or f'peercircle-{stamp}.dump'))}")
        print("Restore it into an empty database with pg_restore, the same options and")
        print(f"--dbname=DATABASE instead of {address.database}.")
        return 0
    source = sqlite_location(url, settings.config_dir)
    if source is None:
        print("The database is in memory (sqlite:///:memory:): there is nothing to back up.")
        return 1
    if not source.exists():
        print(f"There is no database at {source} yet: there is nothing to back up.")
        return 1
    target = destination or source.with_name(f"{source.stem}-backup-{stamp}.sqlite3")
    print(f"Backing up {source} to {target} (SQLite's online backup: safe while the bot runs).")
    size = backup_sqlite(source, target)
    print(f"Done: {target} ({size} bytes). Keep it somewhere other than this disk.")
    return 0


async def _copy(from_url: str, to_url: str, migrations: Sequence[Migration]) -> int:
    source = sqlite_location(from_url, Path.cwd()) if from_url.startswith("sqlite") else None
    if source is None or not is_postgres(to_url):
        print(
            f"copy-db copies a SQLite file into PostgreSQL: FROM_URL like "
            f"sqlite:///data/peercircle.sqlite3 (not {shown(from_url)}), TO_URL like "
            f"postgresql://user@host:5432/database (not {shown(to_url)}).",
            file=sys.stderr,
        )
        return 2
    if not source.is_file():
        print(f"There is no SQLite database at {source}.", file=sys.stderr)
        return 1
    target = postgres_address(to_url)
    print(f"Copying every row of {source}")
    print(f"into {target.shown} (which must be empty), in one transaction: all of it, or")
    print("nothing. Stop PeerCircle first, so that nothing changes meanwhile.")
    copied = await copy_into_postgres(source, target, migrations)
    width = max((len(table.name) for table in copied), default=0)
    for table in copied:
        print(f"  {table.name:<{width}}  {table.source_rows:>8} -> {table.target_rows:>8}")
    total = sum(table.target_rows for table in copied)
    print(f"Done: {total} rows in {len(copied)} tables; every table holds as many rows as")
    print(f"it did. Point storage.url at {target.shown} and start PeerCircle.")
    return 0


__all__ = ["STORAGE_TOOLS", "add_storage_tools", "run_storage_tool"]
