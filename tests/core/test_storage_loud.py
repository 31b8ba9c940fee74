"""A database that fails loudly, through the real bot: a deleted, replaced, locked or
read-only database file is told apart, refused before anything is confirmed, and named
in the log by its kind (never with member data)."""

from __future__ import annotations

import asyncio
import logging
import os
import re
import sqlite3
import stat
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from bot.replies import Audience, Reply
from bot.storage import StorageError
from tests.harness import Harness, person, write_config

alice, bob, carol = person("alice"), person("bob"), person("carol")
URL = "sqlite:///data/bot.sqlite3"
INCIDENT = re.compile(r"INC-[0-9A-F]{6}")


def database_file(tmp_path: Path) -> Path:
    return tmp_path / "data" / "bot.sqlite3"


async def open_bot(tmp_path: Path, *, busy_timeout_ms: int = 5000) -> Harness:
    config = write_config(tmp_path, storage_url=URL, busy_timeout_ms=busy_timeout_ms)
    return await Harness.open(config)


def refused(harness: Harness, replies: list[Reply]) -> str:
    """The one reply is the storage_unavailable text, only for the writer; its incident id."""
    [reply] = replies
    assert reply.audience is Audience.ONLY_YOU
    found = INCIDENT.search(reply.text)
    assert found is not None
    expected = harness.app.catalog.text("core.storage_unavailable", incident_id=found.group())
    assert reply.text == expected
    assert "/crisis" in reply.text
    return found.group()


def logged(caplog: pytest.LogCaptureFixture, level: int) -> list[str]:
    return [r.getMessage() for r in caplog.records if r.levelno == level]


def assert_no_member_data(caplog: pytest.LogCaptureFixture) -> None:
    for record in caplog.records:
        text = record.getMessage().casefold()
        assert "bob" not in text
        assert "carol" not in text
        assert "insert" not in text  # no SQL either


@pytest.fixture
def restore_modes(tmp_path: Path) -> Iterator[None]:
    """Tests chmod things read-only; make them writable again so tmp_path can be removed."""
    yield
    for path in [tmp_path, *tmp_path.rglob("*")]:
        path.chmod(path.stat().st_mode | stat.S_IWUSR)


# -- the file deleted or replaced under the running bot -----------------------------------


async def test_a_join_after_the_file_was_deleted_is_refused_and_nothing_is_lost_silently(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO)
    bot = await open_bot(tmp_path)
    assert "You're in" in await bot.text("/join circle", as_=alice)
    database_file(tmp_path).unlink()

    incident = refused(bot, await bot.say("/join circle", as_=bob))
    refused(bot, await bot.say("/join carers", as_=carol))
    # Reads keep working from the file that was open.
    assert "Tuesday Circle — you have a seat" in await bot.text("/mygroups", as_=alice)
    await bot.close()

    [critical] = logged(caplog, logging.CRITICAL)  # once, not once per write
    assert f"database file {database_file(tmp_path)} was deleted" in critical
    assert "restart PeerCircle" in critical
    errors = logged(caplog, logging.ERROR)
    assert len(errors) == 2
    assert errors[0].startswith(f"incident {incident} in /join: storage unavailable (gone)")
    assert_no_member_data(caplog)

    restarted = await open_bot(tmp_path)
    mine = await restarted.text("/mygroups", as_=bob)
    await restarted.close()
    assert mine == restarted.app.catalog.text("groups.mine.none")  # and bob was never told


