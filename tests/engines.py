"""Both storage engines for the tests: SQLite, and PostgreSQL places made for one test.

A test module marked ``pytestmark = pytest.mark.both_engines`` runs each of its tests
twice, with ids ending ``[sqlite]`` and ``[postgres]`` (the ``engine`` fixture in
tests/conftest.py). On PostgreSQL, every SQLite address the test writes into a config
(``write_config(storage_url="sqlite:///bot.db")``, the in-memory default, a
``database_path``) becomes a place of its own, created for this test and dropped after
it: the same file name is the same place (a restart finds its data), another name or
``:memory:`` is another one. So a test reads the same on both engines. A place is a
migrated schema with no rows, in a database the session creates (with ``C`` collation,
so text sorts as in SQLite) and drops at its end; after a test its schemas are emptied
for the next.

PostgreSQL tests run when ``PEERCIRCLE_TEST_POSTGRES_URL`` names a server and a user
that may create databases (``postgresql://postgres@127.0.0.1:5432/postgres``); without it
they are skipped, with that reason. A password in it is handed over as ``PGPASSWORD``,
never written into a config file.
"""

from __future__ import annotations

import asyncio
import itertools
import os
import secrets
import sqlite3
import threading
from collections.abc import Callable, Coroutine
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar
from urllib.parse import urlsplit, urlunsplit

import asyncpg

from bot.app import MIGRATIONS_DIR
from bot.storage import load_migrations, open_database, sqlite_location

POSTGRES_URL_VARIABLE = "PEERCIRCLE_TEST_POSTGRES_URL"
SKIP_REASON = (
    f"PostgreSQL tests need {POSTGRES_URL_VARIABLE}, e.g. "
    "postgresql://postgres@127.0.0.1:5432/postgres (a user that may CREATE DATABASE); "
    ".ci/run sets it when a server answers on 127.0.0.1:5432"
)
ENGINES = ("sqlite", "postgres")
_counter = itertools.count()
MIGRATIONS = load_migrations(MIGRATIONS_DIR)
T = TypeVar("T")


def run_aside(make: Callable[[], Coroutine[Any, Any, T]]) -> T:
    """Run a coroutine to its end on a loop of its own, from synchronous code that may
    itself be running inside an event loop (``write_config`` inside an async test)."""
    result: list[T] = []
    failure: list[BaseException] = []

    def work() -> None:
        try:
            result.append(asyncio.run(make()))
        except BaseException as error:  # handed to the caller
            failure.append(error)

    thread = threading.Thread(target=work, name="postgres-admin")
    thread.start()
    thread.join()
    if failure:
        raise failure[0]
    return result[0]


@dataclass(frozen=True)
class PostgresServer:
    """The server ``PEERCIRCLE_TEST_POSTGRES_URL`` names: ``admin`` is its address (a
    database to connect to for CREATE DATABASE and DROP DATABASE)."""

    admin: str

    @classmethod
    def from_environment(cls) -> PostgresServer | None:
        url = os.environ.get(POSTGRES_URL_VARIABLE, "").strip()
        return cls(url) if url else None

    @property
    def password(self) -> str | None:
        return urlsplit(self.admin).password

    def url_of(self, database: str, schema: str | None = None) -> str:
        """``postgresql://user@host:port/<database>[?search_path=<schema>]``, without the
        password (that is PGPASSWORD)."""
        parts = urlsplit(self.admin)
        user = f"{parts.username}@" if parts.username else ""
        port = f":{parts.port}" if parts.port else ""
        query = f"search_path={schema}" if schema else ""
        return urlunsplit(
            ("postgresql", f"{user}{parts.hostname}{port}", f"/{database}", query, "")
        )

    async def run(self, *statements: str, database: str | None = None) -> None:
        """Run ``statements`` as the admin user (in ``database``, else the admin one)."""
        address = self.admin if database is None else self.url_of(database)
        conn = await asyncpg.connect(address)
        try:
            for statement in statements:
                await conn.execute(statement)
        finally:
            await conn.close()

    async def create_database(self, database: str) -> None:
        """An empty database that sorts text by code point, as SQLite does."""
        await self.run(
            f"CREATE DATABASE \"{database}\" TEMPLATE template0 ENCODING 'UTF8'"
            " LC_COLLATE 'C' LC_CTYPE 'C'"
        )

    async def drop_database(self, database: str) -> None:
        await self.run(f'DROP DATABASE IF EXISTS "{database}" WITH (FORCE)')


