"""The SQLite storage layer: migrations, transactions, locking, URLs and operator errors."""

from __future__ import annotations

import asyncio
import sqlite3
import threading
from collections.abc import AsyncIterator, Callable
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from bot.storage import (
    Database,
    Executor,
    Migration,
    PostgresDatabase,
    SchemaTooNewError,
    SqliteDatabase,
    StorageError,
    load_migrations,
    open_database,
)
from bot.storage.sqlite import split_sqlite_script

MEMBERS = """
-- members and their memberships
CREATE TABLE members (
    id INTEGER PRIMARY KEY,
    name TEXT NOT NULL DEFAULT 'a;b'  -- a semicolon inside a string
);
CREATE TABLE memberships (
    member_id INTEGER NOT NULL REFERENCES members(id) ON DELETE CASCADE,
    grp TEXT NOT NULL
);
CREATE TABLE counters (name TEXT PRIMARY KEY, value INTEGER NOT NULL);
INSERT INTO counters (name, value) VALUES ('hits', 0);
"""

AUDIT = """
CREATE TABLE audit (what TEXT NOT NULL);
CREATE TRIGGER members_audit AFTER INSERT ON members BEGIN
    INSERT INTO audit (what) VALUES ('member;added');
END;
"""


def write(directory: Path, files: dict[str, str]) -> Path:
    directory.mkdir(parents=True, exist_ok=True)
    for name, text in files.items():
        (directory / name).write_text(text, encoding="utf-8")
    return directory


def tables(path: Path) -> list[str]:
    with sqlite3.connect(path) as conn:
        rows = conn.execute("SELECT name FROM sqlite_master ORDER BY name").fetchall()
    conn.close()
    return [name for (name,) in rows]


def entries(directory: Path) -> list[str]:
    return sorted(child.name for child in directory.iterdir())


def recorded(path: Path) -> list[tuple[Any, ...]]:
    with sqlite3.connect(path) as conn:
        rows = conn.execute("SELECT * FROM schema_migrations ORDER BY version").fetchall()
    conn.close()
    return rows


async def assert_threads_back_to(count: int) -> None:
    """aiosqlite's worker thread ends just after close() returns; give it a moment."""
    for _ in range(100):
        if threading.active_count() <= count:
            return
        await asyncio.sleep(0.01)
    assert threading.active_count() <= count, "a connection thread was left running"


@pytest.fixture
def migrations_dir(tmp_path: Path) -> Path:
    return write(
        tmp_path / "migrations",
        {"0001_members_and_memberships.sql": MEMBERS, "__init__.py": "", "README.md": "x"},
    )


@pytest.fixture
def db_path(tmp_path: Path) -> Path:
    return tmp_path / "data" / "nested" / "bot.db"


@pytest.fixture
async def db(db_path: Path, migrations_dir: Path) -> AsyncIterator[SqliteDatabase]:
    database = SqliteDatabase(db_path, load_migrations(migrations_dir))
    await database.connect()
    yield database
    await database.close()


# -- migrations --------------------------------------------------------------------------


async def test_migrations_are_applied_and_recorded(db: SqliteDatabase, db_path: Path) -> None:
    assert await db.schema_version() == 1
    [(version, description, applied_at)] = recorded(db_path)
    assert (version, description) == (1, "members and memberships")
    assert datetime.fromisoformat(applied_at).utcoffset() == timedelta(0)
    assert {"members", "memberships", "counters", "schema_migrations"} <= set(tables(db_path))
    row = await db.fetch_one("SELECT dflt_value FROM pragma_table_info('members') WHERE cid = 1")
    assert row is not None
    assert row["dflt_value"] == "'a;b'"


async def test_reconnecting_applies_nothing_twice(db_path: Path, migrations_dir: Path) -> None:
    migrations = load_migrations(migrations_dir)
    for _ in range(3):
        database = SqliteDatabase(db_path, migrations)
        await database.connect()
        await database.close()
    assert len(recorded(db_path)) == 1


