"""The portable migration splitter (for every backend) and the SQLite one."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

import bot.storage.migrations
from bot.storage.migrations import split_sql_script
from bot.storage.sqlite import split_sqlite_script


@pytest.mark.parametrize(
    ("script", "expected"),
    [
        ("SELECT 1; SELECT 2;", ["SELECT 1;", "SELECT 2;"]),
        ("SELECT 'a;b'; SELECT 2", ["SELECT 'a;b';", "SELECT 2"]),
        ("SELECT 'it''s; fine';", ["SELECT 'it''s; fine';"]),
        ("SELECT E'\\';' ; SELECT 2;", ["SELECT E'\\';' ;", "SELECT 2;"]),
        ("SELECT 'a\\'; SELECT 2;", ["SELECT 'a\\';", "SELECT 2;"]),  # no E: \ is plain
        ('CREATE TABLE "a;b" (x);', ['CREATE TABLE "a;b" (x);']),
        ('SELECT "say ""hi;""";', ['SELECT "say ""hi;""";']),
        ("SELECT 1 -- one; two\n; SELECT 2;", ["SELECT 1 -- one; two\n;", "SELECT 2;"]),
        ("SELECT /* ; */ 1;", ["SELECT /* ; */ 1;"]),
        ("SELECT /* a /* b; */ c; */ 1;", ["SELECT /* a /* b; */ c; */ 1;"]),
        (
            "CREATE FUNCTION f() RETURNS int AS $$ BEGIN RETURN 1; END; $$ LANGUAGE plpgsql;",
            ["CREATE FUNCTION f() RETURNS int AS $$ BEGIN RETURN 1; END; $$ LANGUAGE plpgsql;"],
        ),
        (
            "DO $body$ BEGIN PERFORM '$$;'; END $body$; SELECT 2;",
            ["DO $body$ BEGIN PERFORM '$$;'; END $body$;", "SELECT 2;"],
        ),
        ("SELECT $1; SELECT 2;", ["SELECT $1;", "SELECT 2;"]),  # a parameter, not a quote
        ("SELECT a$b$ FROM t; SELECT 2;", ["SELECT a$b$ FROM t;", "SELECT 2;"]),
        ("\n;;\n -- just a comment\n; /* and another */ ;", []),
        ("SELECT 1; -- the end", ["SELECT 1;"]),
        ("SELECT 'unterminated; SELECT 2;", ["SELECT 'unterminated; SELECT 2;"]),
        ("", []),
    ],
)
def test_the_portable_splitter_cuts_only_real_statement_ends(
    script: str, expected: list[str]
) -> None:
    assert split_sql_script(script) == expected


def test_the_sqlite_splitter_keeps_trigger_bodies_whole() -> None:
    script = (
        "CREATE TRIGGER t AFTER INSERT ON a BEGIN\n"
        "    INSERT INTO b VALUES ('x;y');\n"
        "    DELETE FROM c;\n"
        "END;\n"
        "SELECT 1;"
    )
    [trigger, select] = split_sqlite_script(script)
    assert trigger.startswith("CREATE TRIGGER")
    assert trigger.endswith("END;")
    assert select == "SELECT 1;"
    assert len(split_sql_script(script)) == 4  # the portable one does not know triggers


def test_the_migration_runner_knows_no_particular_database() -> None:
    source = Path(bot.storage.migrations.__file__).read_text(encoding="utf-8")
    imported = set()
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            imported |= {alias.name.split(".")[0] for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module:
            imported.add(node.module.split(".")[0])
    assert imported.isdisjoint({"sqlite3", "aiosqlite", "asyncpg", "psycopg"})
    assert "re" in imported  # the check does see this module's imports