# Emptying a used schema for the next test: far quicker than making and migrating a new
# one. Deleting with triggers off (replica role) needs a superuser; TRUNCATE does not.
_EMPTY_AS_SUPERUSER = """
DO $$
DECLARE found record;
BEGIN
    SET LOCAL session_replication_role = replica;
    FOR found IN SELECT tablename FROM pg_tables
                 WHERE schemaname = current_schema() AND tablename <> 'schema_migrations' LOOP
        EXECUTE format('DELETE FROM %I', found.tablename);
    END LOOP;
    FOR found IN SELECT sequencename FROM pg_sequences
                 WHERE schemaname = current_schema() LOOP
        EXECUTE format('ALTER SEQUENCE %I RESTART', found.sequencename);
    END LOOP;
END $$;
"""
_EMPTY_AS_OWNER = """
DO $$
DECLARE names text;
BEGIN
    SELECT string_agg(format('%I', tablename), ', ') INTO names FROM pg_tables
    WHERE schemaname = current_schema() AND tablename <> 'schema_migrations';
    IF names IS NOT NULL THEN
        EXECUTE 'TRUNCATE ' || names || ' RESTART IDENTITY CASCADE';
    END IF;
END $$;
"""


@dataclass
class TestPlaces:
    """The database this test session made on the server (dropped at its end), and the
    schemas in it. A test place is a schema (``?search_path=`` in its address): a
    migrated one is emptied after a test and handed to the next, which is much quicker
    than making and migrating another."""

    server: PostgresServer
    database: str
    free: list[str] = field(default_factory=list)

    def url_of(self, schema: str) -> str:
        return self.server.url_of(self.database, schema)

    async def take(self, label: str, *, migrated: bool) -> str:
        """A migrated schema with no rows (or, unless ``migrated``, an empty one)."""
        if migrated and self.free:
            return self.free.pop()
        schema = new_name("t", label)
        await self.server.run(f'CREATE SCHEMA "{schema}"', database=self.database)
        if migrated:
            database = open_database(self.url_of(schema), Path("."), MIGRATIONS)
            await database.connect()
            await database.close()
        return schema

    async def give_back(self, schema: str, *, migrated: bool) -> None:
        """Empty a migrated schema for the next test; drop any other."""
        conn = await asyncpg.connect(self.url_of(schema), server_settings={"lock_timeout": "5s"})
        try:
            if migrated:
                try:
                    await conn.execute(f"BEGIN; {_EMPTY_AS_SUPERUSER} COMMIT;")
                except asyncpg.InsufficientPrivilegeError:
                    await conn.execute("ROLLBACK")
                    await conn.execute(_EMPTY_AS_OWNER)
                self.free.append(schema)
            else:
                await conn.execute(f'DROP SCHEMA "{schema}" CASCADE')
        finally:
            await conn.close()


def new_name(prefix: str, label: str = "") -> str:
    tail = "".join(c for c in label.lower() if c.isalnum())[:20]
    return f"{prefix}{next(_counter)}_{secrets.token_hex(3)}{'_' + tail if tail else ''}"