async def test_a_join_after_the_file_was_replaced_is_refused(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    bot = await open_bot(tmp_path)
    other = tmp_path / "other.sqlite3"
    with sqlite3.connect(other) as conn:
        conn.execute("CREATE TABLE unrelated (x)")
    conn.close()
    os.replace(other, database_file(tmp_path))

    incident = refused(bot, await bot.say("/join circle", as_=bob))
    await bot.close()

    [critical] = logged(caplog, logging.CRITICAL)
    assert "was replaced by another file" in critical
    [error] = logged(caplog, logging.ERROR)
    assert error.startswith(f"incident {incident} in /join: storage unavailable (gone)")
    with sqlite3.connect(database_file(tmp_path)) as conn:  # nothing written into it
        names = conn.execute("SELECT name FROM sqlite_master").fetchall()
    conn.close()
    assert names == [("unrelated",)]


# -- another program holds the write lock --------------------------------------------------


async def test_a_held_write_lock_refuses_writes_after_the_busy_timeout_then_clears(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    bot = await open_bot(tmp_path, busy_timeout_ms=200)
    blocker = sqlite3.connect(database_file(tmp_path), isolation_level=None)
    blocker.execute("BEGIN IMMEDIATE")
    try:
        started = time.monotonic()
        incident = refused(bot, await bot.say("/join circle", as_=bob))
        waited = time.monotonic() - started
    finally:
        blocker.execute("ROLLBACK")
        blocker.close()
    assert 0.15 <= waited < 3
    [error] = logged(caplog, logging.ERROR)
    assert error.startswith(f"incident {incident} in /join: storage unavailable (busy)")
    assert "SQLITE_BUSY" in error
    assert_no_member_data(caplog)

    assert "You're in" in await bot.text("/join circle", as_=bob)  # the lock is gone
    await bot.close()


async def test_reads_answer_while_a_write_waits_for_another_programs_lock(
    tmp_path: Path,
) -> None:
    bot = await open_bot(tmp_path, busy_timeout_ms=2000)
    assert "You're in" in await bot.text("/join carers", as_=alice)
    blocker = sqlite3.connect(database_file(tmp_path), isolation_level=None)
    blocker.execute("BEGIN IMMEDIATE")
    try:
        joining = asyncio.create_task(bot.say("/join circle", as_=bob))
        await asyncio.sleep(0.1)  # the join now holds our writer, waiting for the lock
        async with asyncio.timeout(1):
            mine = await bot.text("/mygroups", as_=alice)
        assert not joining.done()
    finally:
        blocker.execute("ROLLBACK")
        blocker.close()
    assert "Carers' Circle — you have a seat" in mine
    assert "You're in" in "\n".join(reply.text for reply in await joining)
    await bot.close()


# -- refused at start: nothing half-works, nothing is left behind ---------------------------
# The bot then starts degraded (tests/core/test_degraded_start.py): /crisis still answers.


async def make_database(tmp_path: Path) -> list[str]:
    """A migrated database, closed again; the folder's entries."""
    bot = await open_bot(tmp_path)
    await bot.say("/join circle", as_=alice)
    await bot.close()
    return sorted(p.name for p in database_file(tmp_path).parent.iterdir())


async def refused_at_start(tmp_path: Path) -> str:
    """Open the bot on a database it must refuse: it starts degraded; the operator's text."""
    bot = await open_bot(tmp_path)
    try:
        problem = bot.app.storage_problem
        crisis = await bot.text("/crisis", as_=alice)
    finally:
        await bot.close()
    assert isinstance(problem, StorageError)
    assert "Samaritans" in crisis
    return str(problem)


@pytest.mark.usefixtures("restore_modes")
async def test_a_read_only_database_file_is_refused_at_start(tmp_path: Path) -> None:
    before = await make_database(tmp_path)
    database_file(tmp_path).chmod(0o444)
    message = await refused_at_start(tmp_path)
    assert f"database file {database_file(tmp_path)}: it is read-only" in message
    assert "chmod u+w" in message
    assert sorted(p.name for p in database_file(tmp_path).parent.iterdir()) == before


@pytest.mark.usefixtures("restore_modes")
async def test_a_read_only_folder_is_refused_at_start(tmp_path: Path) -> None:
    before = await make_database(tmp_path)
    folder = database_file(tmp_path).parent
    folder.chmod(0o555)
    message = await refused_at_start(tmp_path)
    assert f"its folder {folder} is read-only" in message
    assert "bot.sqlite3-wal and bot.sqlite3-shm" in message
    assert sorted(p.name for p in folder.iterdir()) == before


@pytest.mark.usefixtures("restore_modes")
@pytest.mark.parametrize(("suffix", "advice"), [("-shm", "delete it"), ("-wal", "do not delete")])
async def test_a_read_only_working_file_is_refused_at_start(
    tmp_path: Path, suffix: str, advice: str
) -> None:
    await make_database(tmp_path)
    working = database_file(tmp_path).with_name(f"bot.sqlite3{suffix}")
    working.write_bytes(b"")
    working.chmod(0o444)
    before = sorted(p.name for p in working.parent.iterdir())
    message = await refused_at_start(tmp_path)
    assert f"its working file {working} is not writable" in message
    assert advice in message
    assert sorted(p.name for p in working.parent.iterdir()) == before
    assert stat.S_IMODE(working.stat().st_mode) == 0o444