async def test_a_later_migration_is_applied_alone(db_path: Path, migrations_dir: Path) -> None:
    first = SqliteDatabase(db_path, load_migrations(migrations_dir))
    await first.connect()
    await first.execute("INSERT INTO members (id, name) VALUES (1, 'ann')")
    await first.close()
    before = recorded(db_path)

    write(migrations_dir, {"0002_audit_trail.sql": AUDIT})
    second = SqliteDatabase(db_path, load_migrations(migrations_dir))
    await second.connect()
    try:
        assert await second.schema_version() == 2
        after = recorded(db_path)
        assert after[0] == before[0]
        assert after[1][:2] == (2, "audit trail")
        await second.execute("INSERT INTO members (id, name) VALUES (2, 'bo')")
        assert await second.fetch_all("SELECT what FROM audit") == [{"what": "member;added"}]
        assert await second.fetch_one("SELECT name FROM members WHERE id = 1") == {"name": "ann"}
    finally:
        await second.close()


async def test_wal_foreign_keys_and_other_pragmas_are_on(db: SqliteDatabase) -> None:
    async def pragma(name: str) -> Any:
        row = await db.fetch_one(f"PRAGMA {name}")
        assert row is not None
        return next(iter(row.values()))

    assert await pragma("journal_mode") == "wal"
    assert await pragma("foreign_keys") == 1
    assert await pragma("busy_timeout") == 5000
    assert await pragma("synchronous") == 1  # NORMAL
    with pytest.raises(sqlite3.IntegrityError):
        await db.execute("INSERT INTO memberships (member_id, grp) VALUES (42, 'tue')")


async def test_in_memory_database(migrations_dir: Path, tmp_path: Path) -> None:
    database = open_database("sqlite:///:memory:", tmp_path, load_migrations(migrations_dir))
    await database.connect()
    try:
        assert await database.schema_version() == 1
        assert await database.fetch_one("PRAGMA foreign_keys") == {"foreign_keys": 1}
        assert await database.fetch_one("SELECT value FROM counters") == {"value": 0}
    finally:
        await database.close()
    assert entries(tmp_path) == ["migrations"]  # nothing written to disk


async def test_a_newer_schema_is_refused_and_left_untouched(
    db_path: Path, migrations_dir: Path
) -> None:
    db_path.parent.mkdir(parents=True)
    with sqlite3.connect(db_path) as conn:
        conn.execute(
            "CREATE TABLE schema_migrations (version INTEGER PRIMARY KEY, "
            "description TEXT NOT NULL, applied_at TEXT NOT NULL)"
        )
        conn.execute("INSERT INTO schema_migrations VALUES (99, 'from the future', 'x')")
        conn.execute("CREATE TABLE future_thing (x)")
    conn.close()
    tables_before, rows_before = tables(db_path), recorded(db_path)
    threads_before = threading.active_count()

    database = SqliteDatabase(db_path, load_migrations(migrations_dir))
    with pytest.raises(SchemaTooNewError) as caught:
        await database.connect()

    assert (caught.value.database_version, caught.value.known_version) == (99, 1)
    assert "Nothing was changed" in str(caught.value)
    assert tables(db_path) == tables_before
    assert recorded(db_path) == rows_before
    await assert_threads_back_to(threads_before)  # the connection was closed
    await database.close()  # harmless after a failed connect


async def test_a_failing_migration_leaves_no_trace(db_path: Path, migrations_dir: Path) -> None:
    write(
        migrations_dir,
        {
            "0002_half_done.sql": (
                "CREATE TABLE half (x INTEGER);\n"
                "INSERT INTO half VALUES (1);\n"
                "INSERT INTO no_such_table VALUES (1);\n"
            )
        },
    )
    database = SqliteDatabase(db_path, load_migrations(migrations_dir))
    with pytest.raises(StorageError, match=r"0002 \(half done\)") as caught:
        await database.connect()
    assert "no_such_table" in str(caught.value)
    assert "half" not in tables(db_path)
    assert [row[0] for row in recorded(db_path)] == [1]  # 0001 stays applied

    (migrations_dir / "0002_half_done.sql").write_text("CREATE TABLE half (x INTEGER);")
    database = SqliteDatabase(db_path, load_migrations(migrations_dir))
    await database.connect()
    assert await database.schema_version() == 2
    await database.close()


