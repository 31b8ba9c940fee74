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
from bot.storage.sqlite import BUSY_TIMEOUT_MS, MAX_BUSY_TIMEOUT_MS, SqliteDatabase
from bot.storage.stand_in import StandInDatabase

_ACCEPTED = (
    "sqlite:///data/peercircle.sqlite3 (relative to the config file), "
    "sqlite:////absolute/path.sqlite3 or sqlite:///:memory: (nothing kept)"
)


def open_database(
    url: str,
    base_dir: Path,
    migrations: Sequence[Migration],
    *,
    busy_timeout_ms: int = BUSY_TIMEOUT_MS,
) -> Database:
    """Build (without connecting) the database named by ``url``; the caller calls connect().

    ``busy_timeout_ms`` is how long a write waits for another connection's lock before it
    fails with ``StorageUnavailable(StorageKind.BUSY)``.
    """
    return SqliteDatabase(
        sqlite_location(url, base_dir), migrations, busy_timeout_ms=busy_timeout_ms
    )


def sqlite_location(url: str, base_dir: Path) -> Path | None:
    """The SQLite file a ``sqlite:///`` URL names (relative paths against ``base_dir``),
    or None for ``sqlite:///:memory:``. Raises ``StorageError`` for any other URL."""
    scheme, separator, rest = url.strip().partition("://")
    scheme = scheme.lower()
    if separator and scheme.startswith("postgres"):
        raise StorageError(
            "PostgreSQL storage is not available in this release yet; use sqlite:///path"
        )
    if not separator or scheme != "sqlite" or not rest.startswith("/") or rest == "/":
        # Only a sqlite URL is echoed whole: another URL may hold a password.
        if scheme == "sqlite":
            shown = repr(url)
        elif separator:
            shown = f"a {scheme}:// address"
        else:
            shown = "an address without a scheme"
        raise StorageError(f"PeerCircle cannot keep its data at {shown}; use {_ACCEPTED}")
    location = rest[1:]  # sqlite:///x -> "x", sqlite:////abs -> "/abs"
    if location == ":memory:":
        return None
    path = Path(location)
    return path if path.is_absolute() else base_dir / path


__all__ = [
    "BUSY_TIMEOUT_MS",
    "MAX_BUSY_TIMEOUT_MS",
    "Database",
    "Executor",
    "Migration",
    "Params",
    "Row",
    "SchemaTooNewError",
    "SqliteDatabase",
    "StandInDatabase",
    "StorageError",
    "StorageKind",
    "StorageNotOpen",
    "StorageUnavailable",
    "load_migrations",
    "open_database",
    "sqlite_location",
]
