"""peercircle migrate, backup and copy-db: each says what it will do and what it did,
never shows a password, and copy-db moves a populated SQLite deployment into an empty
PostgreSQL database with every row, after which the bot runs on it."""

from __future__ import annotations

import asyncio
import sqlite3
from pathlib import Path

import pytest

from bot.app import MIGRATIONS_DIR
from bot.cli import main
from bot.storage import load_migrations
from tests.domain.checkin_helpers import OPEN_AT, check_in, join_all, open_harness, people
from tests.engines import PostgresServer, every_table, new_name, read_every_table, run_aside
from tests.fakes.clock import FakeClock
from tests.harness import Harness, write_config

COPIED = ("groups", "members", "memberships", "outbox", "rsvps", "member_settings")
CHECKINS = ("checkin_periods", "checkins", "checkin_markers")
LATEST = max(migration.version for migration in load_migrations(MIGRATIONS_DIR))


def test_migrate_says_what_it_will_do_then_does_it(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    config = write_config(tmp_path, storage_url="sqlite:///data/bot.sqlite3")
    assert main(["migrate", "--dry-run", "--config", str(config)]) == 0
    planned = capsys.readouterr().out
    assert "Now: new (no schema yet)" in planned
    assert "Will apply: 0001 members and memberships, 0002" in planned
    assert "Nothing was changed." in planned
    assert not (tmp_path / "data" / "bot.sqlite3").exists()

    assert main(["migrate", "--config", str(config)]) == 0
    done = capsys.readouterr().out
    assert "Applied: 0001 members and memberships" in done
    assert f"The database is now at schema version {LATEST}." in done
    assert main(["migrate", "--config", str(config)]) == 0
    assert "Nothing to do: it is up to date." in capsys.readouterr().out


def test_migrate_refuses_a_newer_database(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    config = write_config(tmp_path, storage_url="sqlite:///bot.sqlite3")
    with sqlite3.connect(tmp_path / "bot.sqlite3") as conn:
        conn.execute("CREATE TABLE schema_migrations (version INTEGER, description, applied_at)")
        conn.execute("INSERT INTO schema_migrations VALUES (99, 'future', 'x')")
    conn.close()
    assert main(["migrate", "--config", str(config)]) == 1
    assert "schema version 99" in capsys.readouterr().err


def test_backup_copies_sqlite_online_and_prints_pg_dump_for_postgres(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    config = write_config(tmp_path, storage_url="sqlite:///bot.sqlite3")
    assert main(["migrate", "--config", str(config)]) == 0
    copy = tmp_path / "copy.sqlite3"
    assert main(["backup", "--config", str(config), str(copy)]) == 0
    assert f"Done: {copy}" in capsys.readouterr().out
    with sqlite3.connect(copy) as conn:
        assert conn.execute("SELECT MAX(version) FROM schema_migrations").fetchone() == (LATEST,)
    conn.close()
    assert main(["backup", "--config", str(config), str(copy)]) == 1  # never overwrites
    assert "already exists" in capsys.readouterr().err

    secret = "postgresql://pc:hunter2@db.example:6432/peercircle"
    monkeypatch.setenv("PEERCIRCLE_STORAGE__URL", secret)
    assert main(["backup", "--config", str(config), "pc.dump"]) == 0
    printed = capsys.readouterr().out
    assert (
        "pg_dump --format=custom --file=pc.dump --host=db.example --port=6432 "
        "--username=pc peercircle" in printed
    )
    assert "hunter2" not in printed


async def _populated(tmp_path: Path) -> dict[str, int]:
    """A SQLite deployment with a row in every table (check-ins still open, so markers
    exist): how many rows each table holds."""
    harness = await open_harness(tmp_path, capacity=3)
    try:
        crowd = people(5)
        await join_all(harness, crowd)  # 3 seated, 2 waiting
        await harness.say("/rsvp circle yes", as_=crowd[0])
        await harness.say("/settings reminders off", as_=crowd[1])
        await harness.say("/leave circle", as_=crowd[2])  # a seat offer in the outbox
        for member in crowd[:2]:
            await check_in(harness, member, 3, "a quiet week")
        await harness.app.delivery.deliver_due(limit=100)
    finally:
        await harness.close()
    counts = {name: len(rows) for name, rows in every_table(tmp_path / "bot.db").items()}
    assert all(counts[name] > 0 for name in (*COPIED, *CHECKINS)), counts
    return counts


async def test_copy_db_moves_every_row_and_the_bot_runs_on_the_copy(
    postgres_server: PostgresServer, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    counts = await _populated(tmp_path / "lite")
    name = new_name("pc_copy")
    run_aside(lambda: postgres_server.create_database(name))
    target = postgres_server.url_of(name)
    source = f"sqlite:///{tmp_path / 'lite' / 'bot.db'}"
    try:
        assert await asyncio.to_thread(main, ["copy-db", source, target]) == 0
        printed = capsys.readouterr().out
        assert f"Done: {sum(counts.values()) - counts['schema_migrations']} rows" in printed
        copied = await read_every_table(target)
        assert {table: len(rows) for table, rows in copied.items()} == counts

        assert await asyncio.to_thread(main, ["copy-db", source, target]) == 1
        assert "already holds data" in capsys.readouterr().err

        (tmp_path / "pg").mkdir()
        config = write_config(tmp_path / "pg", capacity=3, storage_url=target)
        bot = await Harness.open(config, FakeClock(OPEN_AT))
        try:
            crowd = people(5)
            assert "you have a seat" in await bot.text("/mygroups", as_=crowd[0])
            await bot.say("/leave circle", as_=crowd[0])  # a new outbox row, a new id
            assert "a seat has opened up" in bot.inbox(crowd[4])[-1].text
            [thanks] = await check_in(bot, crowd[0], 4)  # she left: no seat, no check-in
            assert "check" in thanks.text.lower()
        finally:
            await bot.close()
    finally:
        run_aside(lambda: postgres_server.drop_database(name))
