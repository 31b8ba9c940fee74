"""What is PostgreSQL's own: named parameters rewritten to $n, row-lock clauses SQLite
drops, migration variants, errors told apart and explained without a password or SQL,
a schema kept in step with SQLite's, and a connection lost while running."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import asyncpg
import pytest

from bot.app import MIGRATIONS_DIR
from bot.storage import (
    Migration,
    StorageError,
    StorageKind,
    StorageUnavailable,
    load_migrations,
    open_database,
)
from bot.storage.postgres import bind
from bot.storage.postgres_errors import storage_kind
from bot.storage.sql_text import numbered_parameters, without_row_locks
from bot.storage.urls import has_password, postgres_address, shown
from tests.engines import PostgresServer, new_name, run_aside
from tests.harness import HARNESS_ENVIRON, Harness, person, write_config

# Integer columns that stay 32-bit on PostgreSQL: flags (0/1), moods, counts, positions.
# Anything else holding a number (epoch milliseconds above all) must be BIGINT there: an
# INTEGER column is 32 bits on PostgreSQL, and SQLite would never tell.
SMALL_INTEGERS = {
    "schema_migrations.version",
    "groups.seat_version",
    "groups.seated_count",
    "groups.waiting_count",
    "memberships.queue_seq",
    "outbox.attempts",
    "occurrence_changes.cancelled",
    "member_settings.reminders",
    "member_settings.announcements",
    "member_settings.checkin_prompts",
    "checkin_periods.min_respondents",
    "checkin_periods.notes_min_respondents",
    "checkin_periods.released",
    "checkin_periods.suppressed",
    "checkin_periods.respondents",
    "checkins.mood",
}


# -- named parameters and row locks (no server needed) ------------------------------------


@pytest.mark.parametrize(
    ("sql", "expected", "names"),
    [
        ("SELECT :a, :b, :a", "SELECT $1, $2, $1", ("a", "b")),
        ("SELECT x::bigint FROM t WHERE y = :y", "SELECT x::bigint FROM t WHERE y = $1", ("y",)),
        ("SELECT ':no' || :yes", "SELECT ':no' || $1", ("yes",)),
        ('SELECT "a:b" FROM t WHERE c = :c', 'SELECT "a:b" FROM t WHERE c = $1', ("c",)),
        ("SELECT 1 -- :comment\n, :x", "SELECT 1 -- :comment\n, $1", ("x",)),
        ("SELECT /* :c */ :x", "SELECT /* :c */ $1", ("x",)),
        ("DO $$ BEGIN PERFORM :inside; END $$", "DO $$ BEGIN PERFORM :inside; END $$", ()),
        ("SELECT arr[1:2] FROM t", "SELECT arr[1:2] FROM t", ()),
        ("SELECT E'it\\'s :x' || :y", "SELECT E'it\\'s :x' || $1", ("y",)),
        ("SELECT :a_1,:b2", "SELECT $1,$2", ("a_1", "b2")),
    ],
)
def test_named_parameters_become_numbered_outside_quotes_and_casts(
    sql: str, expected: str, names: tuple[str, ...]
) -> None:
    assert numbered_parameters(sql) == (expected, names)


def test_binding_gives_values_in_number_order_and_names_a_missing_one() -> None:
    assert bind("SELECT :b, :a, :b", {"a": 1, "b": "x", "unused": 3}) == (
        "SELECT $1, $2, $1",
        ["x", 1],
    )
    with pytest.raises(ValueError, match=":a") as caught:
        bind("SELECT :a WHERE x = 'secret'", {})
    assert "secret" not in str(caught.value)


@pytest.mark.parametrize(
    ("sql", "expected"),
    [
        ("SELECT id FROM t LIMIT 1 FOR UPDATE SKIP LOCKED", "SELECT id FROM t LIMIT 1"),
        ("SELECT id FROM t for update;", "SELECT id FROM t;"),
        ("SELECT id FROM t FOR UPDATE NOWAIT", "SELECT id FROM t"),
        ("SELECT ' FOR UPDATE'", "SELECT ' FOR UPDATE'"),
        ("SELECT 1 -- FOR UPDATE", "SELECT 1 -- FOR UPDATE"),
        ("SELECT id FROM t", "SELECT id FROM t"),
    ],
)
def test_sqlite_drops_a_trailing_row_lock_and_nothing_else(sql: str, expected: str) -> None:
    assert without_row_locks(sql) == expected


# -- addresses -----------------------------------------------------------------------------


def test_an_address_is_shown_without_its_password_or_query() -> None:
    url = "postgresql://pc:s3cret@db.example:6432/peercircle?sslmode=require&password=s3cret"
    address = postgres_address(url)
    assert address.shown == "postgresql://pc@db.example:6432/peercircle"
    assert (address.user, address.host, address.port, address.database) == (
        "pc",
        "db.example",
        6432,
        "peercircle",
    )
    assert "s3cret" not in repr(address)
    assert has_password(url)
    assert has_password("postgresql://pc@db/x?password=s3cret")
    assert not has_password("postgresql://pc@db/x")
    assert shown("mysql://u:s3cret@h/x") == "a mysql:// address"
    with pytest.raises(StorageError) as caught:
        postgres_address("postgresql://pc:s3cret@db:port/x")
    assert "s3cret" not in str(caught.value)


# -- migrations ----------------------------------------------------------------------------


def _write(directory: Path, files: dict[str, str]) -> Path:
    directory.mkdir(parents=True, exist_ok=True)
    for name, text in files.items():
        (directory / name).write_text(text, encoding="utf-8")
    return directory


def test_a_variant_rides_with_its_migration(tmp_path: Path) -> None:
    found = load_migrations(
        _write(tmp_path, {"0001_a_b.sql": "lite", "0001_a_b.postgres.sql": "pg"})
    )
    assert found == [Migration(1, "a b", "lite", (("postgres", "pg"),))]
    assert found[0].sql_for("postgres") == "pg"
    assert found[0].sql_for("sqlite") == "lite"


@pytest.mark.parametrize(
    ("files", "message"),
    [
        ({"0001_a.postgres.sql": ""}, "variant of a migration that does not exist"),
        ({"0001_a.sql": "", "0001_b.postgres.sql": ""}, "its words differ"),
        ({"0001_a.mysql.sql": ""}, "not named like"),
        ({"0001_a.sql": "", "0002_b.postgres.sql": ""}, "does not exist"),
    ],
)
def test_a_stray_variant_is_refused(tmp_path: Path, files: dict[str, str], message: str) -> None:
    with pytest.raises(StorageError, match=message):
        load_migrations(_write(tmp_path, files))


# -- errors --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("error", "kind"),
    [
        (asyncpg.exceptions.DeadlockDetectedError("x"), StorageKind.BUSY),
        (asyncpg.exceptions.LockNotAvailableError("x"), StorageKind.BUSY),
        (asyncpg.exceptions.SerializationError("x"), StorageKind.BUSY),
        (asyncpg.exceptions.TooManyConnectionsError("x"), StorageKind.BUSY),
        (asyncpg.exceptions.DiskFullError("x"), StorageKind.FULL),
        (asyncpg.exceptions.ReadOnlySQLTransactionError("x"), StorageKind.READ_ONLY),
        (asyncpg.exceptions.DataCorruptedError("x"), StorageKind.CORRUPT),
        (asyncpg.exceptions.AdminShutdownError("x"), StorageKind.UNREACHABLE),
        (asyncpg.exceptions.ConnectionDoesNotExistError("x"), StorageKind.UNREACHABLE),
        (asyncpg.exceptions.InvalidCatalogNameError("x"), StorageKind.GONE),
        (asyncpg.InterfaceError("connection is closed"), StorageKind.UNREACHABLE),
        (asyncpg.exceptions.InternalClientError("state 15"), StorageKind.UNREACHABLE),
        (ConnectionRefusedError(111, "refused"), StorageKind.UNREACHABLE),
        (TimeoutError(), StorageKind.UNREACHABLE),
        (asyncpg.exceptions.UniqueViolationError("x"), None),
        (asyncpg.exceptions.UndefinedTableError("x"), None),
        (asyncpg.exceptions.DataError("x"), None),
        (asyncpg.InterfaceError("another operation is in progress"), None),
    ],
    ids=lambda value: type(value).__name__ if isinstance(value, BaseException) else str(value),
)
def test_storage_trouble_and_bugs_are_told_apart(
    error: BaseException, kind: StorageKind | None
) -> None:
    assert storage_kind(error) is kind


async def test_a_server_that_cannot_be_reached_is_explained_without_the_password(
    tmp_path: Path,
) -> None:
    url = "postgresql://pc:s3cret@127.0.0.1:1/peercircle"
    database = open_database(url, tmp_path, load_migrations(MIGRATIONS_DIR))
    with pytest.raises(StorageError) as caught:
        await database.connect()
    message = str(caught.value)
    assert caught.value.kind is StorageKind.UNREACHABLE
    assert "postgresql://pc@127.0.0.1:1/peercircle" in message
    assert "could not be reached (connection refused)" in message
    assert "s3cret" not in message
    await database.close()


async def test_a_missing_database_says_how_to_create_it(
    postgres_server: PostgresServer, tmp_path: Path
) -> None:
    missing = new_name("pc_missing")
    database = open_database(postgres_server.url_of(missing), tmp_path, [])
    with pytest.raises(StorageError) as caught:
        await database.connect()
    assert f"the database {missing!r} does not exist on that server" in str(caught.value)
    assert "createdb" in str(caught.value)


async def test_a_dropped_connection_is_unavailable_then_replaced(
    postgres_server: PostgresServer, tmp_path: Path
) -> None:
    name = new_name("pc_drop")
    run_aside(lambda: postgres_server.create_database(name))
    database = open_database(postgres_server.url_of(name), tmp_path, [])
    try:
        await database.connect()

        async def lose_the_connection() -> None:
            async with database.transaction() as tx:
                await tx.execute("CREATE TABLE t (x TEXT)")
                await postgres_server.run(  # the server ends this session mid-transaction
                    "SELECT pg_terminate_backend(pid) FROM pg_stat_activity"
                    f" WHERE datname = '{name}' AND pid <> pg_backend_pid()"
                )
                await tx.execute("INSERT INTO t VALUES ('lost')")

        with pytest.raises(StorageUnavailable) as caught:
            await lose_the_connection()
        assert caught.value.kind is StorageKind.UNREACHABLE
        assert "lost" not in str(caught.value)
        async with database.transaction() as tx:  # the pool connects again
            await tx.execute("CREATE TABLE t (x TEXT)")  # the first one was rolled back
        assert await database.fetch_all("SELECT x FROM t") == []
    finally:
        await database.close()
        run_aside(lambda: postgres_server.drop_database(name))


# -- the schema, kept in step --------------------------------------------------------------


def _sqlite_schema(path: Path) -> dict[str, list[tuple[str, bool, bool]]]:
    with sqlite3.connect(path) as conn:
        tables = [
            str(row[0])
            for row in conn.execute(
                "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite%'"
            )
        ]
        found = {
            table: [
                (str(c[1]), bool(c[3]) or bool(c[5]), bool(c[5]))  # name, not null, key
                for c in conn.execute(f"PRAGMA table_info({table})")
            ]
            for table in tables
        }
    conn.close()
    return found


async def _postgres_schema(url: str) -> tuple[dict[str, list[tuple[str, bool, bool]]], set[str]]:
    conn = await asyncpg.connect(url)
    try:
        rows = await conn.fetch(
            "SELECT c.table_name, c.column_name, c.is_nullable = 'NO' AS not_null,"
            " c.data_type, k.column_name IS NOT NULL AS in_key"
            " FROM information_schema.columns c"
            " LEFT JOIN information_schema.key_column_usage k ON k.table_schema = c.table_schema"
            "  AND k.table_name = c.table_name AND k.column_name = c.column_name"
            "  AND k.constraint_name = c.table_name || '_pkey'"
            " WHERE c.table_schema = current_schema() ORDER BY c.table_name, c.ordinal_position"
        )
    finally:
        await conn.close()
    found: dict[str, list[tuple[str, bool, bool]]] = {}
    small = set()
    for row in rows:
        column = (str(row["column_name"]), bool(row["not_null"]), bool(row["in_key"]))
        found.setdefault(str(row["table_name"]), []).append(column)
        if row["data_type"] == "integer":
            small.add(f"{row['table_name']}.{row['column_name']}")
    return found, small


async def test_both_engines_have_the_same_tables_columns_and_keys(
    postgres_server: PostgresServer, tmp_path: Path
) -> None:
    migrations = load_migrations(MIGRATIONS_DIR)
    lite = open_database("sqlite:///schema.sqlite3", tmp_path, migrations)
    await lite.connect()
    await lite.close()
    name = new_name("pc_schema")
    run_aside(lambda: postgres_server.create_database(name))
    try:
        postgres = open_database(postgres_server.url_of(name), tmp_path, migrations)
        await postgres.connect()
        await postgres.close()
        found, small = await _postgres_schema(postgres_server.url_of(name))
    finally:
        run_aside(lambda: postgres_server.drop_database(name))
    assert found == _sqlite_schema(tmp_path / "schema.sqlite3")
    assert small <= SMALL_INTEGERS, (
        "an INTEGER column on PostgreSQL is 32 bits: give epoch milliseconds and ids "
        "BIGINT in a NNNN_words.postgres.sql variant, or list a small number here"
    )


async def test_a_bot_whose_server_is_down_starts_degraded_and_says_why(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    config = write_config(tmp_path)
    secret = "postgresql://pc:s3cret@127.0.0.1:1/peercircle"
    environ = {**HARNESS_ENVIRON, "PEERCIRCLE_STORAGE__URL": secret}
    bot = await Harness.open(config, environ=environ)
    try:
        assert bot.app.degraded
        [crisis] = await bot.say("/crisis", as_=person("alice"))
        assert "Samaritans: call 116 123" in crisis.text
        [refused] = await bot.say("/join circle", as_=person("alice"))
        assert refused.text == bot.app.catalog.text("degraded.unavailable")
    finally:
        await bot.close()
    told = "\n".join(record.getMessage() for record in caplog.records)
    assert "postgresql://pc@127.0.0.1:1/peercircle: the server could not be reached" in told
    assert "s3cret" not in told