@dataclass
class Engine:
    """The engine a test runs on, and the PostgreSQL places (schemas) it took."""

    name: str
    places: TestPlaces | None = None
    taken: dict[str, tuple[str, bool]] = field(default_factory=dict)  # -> (schema, migrated)

    @property
    def is_postgres(self) -> bool:
        return self.name == "postgres"

    def storage_url(self, sqlite_url: str, base_dir: Path) -> str:
        """What a config written for ``sqlite_url`` should use on this engine."""
        if not self.is_postgres or not sqlite_url.startswith("sqlite:"):
            return sqlite_url
        path = sqlite_location(sqlite_url, base_dir)
        key = f"memory:{len(self.taken)}" if path is None else str(path.resolve())
        if key not in self.taken:
            self.taken[key] = (self._take(path.stem if path else "memory", True), True)
        return self._places().url_of(self.taken[key][0])

    def url(self, label: str = "", *, migrated: bool = True) -> str:
        """A new place's address on this engine, with no rows (SQLite: in memory);
        without ``migrated``, a PostgreSQL schema with no tables either."""
        if not self.is_postgres:
            return "sqlite:///:memory:"
        schema = self._take(label, migrated)
        self.taken[f"extra:{schema}"] = (schema, migrated)
        return self._places().url_of(schema)

    def _take(self, label: str, migrated: bool) -> str:
        places = self._places()
        return run_aside(lambda: places.take(label, migrated=migrated))

    def _places(self) -> TestPlaces:
        assert self.places is not None, "only a PostgreSQL engine has places"
        return self.places

    async def give_back(self) -> None:
        """After the test: every place it took is emptied for the next one (or dropped)."""
        places, taken = self.places, list(self.taken.values())
        self.taken.clear()
        for schema, migrated in taken:
            assert places is not None
            await places.give_back(schema, migrated=migrated)


async def read_every_table(url: str) -> dict[str, list[tuple[object, ...]]]:
    """Every row of every table in a PostgreSQL place, all columns, as committed."""
    conn = await asyncpg.connect(url)
    try:
        names = [
            str(row["tablename"])
            for row in await conn.fetch(
                "SELECT tablename FROM pg_tables WHERE schemaname = current_schema()"
            )
        ]
        return {
            name: [tuple(row.values()) for row in await conn.fetch(f'SELECT * FROM "{name}"')]
            for name in names
        }
    finally:
        await conn.close()


def every_table(path: Path) -> dict[str, list[tuple[object, ...]]]:
    """Every row of every table in the SQLite file at ``path``, or, in a test running on
    PostgreSQL, in the place standing for that file."""
    engine = current_engine()
    if engine.is_postgres:
        url = engine.storage_url(f"sqlite:///{path.resolve()}", path.parent)
        return run_aside(lambda: read_every_table(url))
    with sqlite3.connect(f"file:{path}?mode=ro", uri=True) as conn:
        names = [
            str(row[0])
            for row in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")
        ]
        tables = {name: conn.execute(f'SELECT * FROM "{name}"').fetchall() for name in names}
    conn.close()
    return tables


def columns_of(path: Path, table: str) -> list[str]:
    """The columns of ``table``, in order (SQLite file at ``path``, or its stand-in)."""
    engine = current_engine()
    if engine.is_postgres:
        url = engine.storage_url(f"sqlite:///{path.resolve()}", path.parent)

        async def read() -> list[str]:
            conn = await asyncpg.connect(url)
            try:
                rows = await conn.fetch(
                    "SELECT column_name FROM information_schema.columns WHERE table_name = $1"
                    " AND table_schema = current_schema() ORDER BY ordinal_position",
                    table,
                )
            finally:
                await conn.close()
            return [str(row["column_name"]) for row in rows]

        return run_aside(read)
    with sqlite3.connect(path) as conn:
        found = [str(row[1]) for row in conn.execute(f"PRAGMA table_info({table})")]
    conn.close()
    return found


_SQLITE = Engine("sqlite")
_current: list[Engine] = [_SQLITE]


def current_engine() -> Engine:
    """The engine of the test running now (SQLite unless it runs on both)."""
    return _current[-1]


def use_engine(engine: Engine) -> Callable[[], None]:
    """Make ``engine`` the current one; returns the undo."""
    _current.append(engine)
    return lambda: _current.remove(engine)


__all__ = [
    "ENGINES",
    "POSTGRES_URL_VARIABLE",
    "SKIP_REASON",
    "Engine",
    "PostgresServer",
    "TestPlaces",
    "columns_of",
    "current_engine",
    "every_table",
    "new_name",
    "read_every_table",
    "run_aside",
    "use_engine",
]
