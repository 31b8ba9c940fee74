"""How much the PeerCircle core costs over bare aiosqlite for the same sign-up work.

Runs N members through /join then /leave via the real dispatcher (text parsing, role
check, group matching, one transaction each, catalog replies) on a SQLite file, then
performs the same SQL with bare aiosqlite. Prints operations per second, peak traced
memory, and the ratio. Usage: python -m bench.signups [N]
"""

from __future__ import annotations

import asyncio
import sys
import tempfile
import time
import tracemalloc
from collections.abc import Callable, Coroutine
from datetime import UTC, datetime
from pathlib import Path

import aiosqlite

from bot.app import MIGRATIONS_DIR, BotApp
from bot.config import load_settings
from bot.events import Actor, Place, TextReceived

CONFIG = """
[bot]
timezone = "Europe/London"
[storage]
url = "sqlite:///bench.sqlite3"
[[groups]]
slug = "circle"
name = "Bench Circle"
capacity = 500
[groups.schedule]
weekday = "tuesday"
time = "19:00"
"""


async def through_core(directory: Path, members: int) -> None:
    (directory / "bench.toml").write_text(CONFIG, encoding="utf-8")
    app = await BotApp.open(load_settings(directory / "bench.toml", environ={}))
    for n in range(members):
        actor = Actor("console", f"m{n}", f"Member {n}")
        place = Place("console", actor.user_id, private=True)
        for text in ("/join circle", "/leave circle"):
            await app.dispatcher.handle(TextReceived(actor, place, text))
    await app.close()


async def bare_aiosqlite(directory: Path, members: int) -> None:
    async with aiosqlite.connect(directory / "bare.sqlite3", isolation_level=None) as db:
        await db.execute("PRAGMA journal_mode=WAL")
        await db.execute("PRAGMA synchronous=NORMAL")
        for migration in sorted(MIGRATIONS_DIR.glob("*.sql")):
            await db.executescript(migration.read_text())
        for n in range(members):
            await _bare_join(db, str(n))
            await _bare_leave(db, str(n))


async def _bare_join(db: aiosqlite.Connection, user: str) -> None:
    now = datetime.now(UTC).isoformat()
    await db.execute("BEGIN IMMEDIATE")
    await db.execute(
        "INSERT INTO members VALUES ('console', ?, ?, ?, ?) ON CONFLICT DO UPDATE"
        " SET last_seen = excluded.last_seen",
        (user, f"Member {user}", now, now),
    )
    await db.execute_fetchall("SELECT status FROM memberships WHERE user_id = ?", (user,))
    await db.execute_fetchall("SELECT COUNT(*) FROM memberships WHERE group_slug = 'circle'")
    await db.execute(
        "INSERT INTO memberships VALUES ('circle', 'console', ?, 'seated',"
        " (SELECT COALESCE(MAX(queue_seq), 0) + 1 FROM memberships), ?, ?)",
        (user, now, now),
    )
    await db.execute("COMMIT")


async def _bare_leave(db: aiosqlite.Connection, user: str) -> None:
    await db.execute("BEGIN IMMEDIATE")
    await db.execute_fetchall("SELECT status FROM memberships WHERE user_id = ?", (user,))
    await db.execute("DELETE FROM memberships WHERE user_id = ?", (user,))
    await db.execute_fetchall("SELECT COUNT(*) FROM memberships WHERE group_slug = 'circle'")
    await db.execute("COMMIT")


def measure(
    name: str, work: Callable[[Path, int], Coroutine[None, None, None]], members: int
) -> float:
    """Time one run; trace memory in a second run (tracing slows Python code down)."""
    with tempfile.TemporaryDirectory() as folder:
        started = time.perf_counter()
        asyncio.run(work(Path(folder), members))
        elapsed = time.perf_counter() - started
    with tempfile.TemporaryDirectory() as folder:
        tracemalloc.start()
        asyncio.run(work(Path(folder), members))
        peak = tracemalloc.get_traced_memory()[1]
        tracemalloc.stop()
    rate = 2 * members / elapsed
    print(f"{name:<16} {rate:8.0f} ops/s   {elapsed:6.2f} s   peak {peak / 1e6:5.1f} MB")
    return rate


def main() -> None:
    members = int(sys.argv[1]) if len(sys.argv) > 1 else 1000
    print(f"{members} members, each /join then /leave (SQLite file, WAL)")
    core = measure("peercircle core", through_core, members)
    bare = measure("bare aiosqlite", bare_aiosqlite, members)
    print(f"core / bare throughput: {core / bare:.2f}")


if __name__ == "__main__":
    main()