async def test_a_migration_may_not_manage_its_own_transaction(
    db_path: Path, migrations_dir: Path
) -> None:
    write(migrations_dir, {"0002_sneaky.sql": "CREATE TABLE t (x);\n/* hm */ COMMIT;\n"})
    database = SqliteDatabase(db_path, load_migrations(migrations_dir))
    with pytest.raises(StorageError, match=r"0002 \(sneaky\).*must not contain BEGIN, COMMIT"):
        await database.connect()
    assert "t" not in tables(db_path)


async def test_rebuilding_a_table_in_a_migration_does_not_cascade(
    db_path: Path, migrations_dir: Path
) -> None:
    database = SqliteDatabase(db_path, load_migrations(migrations_dir))
    await database.connect()
    await database.execute("INSERT INTO members (id, name) VALUES (1, 'ann')")
    await database.execute("INSERT INTO memberships (member_id, grp) VALUES (1, 'tue')")
    await database.close()

    rebuild = """
        CREATE TABLE members_new (id INTEGER PRIMARY KEY, name TEXT NOT NULL, tz TEXT);
        INSERT INTO members_new (id, name) SELECT id, name FROM members;
        DROP TABLE members;
        ALTER TABLE members_new RENAME TO members;
    """
    write(migrations_dir, {"0002_member_time_zones.sql": rebuild})
    database = SqliteDatabase(db_path, load_migrations(migrations_dir))
    await database.connect()
    try:
        assert await database.fetch_all("SELECT member_id FROM memberships") == [{"member_id": 1}]
        assert await database.fetch_one("PRAGMA foreign_keys") == {"foreign_keys": 1}
    finally:
        await database.close()


async def test_a_migration_that_orphans_rows_is_refused(
    db_path: Path, migrations_dir: Path
) -> None:
    database = SqliteDatabase(db_path, load_migrations(migrations_dir))
    await database.connect()
    await database.execute("INSERT INTO members (id, name) VALUES (1, 'ann')")
    await database.execute("INSERT INTO memberships (member_id, grp) VALUES (1, 'tue')")
    await database.close()

    write(migrations_dir, {"0002_drop_ann.sql": "DELETE FROM members WHERE id = 1;"})
    database = SqliteDatabase(db_path, load_migrations(migrations_dir))
    with pytest.raises(StorageError, match=r"0002 \(drop ann\).*foreign key in: memberships"):
        await database.connect()
    assert [row[0] for row in recorded(db_path)] == [1]


def test_split_sqlite_script_respects_strings_comments_and_triggers() -> None:
    statements = split_sqlite_script(MEMBERS + AUDIT + "\n;;\nSELECT 'tail; no semicolon'")
    assert len(statements) == 7
    assert statements[-2].startswith("CREATE TRIGGER")
    assert statements[-2].endswith("END;")
    assert statements[-1] == "SELECT 'tail; no semicolon'"


# -- transactions ------------------------------------------------------------------------


async def test_a_transaction_commits(db: SqliteDatabase) -> None:
    async with db.transaction() as tx:
        assert await tx.execute("INSERT INTO members (id, name) VALUES (1, 'ann')") == 1
        assert await tx.execute("UPDATE members SET name = :n", {"n": "Ann"}) == 1
    assert await db.fetch_all("SELECT id, name FROM members") == [{"id": 1, "name": "Ann"}]


