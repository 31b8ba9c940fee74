"""Numbered, described schema migrations: loading them from a directory and applying them.

A migration is a file ``NNNN_words_with_underscores.sql`` (``0001_members_and_memberships.sql``
becomes version 1, "members and memberships"). Applied versions are recorded in
``schema_migrations``. Each pending migration and its record are applied in one transaction,
so a migration that fails leaves no trace.

``apply_migrations`` only talks to the database through the ``Executor`` protocol plus
``transaction()``, so another backend can reuse it and supply its own ``run_script`` (the
default splits a script with SQLite's own rules for where a statement ends).
"""

from __future__ import annotations

import logging
import re
import sqlite3
from collections.abc import Awaitable, Callable, Sequence
from contextlib import AbstractAsyncContextManager
from datetime import UTC, datetime
from pathlib import Path
from typing import Protocol

from bot.storage.database import Executor, Migration, SchemaTooNewError, StorageError

log = logging.getLogger(__name__)

_FILE_NAME = re.compile(r"^(?P<version>\d{4})_(?P<words>[a-z0-9]+(?:_[a-z0-9]+)*)\.sql$")

SCHEMA_MIGRATIONS_DDL = (
    "CREATE TABLE IF NOT EXISTS schema_migrations ("
    "version INTEGER PRIMARY KEY, "
    "description TEXT NOT NULL, "
    "applied_at TEXT NOT NULL)"
)

ScriptRunner = Callable[[Executor, str], Awaitable[None]]


class MigrationTarget(Executor, Protocol):
    """What ``apply_migrations`` needs: statements plus one-at-a-time transactions."""

    def transaction(self) -> AbstractAsyncContextManager[Executor]: ...


def load_migrations(directory: Path) -> list[Migration]:
    """Read every ``NNNN_words.sql`` file in ``directory``, sorted by version.

    Files not ending in ``.sql`` are ignored; a ``.sql`` file with another name, a duplicated
    number or a gap in the numbering (which must start at 1) raises ``StorageError``.
    """
    if not directory.is_dir():
        raise StorageError(f"Migration directory {directory} does not exist.")
    migrations: list[Migration] = []
    files_by_version: dict[int, str] = {}
    for path in sorted(directory.iterdir()):
        if path.suffix != ".sql" or not path.is_file():
            continue
        match = _FILE_NAME.match(path.name)
        if match is None:
            raise StorageError(
                f"Migration file {path.name!r} in {directory} is not named like "
                "'0001_words_with_underscores.sql' (four digits, an underscore, lower-case "
                "words joined by underscores)."
            )
        version = int(match["version"])
        if version in files_by_version:
            raise StorageError(
                f"Migration number {version:04d} is used twice in {directory}: "
                f"{files_by_version[version]!r} and {path.name!r}."
            )
        files_by_version[version] = path.name
        try:
            sql = path.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as exc:
            raise StorageError(f"Cannot read migration file {path}: {exc}") from exc
        migrations.append(
            Migration(version=version, description=match["words"].replace("_", " "), sql=sql)
        )
    migrations.sort(key=lambda m: m.version)
    check_sequence(migrations)
    return migrations


def check_sequence(migrations: Sequence[Migration]) -> None:
    """Raise ``StorageError`` unless the versions are exactly 1, 2, ..., n in order."""
    for expected, migration in enumerate(migrations, start=1):
        if migration.version != expected:
            found = ", ".join(f"{m.version:04d}" for m in migrations)
            raise StorageError(
                f"Migrations must be numbered 0001, 0002, ... without gaps or repeats; "
                f"expected {expected:04d} but found {migration.version:04d} "
                f"(all versions: {found})."
            )


def split_sql_script(script: str) -> list[str]:
    """Split a migration script into single statements, using SQLite's rules.

    A ``;`` inside a string, a quoted name, a comment or a ``CREATE TRIGGER ... END`` body
    does not end a statement (``sqlite3.complete_statement`` decides). Blank pieces are
    dropped; text after the last ``;`` is kept as a final statement.
    """
    statements: list[str] = []
    start = 0
    end = script.find(";")
    while end != -1:
        candidate = script[start : end + 1]
        if sqlite3.complete_statement(candidate):
            if candidate.strip().rstrip(";").strip():
                statements.append(candidate.strip())
            start = end + 1
        end = script.find(";", end + 1)
    tail = script[start:].strip()
    if tail:
        statements.append(tail)
    return statements


