"""Looking into a database without changing it, backing a SQLite file up, and moving a
SQLite deployment into PostgreSQL (``peercircle migrate``, ``backup`` and ``copy-db``).

These are operator's tools, so they may talk to each engine directly (sqlite3, asyncpg)
where the storage seam has no word for what they do: read a schema version without
migrating, copy a file while the bot runs, COPY rows in bulk.
"""

from __future__ import annotations

import asyncio
import sqlite3
from collections.abc import Sequence
from contextlib import closing
from dataclasses import dataclass
from graphlib import TopologicalSorter
from pathlib import Path
from typing import Any

import asyncpg

from bot.storage.database import Migration, StorageError, StorageKind
from bot.storage.postgres import PostgresDatabase
from bot.storage.postgres_errors import open_failure as postgres_open_failure
from bot.storage.sqlite_errors import open_failure as sqlite_open_failure
from bot.storage.urls import PostgresAddress, is_postgres, postgres_address, sqlite_location

CONNECT_TIMEOUT_SECONDS = 10.0
_NOT_COPIED = "schema_migrations"  # each database keeps its own record of migrations


@dataclass(frozen=True, slots=True)
class CopiedTable:
    """One table moved by ``copy_into_postgres``: rows read, rows found after."""

    name: str
    source_rows: int
    target_rows: int


async def recorded_version(url: str, base_dir: Path) -> int | None:
    """The schema version the database at ``url`` records, changing nothing; None when
    there is no database there yet (or it was never migrated)."""
    if is_postgres(url):
        address = postgres_address(url)
        try:
            conn = await asyncpg.connect(address.dsn, timeout=CONNECT_TIMEOUT_SECONDS)
        except Exception as error:
            raise postgres_open_failure(address, error) from error
        try:
            if not await conn.fetchval("SELECT to_regclass('schema_migrations') IS NOT NULL"):
                return None
            return int(
                await conn.fetchval("SELECT COALESCE(MAX(version), 0) FROM schema_migrations")
            )
        finally:
            await conn.close()
    path = sqlite_location(url, base_dir)
    if path is None or not path.exists():
        return None
    return await asyncio.to_thread(_sqlite_version, path)


def _sqlite_version(path: Path) -> int | None:
    try:
        with closing(_read_only(path)) as conn:
            known = conn.execute(
                "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'schema_migrations'"
            ).fetchone()
            if not known:
                return None
            row = conn.execute("SELECT MAX(version) FROM schema_migrations").fetchone()
            return int(row[0] or 0)
    except sqlite3.Error as error:
        raise sqlite_open_failure(path, error) from error


def _read_only(path: Path) -> sqlite3.Connection:
    return sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True)


def backup_sqlite(source: Path, target: Path) -> int:
    """Copy the SQLite database ``source`` into the new file ``target`` with SQLite's
    online backup (consistent even while the bot writes); the size of the copy."""
    if target.exists():
        raise StorageError(f"{target} already exists; name a new file for the backup.")
    try:
        with closing(_read_only(source)) as origin, closing(sqlite3.connect(target)) as copy:
            origin.backup(copy)
    except sqlite3.Error as error:
        target.unlink(missing_ok=True)
        raise sqlite_open_failure(source, error) from error
    return target.stat().st_size


def pg_dump_command(address: PostgresAddress, file_name: str) -> str:
    """The pg_dump command that backs the database up (the password stays in the
    environment: PGPASSWORD or ~/.pgpass)."""
    parts = ["pg_dump", "--format=custom", f"--file={file_name}", f"--host={address.host}"]
    if address.port:
        parts.append(f"--port={address.port}")
    if address.user:
        parts.append(f"--username={address.user}")
    return " ".join([*parts, address.database])