async def test_a_transaction_rolls_back_on_exception(db: SqliteDatabase) -> None:
    class Boom(Exception):
        pass

    async def insert_then_fail() -> Executor:
        async with db.transaction() as tx:
            await tx.execute("INSERT INTO members (id, name) VALUES (1, 'ann')")
            raise Boom(tx)

    with pytest.raises(Boom) as caught:
        await insert_then_fail()
    [tx] = caught.value.args
    assert await db.fetch_all("SELECT * FROM members") == []
    # The database is usable afterwards, and the old executor is not.
    async with db.transaction() as tx2:
        await tx2.execute("INSERT INTO members (id, name) VALUES (2, 'bo')")
    with pytest.raises(RuntimeError, match="already finished"):
        await tx.execute("SELECT 1")
    assert await db.fetch_one("SELECT COUNT(*) AS n FROM members") == {"n": 1}


async def test_concurrent_read_modify_write_loses_no_update(db: SqliteDatabase) -> None:
    async def bump(times: int) -> None:
        for _ in range(times):
            async with db.transaction() as tx:
                row = await tx.fetch_one("SELECT value FROM counters WHERE name = 'hits'")
                assert row is not None
                await asyncio.sleep(0)  # invite the other task in between read and write
                await tx.execute(
                    "UPDATE counters SET value = :v WHERE name = 'hits'", {"v": row["value"] + 1}
                )

    await asyncio.gather(bump(50), bump(50))
    assert await db.fetch_one("SELECT value FROM counters") == {"value": 100}


async def test_two_connections_to_one_file_lose_no_update(
    db: SqliteDatabase, db_path: Path, migrations_dir: Path
) -> None:
    other = SqliteDatabase(db_path, load_migrations(migrations_dir))
    await other.connect()

    async def bump(database: Database) -> None:
        for _ in range(25):
            async with database.transaction() as tx:
                row = await tx.fetch_one("SELECT value FROM counters")
                assert row is not None
                await asyncio.sleep(0.001)  # let the other connection try to get in
                await tx.execute("UPDATE counters SET value = :v", {"v": row["value"] + 1})

    try:
        await asyncio.gather(bump(db), bump(other))
    finally:
        await other.close()
    assert await db.fetch_one("SELECT value FROM counters") == {"value": 50}


async def test_writes_wait_for_an_open_transaction(db: SqliteDatabase) -> None:
    inserted, release = asyncio.Event(), asyncio.Event()

    async def writer() -> None:
        async with db.transaction() as tx:
            await tx.execute("INSERT INTO members (id, name) VALUES (1, 'ann')")
            inserted.set()
            await release.wait()

    writing = asyncio.create_task(writer())
    await inserted.wait()
    updating = asyncio.create_task(db.execute("UPDATE members SET name = 'Ann'"))
    await asyncio.sleep(0.05)
    try:
        assert not updating.done()
    finally:
        release.set()
        await writing
    assert await updating == 1


async def test_reads_see_committed_data_without_waiting_for_a_transaction(
    db: SqliteDatabase,
) -> None:
    inserted, release = asyncio.Event(), asyncio.Event()

    async def writer() -> None:
        async with db.transaction() as tx:
            await tx.execute("INSERT INTO members (id, name) VALUES (1, 'ann')")
            inserted.set()
            await release.wait()

    writing = asyncio.create_task(writer())
    await inserted.wait()
    try:
        async with asyncio.timeout(2):
            assert await db.fetch_one("SELECT COUNT(*) AS n FROM members") == {"n": 0}
            assert await db.fetch_all("SELECT name FROM members") == []
            assert await db.schema_version() == 1
    finally:
        release.set()
        await writing
    assert await db.fetch_one("SELECT COUNT(*) AS n FROM members") == {"n": 1}


