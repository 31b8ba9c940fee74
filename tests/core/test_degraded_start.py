"""A database that cannot be opened at start: the bot starts degraded, through the real
app. /crisis and /help answer from memory; every member feature says plainly that it is
unavailable right now; the operator is told once; the database is tried again and taken
over when it opens."""

from __future__ import annotations

import logging
import os
import sqlite3
from pathlib import Path

import pytest

from bot.config import load_settings
from bot.replies import Audience
from bot.storage import StorageKind
from tests.adapters.write_lock import WriteLock
from tests.harness import Harness, person, write_config

alice, bob = person("alice"), person("bob")
DEGRADED = "PeerCircle is running WITHOUT its database"
MEMBER_FEATURES = ["/join circle", "/mygroups", "/groups", "/leave circle", "/settings"]


def database(tmp_path: Path) -> Path:
    return tmp_path / "data" / "bot.sqlite3"


async def open_bot(tmp_path: Path, *, busy_timeout_ms: int = 5000) -> Harness:
    config = write_config(
        tmp_path, storage_url="sqlite:///data/bot.sqlite3", busy_timeout_ms=busy_timeout_ms
    )
    return await Harness.open(config)


async def make_database(tmp_path: Path) -> None:
    bot = await open_bot(tmp_path)
    await bot.say("/join circle", as_=alice)
    await bot.close()


def garbage(tmp_path: Path) -> None:
    database(tmp_path).parent.mkdir(parents=True, exist_ok=True)
    database(tmp_path).write_bytes(os.urandom(8192))


def errors(caplog: pytest.LogCaptureFixture) -> list[str]:
    return [r.getMessage() for r in caplog.records if r.levelno >= logging.ERROR]


async def assert_degraded_answers(bot: Harness) -> None:
    """/crisis and /help answer as always; every member feature says it is unavailable."""
    [crisis] = await bot.say("/crisis", as_=alice)
    assert crisis.audience is Audience.ONLY_YOU
    assert "Samaritans: call 116 123" in crisis.text
    assert "Samaritans: call 116 123" in await bot.text("/help", as_=alice)
    unavailable = bot.app.catalog.text("degraded.unavailable")
    for command in MEMBER_FEATURES:
        [reply] = await bot.say(command, as_=alice)
        assert reply.text == unavailable, command
        assert reply.audience is Audience.ONLY_YOU


async def test_a_garbage_file_starts_degraded_and_says_so_once(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    garbage(tmp_path)
    bot = await open_bot(tmp_path)
    try:
        assert bot.app.degraded
        await assert_degraded_answers(bot)
        await assert_degraded_answers(bot)
    finally:
        await bot.close()

    problem = bot.app.storage_problem
    assert problem is not None
    assert problem.kind is StorageKind.CORRUPT
    [told] = errors(caplog)  # once, not once per command: no incident per member feature
    assert told.startswith(DEGRADED)
    assert f"database file {database(tmp_path)}: the file exists but is not a SQLite" in told
    assert "/crisis and /help work as usual" in told
    assert [r for r in caplog.records if r.levelno == logging.WARNING] == []  # not per /crisis


async def test_a_database_folder_that_cannot_be_created_starts_degraded(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    (tmp_path / "data").write_text("a file where the folder should be", encoding="utf-8")
    bot = await open_bot(tmp_path)
    try:
        await assert_degraded_answers(bot)
        problem = bot.app.storage_problem
    finally:
        await bot.close()

    assert problem is not None
    assert problem.kind is StorageKind.IO
    [told] = errors(caplog)
    assert f"Cannot create the directory {tmp_path / 'data'} for the database" in told
    assert "is a file in the way of a folder" in told


async def test_a_newer_schema_starts_degraded_and_changes_nothing(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    await make_database(tmp_path)
    with sqlite3.connect(database(tmp_path)) as conn:
        conn.execute("INSERT INTO schema_migrations VALUES (99, 'from the future', '2030')")
    conn.close()
    bot = await open_bot(tmp_path)
    try:
        await assert_degraded_answers(bot)
        problem = bot.app.storage_problem
    finally:
        await bot.close()

    assert problem is not None
    assert problem.kind is StorageKind.TOO_NEW
    [told] = errors(caplog)
    assert "uses schema version 99" in told
    assert "upgrade PeerCircle" in told
    with sqlite3.connect(database(tmp_path)) as conn:  # alice's seat is still there
        assert conn.execute("SELECT COUNT(*) FROM memberships").fetchone() == (1,)
    conn.close()


async def test_a_locked_database_starts_degraded_then_is_taken_over_when_free(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO)
    await make_database(tmp_path)
    with WriteLock(database(tmp_path)):
        bot = await open_bot(tmp_path, busy_timeout_ms=50)
        try:
            assert bot.app.storage_problem is not None
            assert bot.app.storage_problem.kind is StorageKind.BUSY
            await assert_degraded_answers(bot)
            assert await bot.app.reopen_storage() is False  # still locked: not told again
        except BaseException:
            await bot.close()
            raise
    try:
        assert await bot.app.reopen_storage() is True
        assert not bot.app.degraded
        mine = await bot.text("/mygroups", as_=alice)
        joined = await bot.text("/join circle", as_=bob)
    finally:
        await bot.close()

    assert "Tuesday Circle — you have a seat" in mine  # the very same data as before
    assert "You're in" in joined
    [told] = errors(caplog)
    assert told.startswith(DEGRADED)
    assert "another program holds its write lock" in told
    assert sum("could be opened after all" in r.getMessage() for r in caplog.records) == 1


async def test_a_later_try_that_fails_differently_is_told_once(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    garbage(tmp_path)
    bot = await open_bot(tmp_path)
    try:
        assert await bot.app.reopen_storage() is False  # the same problem: not told again
        database(tmp_path).chmod(0o444)
        assert await bot.app.reopen_storage() is False
        assert await bot.app.reopen_storage() is False
        database(tmp_path).unlink()  # moved aside: a new, empty database
        assert await bot.app.reopen_storage() is True
        joined = await bot.text("/join circle", as_=alice)
    finally:
        await bot.close()

    first, changed = errors(caplog)
    assert "not a SQLite database" in first
    assert changed.startswith("PeerCircle still runs without its database; the problem is now")
    assert "it is read-only" in changed
    assert "You're in" in joined


async def test_a_reload_while_degraded_is_synced_once_the_database_opens(
    tmp_path: Path,
) -> None:
    garbage(tmp_path)
    bot = await open_bot(tmp_path)
    try:
        config = write_config(tmp_path, capacity=1, storage_url="sqlite:///data/bot.sqlite3")
        await bot.app.reload_groups(load_settings(config, environ={}))
        database(tmp_path).unlink()
        assert await bot.app.reopen_storage() is True
        first = await bot.text("/join circle", as_=alice)
        second = await bot.text("/join circle", as_=bob)
    finally:
        await bot.close()

    assert "You're in" in first
    assert "waiting list" in second  # capacity 1, from the config read while degraded
