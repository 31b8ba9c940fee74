"""The floor of part 2: bare discord.py doing PeerCircle's database work, nothing else.

    DISCORD_TOKEN=... python -m bench.discord_floor --api URL --gateway URL --guild ID \\
        --config CONFIG

The bare bot (``bench.discord_bare``: the same commands, the same fixed answer), which
before each answer runs the SQL statements PeerCircle's core runs for that command (as
its SQLite trace shows them), with the standard library's ``sqlite3`` on the event
loop's thread, on a database PeerCircle made from ``CONFIG`` (its migrations and its
groups, set up before the bot connects) and with PeerCircle's settings (WAL,
``synchronous = NORMAL``):

- ``/groups``: the groups' seat counts;
- ``/join <group>``: BEGIN IMMEDIATE, the group's seat lock with its counts, the member
  remembered, their membership looked up, a seat (or a place in line) and its count,
  COMMIT;
- ``/next``: the member's memberships.

No dispatcher, no domain, no rendering: what any bot doing PeerCircle's work, durably,
must at least pay on top of discord.py. Its ratio to the bare bot is the ceiling of
PeerCircle's; PeerCircle's ratio to it is what PeerCircle's own code costs beyond that.
It runs until SIGTERM.
"""

from __future__ import annotations

import asyncio
import sqlite3
import time
from pathlib import Path

from bench.discord_bare import arguments, serve
from bot.app import BotApp
from bot.config import load_settings
from groups.membership_repo import MEMBERSHIP_ROWS

GROUPS = "SELECT slug AS group_slug, seated_count AS seated, waiting_count AS waiting FROM groups g"
SEAT_LOCK = (
    "UPDATE groups SET seat_version = seat_version + 1 WHERE slug = :slug"
    " RETURNING seated_count, waiting_count"
)
REMEMBER = (
    "INSERT INTO members (platform, user_id, display_name, first_seen, last_seen)"
    " VALUES ('discord', :user, :name, :now, :now) ON CONFLICT (platform, user_id)"
    " DO UPDATE SET display_name = excluded.display_name, last_seen = excluded.last_seen"
)
MEMBERSHIPS = MEMBERSHIP_ROWS + " WHERE m.platform = 'discord' AND m.user_id = :user"
ADD = (
    "INSERT INTO memberships"
    " (group_id, platform, user_id, status, queue_seq, joined_at, seated_at)"
    " VALUES ((SELECT id FROM groups WHERE slug = :slug), 'discord', :user, :status,"
    " (SELECT COALESCE(MAX(queue_seq), 0) + 1 FROM memberships"
    "  WHERE group_id = (SELECT id FROM groups WHERE slug = :slug)), :now, :now)"
)
COUNTED = {
    "seated": "UPDATE groups SET seated_count = seated_count + 1 WHERE slug = :slug",
    "waitlisted": "UPDATE groups SET waiting_count = waiting_count + 1 WHERE slug = :slug",
}


class DatabaseWork:
    """PeerCircle's statements for each command, on one ``sqlite3`` connection."""

    def __init__(self, path: Path, capacity: dict[str, int]) -> None:
        self._capacity = capacity
        self._conn = sqlite3.connect(str(path), isolation_level=None)
        for pragma in ("journal_mode = WAL", "synchronous = NORMAL", "foreign_keys = ON"):
            self._conn.execute(f"PRAGMA {pragma}").close()

    def __call__(self, command: str, member: int, group: str | None) -> object:
        user = str(member)
        if command == "groups":
            return self._conn.execute(GROUPS).fetchall()
        if command == "next":
            return self._conn.execute(MEMBERSHIPS + " ORDER BY g.slug", {"user": user}).fetchall()
        return self._join(user, group or "")

    def _join(self, user: str, slug: str) -> str:
        db, now = self._conn, int(time.time() * 1000)
        db.execute("BEGIN IMMEDIATE")
        try:
            seated, _ = db.execute(SEAT_LOCK, {"slug": slug}).fetchone()
            db.execute(REMEMBER, {"user": user, "name": f"member {user}", "now": now})
            mine = {"user": user, "slug": slug}
            found = db.execute(MEMBERSHIPS + " AND g.slug = :slug", mine).fetchall()
            status = "seated" if seated < self._capacity[slug] else "waitlisted"
            if not found:
                db.execute(ADD, {**mine, "status": status, "now": now})
                db.execute(COUNTED[status], {"slug": slug})
            db.execute("COMMIT")
        except BaseException:
            db.execute("ROLLBACK")
            raise
        return status


async def _prepared(config: Path) -> DatabaseWork:
    """PeerCircle's database for ``config`` (migrated, its groups written), ready."""
    app = await BotApp.open(load_settings(config))
    try:
        path = app.settings.sqlite_path()
        capacity = {group.slug: group.capacity for group in app.directory.all()}
    finally:
        await app.close()
    assert path is not None, "the floor needs a SQLite file"
    return DatabaseWork(path, capacity)


def main(argv: list[str] | None = None) -> int:
    parser = arguments("python -m bench.discord_floor", __doc__)
    parser.add_argument("--config", type=Path, required=True, help="a `peercircle run` config")
    args = parser.parse_args(argv)
    asyncio.run(serve(args, asyncio.run(_prepared(args.config))))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