async def test_in_memory_reads_wait_for_an_open_transaction(migrations_dir: Path) -> None:
    """One connection only (a second would be another database), so reads queue."""
    database = SqliteDatabase(None, load_migrations(migrations_dir))
    await database.connect()
    inserted, release = asyncio.Event(), asyncio.Event()

    async def writer() -> None:
        async with database.transaction() as tx:
            await tx.execute("INSERT INTO members (id, name) VALUES (1, 'ann')")
            inserted.set()
            await release.wait()

    writing = asyncio.create_task(writer())
    await inserted.wait()
    reading = asyncio.create_task(database.fetch_one("SELECT COUNT(*) AS n FROM members"))
    await asyncio.sleep(0.05)
    try:
        assert not reading.done()
    finally:
        release.set()
        await writing
    assert await reading == {"n": 1}
    await database.close()


async def test_a_write_through_a_read_is_refused_as_a_bug(db: SqliteDatabase) -> None:
    with pytest.raises(RuntimeError, match="inside transaction"):
        await db.fetch_one("INSERT INTO members (id, name) VALUES (1, 'ann') RETURNING id")
    assert await db.fetch_all("SELECT * FROM members") == []
    async with db.transaction() as tx:
        row = await tx.fetch_one("INSERT INTO members (id, name) VALUES (1, 'a') RETURNING id")
    assert row == {"id": 1}


@pytest.mark.parametrize(
    "misuse",
    [
        lambda db: db.transaction().__aenter__(),
        lambda db: db.execute("SELECT 1"),
        lambda db: db.fetch_all("SELECT 1"),
        lambda db: db.fetch_one("SELECT 1"),
        lambda db: db.schema_version(),
        lambda db: db.close(),
    ],
    ids=["transaction", "execute", "fetch_all", "fetch_one", "schema_version", "close"],
)
async def test_reentering_the_database_inside_a_transaction_raises(
    db: SqliteDatabase, misuse: Callable[[SqliteDatabase], Any]
) -> None:
    async def misuse_inside_a_transaction() -> None:
        async with db.transaction() as tx:
            await tx.execute("INSERT INTO members (id, name) VALUES (1, 'ann')")
            async with asyncio.timeout(2):  # same task (wait_for would start another)
                await misuse(db)

    with pytest.raises(RuntimeError, match="inside a transaction"):
        await misuse_inside_a_transaction()
    assert await db.fetch_all("SELECT * FROM members") == []


async def test_rows_are_read_only_mappings(db: SqliteDatabase) -> None:
    await db.execute("INSERT INTO members (id, name) VALUES (:id, :name)", {"id": 7, "name": "x"})
    rows = await db.fetch_all("SELECT id, name FROM members")
    [row] = rows
    assert row["name"] == "x"
    assert "id" in row
    assert dict(row) == {"id": 7, "name": "x"}
    with pytest.raises(TypeError):
        row["name"] = "y"  # type: ignore[index]
    assert await db.fetch_one("SELECT * FROM members WHERE id = :id", {"id": 8}) is None
    assert await db.execute("DELETE FROM members") == 1
    assert await db.execute("CREATE TABLE t (x)") == 0


async def test_data_persists_across_close_and_reopen(db_path: Path, migrations_dir: Path) -> None:
    database = SqliteDatabase(db_path, load_migrations(migrations_dir))
    await database.connect()
    async with database.transaction() as tx:
        await tx.execute("INSERT INTO members (id, name) VALUES (1, 'ann')")
    await database.close()
    await database.close()  # idempotent
    with pytest.raises(RuntimeError, match="not connected"):
        await database.fetch_all("SELECT 1")

    await database.connect()  # the same object can reconnect
    try:
        assert await database.fetch_all("SELECT name FROM members") == [{"name": "ann"}]
    finally:
        await database.close()


# -- operator errors -----------------------------------------------------------------------


async def test_a_file_that_is_not_a_database_is_refused(tmp_path: Path) -> None:
    bogus = tmp_path / "notes.db"
    bogus.write_bytes(b"These are my meeting notes, not a database. " * 100)
    threads_before = threading.active_count()
    with pytest.raises(StorageError, match="not a SQLite database"):
        await SqliteDatabase(bogus, []).connect()
    await assert_threads_back_to(threads_before)
    assert bogus.read_bytes().startswith(b"These are my meeting notes")


