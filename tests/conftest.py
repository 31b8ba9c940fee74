from __future__ import annotations

import os
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import pytest

from tests.engines import (
    ENGINES,
    SKIP_REASON,
    Engine,
    PostgresServer,
    TestPlaces,
    new_name,
    run_aside,
    use_engine,
)
from tests.harness import Harness, write_config


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers",
        "both_engines: run the test on SQLite and on PostgreSQL (ids end [sqlite] and "
        "[postgres]; see tests/engines.py)",
    )
    config.addinivalue_line(
        "markers",
        "sqlite_only(reason): in a module on both engines, this test runs on SQLite alone "
        "(it is about SQLite, or about what PostgreSQL does not promise; say which)",
    )


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    definition = metafunc.definition
    if (
        "engine" in metafunc.fixturenames
        and definition.get_closest_marker("both_engines")
        and not definition.get_closest_marker("sqlite_only")
    ):
        metafunc.parametrize("engine", ENGINES, indirect=True)


def pytest_runtest_setup(item: pytest.Item) -> None:
    """Without a server, every PostgreSQL test is skipped from here, so the summary
    folds them into one line with the reason (a skip from a fixture is one per test)."""
    callspec = getattr(item, "callspec", None)
    on_postgres = callspec is not None and callspec.params.get("engine") == "postgres"
    wanted = on_postgres or "postgres_server" in getattr(item, "fixturenames", ())
    if wanted and PostgresServer.from_environment() is None:
        pytest.skip(SKIP_REASON)


@pytest.fixture(scope="session")
def postgres_server() -> Iterator[PostgresServer]:
    """The test PostgreSQL server (tests needing it are skipped without one). A password
    in its address is handed to every connection as PGPASSWORD."""
    server = PostgresServer.from_environment()
    if server is None:
        pytest.skip(SKIP_REASON)
    previous = os.environ.get("PGPASSWORD")
    if server.password is not None:
        os.environ["PGPASSWORD"] = server.password
    yield server
    if server.password is not None:
        if previous is None:
            os.environ.pop("PGPASSWORD", None)
        else:
            os.environ["PGPASSWORD"] = previous


@pytest.fixture(scope="session")
def postgres_places(postgres_server: PostgresServer) -> Iterator[TestPlaces]:
    """A database for this test session's places (schemas), dropped at the end."""
    places = TestPlaces(postgres_server, new_name(f"pc_tests{os.getpid()}_"))
    run_aside(lambda: postgres_server.create_database(places.database))
    yield places
    run_aside(lambda: postgres_server.drop_database(places.database))


@pytest.fixture(autouse=True)
def engine(request: pytest.FixtureRequest) -> Iterator[Engine]:
    """The storage engine this test runs on: SQLite, unless the test is marked
    ``both_engines`` (then once on each). On PostgreSQL, each place the test uses is a
    schema with no rows, emptied again after it."""
    if getattr(request, "param", "sqlite") == "sqlite":
        yield Engine("sqlite")
        return
    current = Engine("postgres", request.getfixturevalue("postgres_places"))
    undo = use_engine(current)
    try:
        yield current
    finally:
        undo()
        run_aside(current.give_back)


@pytest.fixture
async def harness(tmp_path: Path) -> AsyncIterator[Harness]:
    """The whole core with in-memory SQLite (an empty PostgreSQL schema when the test
    runs on both engines); group "circle" has 2 seats."""
    opened = await Harness.open(write_config(tmp_path))
    yield opened
    await opened.close()
