"""Running a migration script on SQLite: split into statements by SQLite's own rules,
then checked for rows that break a foreign key."""

from __future__ import annotations

import sqlite3

from bot.storage.database import Executor, StorageError
from bot.storage.migrations import run_statements


def split_sqlite_script(script: str) -> list[str]:
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


async def run_sqlite_script(executor: Executor, script: str) -> None:
    """The SQLite script runner: run a migration, then refuse it if it left rows that
    break a foreign key.

    Migrations run with ``foreign_keys=OFF`` (SQLite ignores that pragma inside a
    transaction, so it is set around them) so that rebuilding a table cannot cascade-delete
    the rows that refer to it; this check puts the guarantee back before COMMIT.
    """
    await run_statements(executor, script, split=split_sqlite_script)
    problems = await executor.fetch_all("PRAGMA foreign_key_check")
    if problems:
        tables = sorted({str(row["table"]) for row in problems})
        raise StorageError(
            f"it leaves {len(problems)} row(s) violating a foreign key in: {', '.join(tables)}"
        )
