"""Storage: the seam (``Database``, ``Executor``, ...), migrations and ``open_database``."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from bot.storage.database import (
    Database,
    Executor,
    Migration,
    Params,
    Row,
    SchemaTooNewError,
    StorageError,
    StorageKind,
    StorageNotOpen,
    StorageUnavailable,
)
from bot.storage.migrations import load_migrations
from bot.storage.postgres import PostgresDatabase
from bot.storage.sqlite import BUSY_TIMEOUT_MS, MAX_BUSY_TIMEOUT_MS, SqliteDatabase
from bot.storage.stand_in import StandInDatabase
from bot.storage.urls import (
    check_storage_url,
    describe_storage,
    is_postgres,
    postgres_address,
    sqlite_location,
)


def open_database(
    url: str,
    base_dir: Path,
    migrations: Sequence[Migration],
    *,
    busy_timeout_ms: int = BUSY_TIMEOUT_MS,
) -> Database:
    """Build (without connecting) the database named by ``url``; the caller calls connect().

    ``sqlite:///...`` opens a SQLite file (relative paths against ``base_dir``);
    ``postgresql://...`` a PostgreSQL database. ``busy_timeout_ms`` is how long a write
    waits for another connection's lock before it fails with
    ``StorageUnavailable(StorageKind.BUSY)``.
    """
    if is_postgres(url):
        return PostgresDatabase(postgres_address(url), migrations, busy_timeout_ms=busy_timeout_ms)
    return SqliteDatabase(
        sqlite_location(url, base_dir), migrations, busy_timeout_ms=busy_timeout_ms
    )


__all__ = [
    "BUSY_TIMEOUT_MS",
    "MAX_BUSY_TIMEOUT_MS",
    "Database",
    "Executor",
    "Migration",
    "Params",
    "PostgresDatabase",
    "Row",
    "SchemaTooNewError",
    "SqliteDatabase",
    "StandInDatabase",
    "StorageError",
    "StorageKind",
    "StorageNotOpen",
    "StorageUnavailable",
    "check_storage_url",
    "describe_storage",
    "is_postgres",
    "load_migrations",
    "open_database",
    "sqlite_location",
]