_LEADING_COMMENTS = re.compile(r"(?:\s+|--[^\n]*(?:\n|$)|/\*.*?(?:\*/|$))*", re.DOTALL)
_TRANSACTION_CONTROL = re.compile(
    r"(?:BEGIN|COMMIT|END|ROLLBACK|SAVEPOINT|RELEASE)\b", re.IGNORECASE
)


def first_keyword_is_transaction_control(statement: str) -> bool:
    """True if a statement (after leading comments) is BEGIN, COMMIT, ROLLBACK, ..."""
    comments = _LEADING_COMMENTS.match(statement)
    body = statement[comments.end() :] if comments else statement
    return _TRANSACTION_CONTROL.match(body) is not None


async def run_statements(executor: Executor, script: str) -> None:
    """Default script runner: run each statement of ``script`` in turn through ``executor``."""
    for statement in split_sql_script(script):
        if first_keyword_is_transaction_control(statement):
            raise StorageError(
                "a migration must not contain BEGIN, COMMIT, ROLLBACK, SAVEPOINT or RELEASE: "
                f"each migration already runs in its own transaction (statement: {statement!r})"
            )
        await executor.execute(statement)


async def read_schema_version(executor: Executor) -> int:
    """Highest version recorded in ``schema_migrations`` (which must exist), 0 when empty."""
    row = await executor.fetch_one(
        "SELECT COALESCE(MAX(version), 0) AS version FROM schema_migrations"
    )
    return int(row["version"]) if row is not None else 0


def _utc_now() -> datetime:
    return datetime.now(UTC)


async def _apply_one(
    target: MigrationTarget,
    migration: Migration,
    run_script: ScriptRunner,
    now: Callable[[], datetime],
) -> bool:
    """Apply and record one migration in one transaction; False if another process
    applied it since we looked."""
    async with target.transaction() as tx:
        if await tx.fetch_one(
            "SELECT version FROM schema_migrations WHERE version = :version",
            {"version": migration.version},
        ):
            return False
        await run_script(tx, migration.sql)
        await tx.execute(
            "INSERT INTO schema_migrations (version, description, applied_at) "
            "VALUES (:version, :description, :applied_at)",
            {
                "version": migration.version,
                "description": migration.description,
                "applied_at": now().astimezone(UTC).isoformat(timespec="seconds"),
            },
        )
    return True


async def apply_migrations(
    target: MigrationTarget,
    migrations: Sequence[Migration],
    *,
    run_script: ScriptRunner = run_statements,
    now: Callable[[], datetime] = _utc_now,
) -> list[Migration]:
    """Apply the migrations newer than the database's version; return those applied.

    Raises ``SchemaTooNewError`` (changing nothing) when the database records a version newer
    than the newest migration known here, and ``StorageError`` naming the migration when one
    fails (that migration is rolled back entirely; earlier ones stay applied).
    """
    ordered = sorted(migrations, key=lambda m: m.version)
    check_sequence(ordered)
    known = ordered[-1].version if ordered else 0

    # Creating the bookkeeping table and checking the version share one transaction, so a
    # database that is too new is left exactly as it was.
    async with target.transaction() as tx:
        await tx.execute(SCHEMA_MIGRATIONS_DDL)
        current = await read_schema_version(tx)
        if current > known:
            raise SchemaTooNewError(current, known)

    applied: list[Migration] = []
    for migration in ordered:
        if migration.version <= current:
            continue
        label = f"{migration.version:04d} ({migration.description})"
        try:
            done = await _apply_one(target, migration, run_script, now)
        except Exception as exc:
            raise StorageError(
                f"Migration {label} failed and was rolled back; the database is still at "
                f"schema version {applied[-1].version if applied else current}. Cause: {exc}"
            ) from exc
        if done:
            log.info("Applied database migration %s", label)
            applied.append(migration)
    return applied