async def copy_into_postgres(
    source: Path, target: PostgresAddress, migrations: Sequence[Migration]
) -> list[CopiedTable]:
    """Copy every row of the SQLite file ``source`` into the PostgreSQL database
    ``target`` (migrated first), in one transaction, and check every table holds as
    many rows as it did. Refuses a target that already holds a row, and a source whose
    schema is not this release's."""
    known = max((m.version for m in migrations), default=0)
    found = await recorded_version(f"sqlite:///{source}", Path("."))
    if found != known:
        raise StorageError(
            f"{source} is at schema version {found or 0}, and this PeerCircle copies "
            f"version {known}: back it up (peercircle backup), start this release on it "
            "once (or run peercircle migrate) and copy again."
        )
    database = PostgresDatabase(target, migrations, busy_timeout_ms=5000)
    await database.connect()  # creates or completes the schema, under the migration lock
    await database.close()
    tables = await asyncio.to_thread(_read_source, source)
    try:
        conn = await asyncpg.connect(target.dsn, timeout=CONNECT_TIMEOUT_SECONDS)
    except Exception as error:
        raise postgres_open_failure(target, error) from error
    try:
        async with conn.transaction():
            await _refuse_rows(conn, target)
            return [await _copy_table(conn, name, rows) for name, rows in tables]
    finally:
        await conn.close()


Rows = tuple[list[str], list[tuple[Any, ...]]]


def _read_source(source: Path) -> list[tuple[str, Rows]]:
    """Every table but schema_migrations, parents before the tables referring to them,
    read in one transaction (a running bot cannot change the file under the copy)."""
    try:
        with closing(_read_only(source)) as conn:
            conn.execute("BEGIN")
            names = [
                str(row[0])
                for row in conn.execute(
                    "SELECT name FROM sqlite_master WHERE type = 'table'"
                    " AND name NOT LIKE 'sqlite%' AND name <> ?",
                    (_NOT_COPIED,),
                )
            ]
            parents = {
                name: {str(fk[2]) for fk in conn.execute(f'PRAGMA foreign_key_list("{name}")')}
                for name in names
            }
            found = []
            for name in TopologicalSorter(parents).static_order():
                cursor = conn.execute(f'SELECT * FROM "{name}"')
                columns = [str(column[0]) for column in cursor.description]
                found.append((name, (columns, cursor.fetchall())))
            conn.execute("COMMIT")
    except sqlite3.Error as error:
        raise sqlite_open_failure(source, error) from error
    return found


async def _refuse_rows(conn: Any, target: PostgresAddress) -> None:
    tables = await conn.fetch(
        "SELECT tablename FROM pg_tables WHERE schemaname = current_schema()"
        " AND tablename <> $1 ORDER BY tablename",
        _NOT_COPIED,
    )
    filled = [
        str(row["tablename"])
        for row in tables
        if await conn.fetchval(f'SELECT EXISTS (SELECT 1 FROM "{row["tablename"]}")')
    ]
    if filled:
        raise StorageError(
            f"{target.shown} already holds data (in {', '.join(filled)}), so nothing was "
            "copied: copy-db only fills an empty database. Copy before PeerCircle first "
            "starts on PostgreSQL, or into a new database.",
            StorageKind.OTHER,
        )


async def _copy_table(conn: Any, name: str, rows: Rows) -> CopiedTable:
    columns, records = rows
    if records:
        await conn.copy_records_to_table(name, records=records, columns=columns)
    identities = await conn.fetch(
        "SELECT column_name FROM information_schema.columns WHERE table_schema ="
        " current_schema() AND table_name = $1 AND is_identity = 'YES'",
        name,
    )
    for identity in identities:  # the next id the database gives follows the copied ones
        column = str(identity["column_name"])
        await conn.execute(
            f"SELECT setval(pg_get_serial_sequence('\"{name}\"', '{column}'),"
            f' COALESCE((SELECT MAX("{column}") FROM "{name}"), 0) + 1, false)'
        )
    counted = int(await conn.fetchval(f'SELECT COUNT(*) FROM "{name}"'))
    if counted != len(records):
        raise StorageError(
            f"After copying, {name} holds {counted} rows instead of {len(records)}; "
            "nothing was kept (the copy was rolled back)."
        )
    return CopiedTable(name, len(records), counted)


__all__ = [
    "CopiedTable",
    "backup_sqlite",
    "copy_into_postgres",
    "pg_dump_command",
    "recorded_version",
]