async def test_a_directory_or_unwritable_place_is_refused(tmp_path: Path) -> None:
    with pytest.raises(StorageError, match="not a file"):
        await SqliteDatabase(tmp_path, []).connect()
    blocker = tmp_path / "file"
    blocker.write_text("x")
    with pytest.raises(StorageError, match="Cannot create the directory"):
        await SqliteDatabase(blocker / "sub" / "bot.db", []).connect()


# -- load_migrations -----------------------------------------------------------------------


def test_load_migrations_reads_names_and_ignores_other_files(migrations_dir: Path) -> None:
    write(migrations_dir, {"0002_audit_trail.sql": AUDIT})
    assert load_migrations(migrations_dir) == [
        Migration(1, "members and memberships", MEMBERS),
        Migration(2, "audit trail", AUDIT),
    ]


@pytest.mark.parametrize(
    ("files", "message"),
    [
        ({"0001_a.sql": "", "0003_c.sql": ""}, "expected 0002 but found 0003"),
        ({"0002_b.sql": ""}, "expected 0001 but found 0002"),
        ({"0001_a.sql": "", "0001_b.sql": ""}, "used twice"),
        ({"0001_a.sql": "", "2_b.sql": ""}, "not named like"),
        ({"0001_Has Spaces.sql": ""}, "not named like"),
        ({"0001_.sql": ""}, "not named like"),
    ],
)
def test_load_migrations_rejects_bad_sets(
    tmp_path: Path, files: dict[str, str], message: str
) -> None:
    with pytest.raises(StorageError, match=message):
        load_migrations(write(tmp_path / "m", files))


def test_load_migrations_needs_a_directory(tmp_path: Path) -> None:
    with pytest.raises(StorageError, match="does not exist"):
        load_migrations(tmp_path / "missing")


# -- open_database ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("sqlite:///:memory:", None),
        ("sqlite:///data/bot.db", "BASE/data/bot.db"),
        ("sqlite:////srv/peercircle/bot.db", "/srv/peercircle/bot.db"),
    ],
)
def test_open_database_url_forms(tmp_path: Path, url: str, expected: str | None) -> None:
    database = open_database(url, tmp_path, [])
    assert isinstance(database, SqliteDatabase)
    wanted = None if expected is None else Path(expected.replace("BASE", str(tmp_path)))
    assert database.path == wanted


@pytest.mark.parametrize("url", ["postgresql://u:secret@host/db", "postgres://host:5433/db"])
def test_open_database_builds_a_postgres_database_without_showing_the_password(
    tmp_path: Path, url: str
) -> None:
    database = open_database(url, tmp_path, [])
    assert isinstance(database, PostgresDatabase)
    assert "secret" not in repr(database)
    assert "secret" not in repr(database.address)
    assert database.address.shown in ("postgresql://u@host/db", "postgres://host:5433/db")


@pytest.mark.parametrize(
    "url", ["mysql://u:secret@host/db", "sqlite://bot.db", "sqlite:///", "bot.db", ""]
)
def test_open_database_names_the_accepted_forms(tmp_path: Path, url: str) -> None:
    with pytest.raises(StorageError) as caught:
        open_database(url, tmp_path, [])
    message = str(caught.value)
    assert "sqlite:///:memory:" in message
    assert "sqlite:////absolute/path.sqlite3" in message
    assert "secret" not in message


async def test_an_opened_url_connects_and_migrates(tmp_path: Path, migrations_dir: Path) -> None:
    database = open_database("sqlite:///state/bot.db", tmp_path, load_migrations(migrations_dir))
    await database.connect()
    try:
        assert await database.schema_version() == 1
    finally:
        await database.close()
    assert (tmp_path / "state" / "bot.db").is_file()
