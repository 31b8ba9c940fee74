"""Looking at a SQLite database without changing it, for ``peercircle doctor``.

Nothing is created, migrated or written: a database file that does not exist yet stays
missing (the doctor says whether the bot could create it), and an existing one is read
through a read-only connection. When no ``-wal`` file is beside it (no bot has it open),
it is opened ``immutable``, so SQLite creates no ``-wal``/``-shm`` either: a doctor run as
another user (root, say) must not leave working files the bot then cannot write.
"""

from __future__ import annotations

import os
import sqlite3
from dataclasses import dataclass
from pathlib import Path

import aiosqlite

from bot.storage.database import StorageError, StorageKind
from bot.storage.sqlite_errors import open_failure
from bot.storage.sqlite_files import check_location

__all__ = ["DatabaseLook", "look_at_sqlite"]


@dataclass(frozen=True, slots=True)
class DatabaseLook:
    """What was found: whether the file exists, its schema version (when it could be
    read), and what stops the bot from using it (None: nothing)."""

    exists: bool
    schema_version: int | None = None
    problem: StorageError | None = None


async def look_at_sqlite(path: Path) -> DatabaseLook:
    found = _on_disk(path)
    if isinstance(found, DatabaseLook):
        return found
    try:
        version = await _read_only(found)
    except (sqlite3.Error, OSError) as error:
        return DatabaseLook(exists=True, problem=open_failure(path, error))
    return DatabaseLook(exists=True, schema_version=version)


def _on_disk(path: Path) -> DatabaseLook | str:
    """What the file system already tells (a finished look), or the read-only address to
    open the file at."""
    if not path.exists():
        return DatabaseLook(exists=False, problem=_cannot_create(path))
    try:
        check_location(path)  # the folder exists: only looks, creates nothing
    except StorageError as error:
        return DatabaseLook(exists=True, problem=error)
    wal = path.with_name(path.name + "-wal")
    mode = "mode=ro" if wal.exists() else "mode=ro&immutable=1"
    return f"{path.resolve().as_uri()}?{mode}"


async def _read_only(address: str) -> int:
    """The schema version (0 for a file without PeerCircle's tables); raises if the file
    is not a sound SQLite database."""
    async with aiosqlite.connect(address, uri=True) as conn:
        check = await conn.execute_fetchall("PRAGMA quick_check(1)")
        verdict = str(next(iter(check))[0]) if check else "?"
        if verdict != "ok":
            raise sqlite3.DatabaseError(f"database disk image is malformed ({verdict})")
        tables = await conn.execute_fetchall(
            "SELECT name FROM sqlite_master WHERE type = 'table' AND name = :name",
            {"name": "schema_migrations"},
        )
        if not list(tables):
            return 0
        rows = await conn.execute_fetchall(
            "SELECT COALESCE(MAX(version), 0) AS version FROM schema_migrations"
        )
        return int(next(iter(rows))[0])


def _cannot_create(path: Path) -> StorageError | None:
    """Why the bot could not create the database at ``path`` (None: it could)."""
    folder = path.parent
    while not folder.exists() and folder != folder.parent:
        folder = folder.parent
    if folder.is_dir() and os.access(folder, os.W_OK | os.X_OK):
        return None
    return StorageError(
        f"Cannot create the database {path}: {folder} is not a folder the user running "
        "this may write to. Create the folder for the user PeerCircle runs as, or point "
        "storage.url somewhere it may write.",
        StorageKind.READ_ONLY,
    )
