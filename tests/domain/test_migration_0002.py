"""Upgrading a database written before groups had a table and instants were integers."""

from __future__ import annotations

import sqlite3
from pathlib import Path

from bot.app import MIGRATIONS_DIR
from bot.storage import SqliteDatabase, load_migrations
from tests.harness import Harness, person, write_config

alice, bob, cara = (person(n) for n in ("alice", "bob", "cara"))


async def _version_one_database(path: Path) -> None:
    first = load_migrations(MIGRATIONS_DIR)[:1]
    database = SqliteDatabase(path, first)
    await database.connect()
    await database.close()
    with sqlite3.connect(path) as db:
        db.executemany(
            "INSERT INTO members VALUES (?, ?, ?, ?, ?)",
            [
                (
                    "console",
                    "alice",
                    "Alice",
                    "2026-03-01T10:00:00+00:00",
                    "2026-03-02T10:00:00+00:00",
                ),
                (
                    "console",
                    "bob",
                    "Bob",
                    "2026-03-01T11:00:00.250000+00:00",
                    "2026-03-01T11:00:00+00:00",
                ),
                (
                    "console",
                    "cara",
                    "Cara",
                    "2026-03-01T12:00:00+01:00",
                    "2026-03-01T12:00:00+01:00",
                ),
            ],
        )
        db.executemany(
            "INSERT INTO memberships VALUES (?, ?, ?, ?, ?, ?, ?)",
            [
                (
                    "circle",
                    "console",
                    "alice",
                    "seated",
                    1,
                    "2026-03-01T10:00:00+00:00",
                    "2026-03-01T10:00:00+00:00",
                ),
                (
                    "circle",
                    "console",
                    "bob",
                    "seated",
                    2,
                    "2026-03-01T11:00:00.250000+00:00",
                    "2026-03-01T11:00:00.250000+00:00",
                ),
                ("circle", "console", "cara", "waitlisted", 3, "2026-03-01T12:00:00+01:00", None),
                (
                    "gone",
                    "console",
                    "cara",
                    "seated",
                    1,
                    "2026-03-01T12:00:00+01:00",
                    "2026-03-01T12:00:00+01:00",
                ),
            ],
        )


async def test_members_seats_and_times_survive_the_upgrade(tmp_path: Path) -> None:
    await _version_one_database(tmp_path / "members.sqlite3")

    harness = await Harness.open(write_config(tmp_path, storage_url="sqlite:///members.sqlite3"))
    cara_groups = await harness.text("/mygroups", as_=cara)
    memberships = await harness.app.membership.memberships_of(cara)
    await harness.say("/leave circle", as_=alice)  # cara is next in line
    await harness.close()

    assert "Tuesday Circle — waiting list, number 1" in cara_groups
    assert "gone — this group isn't running any more" in cara_groups
    joined = {m.group_slug: m.joined_at.isoformat() for m in memberships}
    assert joined == {"circle": "2026-03-01T11:00:00+00:00", "gone": "2026-03-01T11:00:00+00:00"}
    assert len(harness.inbox(cara)) == 1
    with sqlite3.connect(tmp_path / "members.sqlite3") as db:
        bob_joined = db.execute(
            "SELECT joined_at FROM memberships WHERE user_id = 'bob'"
        ).fetchone()[0]
    assert bob_joined == 1772362800250  # 2026-03-01T11:00:00.250Z, to the millisecond
