"""Numbered, described schema migrations: loading them from a directory and applying them.

A migration is a file ``NNNN_words_with_underscores.sql`` (``0001_members_and_memberships.sql``
becomes version 1, "members and memberships"). Where PostgreSQL needs other SQL (its
types, its functions), a variant ``NNNN_words_with_underscores.postgres.sql`` beside it
is what PostgreSQL runs for that version instead; there is one numbered list, and a
database's version means the same schema on either engine. Applied versions are recorded in
``schema_migrations``. Each pending migration and its record are applied in one transaction,
so a migration that fails leaves no trace.

``apply_migrations`` only talks to the database through the ``Executor`` protocol plus
``transaction()``, so every backend reuses it: this module knows no particular database
(it must not import one). The default ``run_script`` splits a script with
``split_sql_script``, which follows rules common to SQLite and PostgreSQL; a backend may
supply its own (SQLite's, in ``bot.storage.sqlite``, also understands trigger bodies).
"""

from __future__ import annotations

import logging
import re
from collections.abc import Awaitable, Callable, Sequence
from contextlib import AbstractAsyncContextManager
from datetime import UTC, datetime
from pathlib import Path
from typing import Protocol

from bot.storage.database import Executor, Migration, SchemaTooNewError, StorageError
from bot.storage.sql_text import comment_end, quoted_end

log = logging.getLogger(__name__)

DIALECTS = ("postgres",)
_FILE_NAME = re.compile(
    r"^(?P<version>\d{4})_(?P<words>[a-z0-9]+(?:_[a-z0-9]+)*)"
    rf"(?:\.(?P<dialect>{'|'.join(DIALECTS)}))?\.sql$"
)

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
    """Read every ``NNNN_words.sql`` file in ``directory``, sorted by version, each with
    its dialect variants (``NNNN_words.postgres.sql``: what that engine runs instead).

    Files not ending in ``.sql`` are ignored; a ``.sql`` file with another name, a duplicated
    number, a gap in the numbering (which must start at 1) or a variant without its
    migration raises ``StorageError``.
    """
    if not directory.is_dir():
        raise StorageError(f"Migration directory {directory} does not exist.")
    shared: dict[int, tuple[str, str]] = {}  # version -> (file name, SQL)
    variants: dict[int, list[tuple[str, str, str]]] = {}  # version -> (file, dialect, SQL)
    for path in sorted(directory.iterdir()):
        if path.suffix != ".sql" or not path.is_file():
            continue
        match = _named(path, directory)
        version, dialect = int(match["version"]), match["dialect"]
        if dialect is not None:
            variants.setdefault(version, []).append((path.name, dialect, _read(path)))
            continue
        if version in shared:
            raise StorageError(
                f"Migration number {version:04d} is used twice in {directory}: "
                f"{shared[version][0]!r} and {path.name!r}."
            )
        shared[version] = (path.name, _read(path))
    migrations = [
        _with_variants(version, name, sql, variants.pop(version, []))
        for version, (name, sql) in sorted(shared.items())
    ]
    if variants:
        orphan, dialect, _ = min(variants.values())[0]
        raise StorageError(
            f"Migration file {orphan!r} in {directory} is a variant of a migration that "
            "does not exist: add the migration for every engine first "
            f"({orphan.replace('.' + dialect, '')!r})."
        )
    check_sequence(migrations)
    return migrations


def _named(path: Path, directory: Path) -> re.Match[str]:
    match = _FILE_NAME.match(path.name)
    if match is None:
        raise StorageError(
            f"Migration file {path.name!r} in {directory} is not named like "
            "'0001_words_with_underscores.sql' (four digits, an underscore, lower-case "
            "words joined by underscores; '.postgres.sql' for a PostgreSQL variant)."
        )
    return match


def _read(path: Path) -> str:
    try:
        return path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise StorageError(f"Cannot read migration file {path}: {exc}") from exc


def _with_variants(
    version: int, name: str, sql: str, variants: list[tuple[str, str, str]]
) -> Migration:
    words = _FILE_NAME.match(name)
    assert words is not None
    for variant, _, _ in variants:
        if not variant.startswith(name.removesuffix(".sql") + "."):
            raise StorageError(
                f"Migration file {variant!r} is a variant of {name!r} but its words differ; "
                "name it like the migration it replaces."
            )
    return Migration(
        version=version,
        description=words["words"].replace("_", " "),
        sql=sql,
        variants=tuple((dialect, text) for _, dialect, text in variants),
    )


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
    """Split a migration script into single statements, at each ``;`` that is outside

    - a string ``'...'`` (``''`` inside it is a quote; in ``E'...'`` so is ``\\'``),
    - a quoted name ``"..."``,
    - a comment: ``--`` to the end of the line, or ``/* ... */`` (nesting, as PostgreSQL's do),
    - a dollar-quoted body ``$$ ... $$`` or ``$tag$ ... $tag$`` (PostgreSQL functions).

    Each statement keeps its ``;``. Pieces holding only spaces and comments are dropped;
    text after the last ``;`` is kept as a final statement. SQLite's ``CREATE TRIGGER ...
    BEGIN ... END`` bodies are not understood here: SQLite uses its own splitter.
    """
    statements: list[str] = []
    start = index = 0
    significant = False  # anything but spaces and comments since the last statement
    while index < len(script):
        if script[index] == ";":
            if significant:
                statements.append(script[start : index + 1].strip())
            start = index = index + 1
            significant = False
        elif (end := comment_end(script, index)) > index:
            index = end
        else:
            end = max(quoted_end(script, index), index + 1)
            significant = significant or end > index + 1 or not script[index].isspace()
            index = end
    if significant:
        statements.append(script[start:].strip())
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


async def run_statements(
    executor: Executor,
    script: str,
    *,
    split: Callable[[str], list[str]] = split_sql_script,
) -> None:
    """Default script runner: run each statement of ``script`` (cut by ``split``) in turn
    through ``executor``."""
    for statement in split(script):
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
    dialect: str,
) -> bool:
    """Apply and record one migration in one transaction; False if another process
    applied it since we looked."""
    async with target.transaction() as tx:
        if await tx.fetch_one(
            "SELECT version FROM schema_migrations WHERE version = :version",
            {"version": migration.version},
        ):
            return False
        await run_script(tx, migration.sql_for(dialect))
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
    dialect: str = "sqlite",
) -> list[Migration]:
    """Apply the migrations newer than the database's version (each one's SQL for
    ``dialect``); return those applied.

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
            done = await _apply_one(target, migration, run_script, now, dialect)
        except Exception as exc:
            raise StorageError(
                f"Migration {label} failed and was rolled back; the database is still at "
                f"schema version {applied[-1].version if applied else current}. Cause: {exc}"
            ) from exc
        if done:
            log.info("Applied database migration %s", label)
            applied.append(migration)
    return applied
