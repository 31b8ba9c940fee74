"""SQL for whom a reminder is for, for many groups at once: the only place that asks it
that way. (``ReminderPlanner`` asks each due group the same with the per-group
repositories when it queues; this is its cheap look first, a few queries per tick.)

A member is to be reminded of a meeting when they have a seat in its group, did not
answer "no" for that meeting, and did not turn reminders off in /settings.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from bot.instants import to_epoch_ms
from bot.storage.database import Executor, Row

CHUNK = 400  # groups per query: far below SQLite's and PostgreSQL's parameter limits


class ReminderTargets:
    async def wanted(self, db: Executor, due: Sequence[tuple[str, datetime]]) -> list[set[str]]:
        """For each (group slug, occurrence key) in ``due``: the member keys
        (``platform:user_id``) to remind of it."""
        if not due:
            return []
        slugs = sorted({slug for slug, _ in due})
        since = to_epoch_ms(min(key for _, key in due))
        seated: dict[str, set[str]] = {}
        silenced: set[str] = set()  # member keys with reminders off
        declined: set[tuple[str, int, str]] = set()  # (slug, occurrence, member key)
        for start in range(0, len(slugs), CHUNK):
            chunk = {f"g{n}": slug for n, slug in enumerate(slugs[start : start + CHUNK])}
            among = f"g.slug IN ({', '.join(f':{name}' for name in chunk)})"
            for row in await db.fetch_all(
                "SELECT g.slug, m.platform, m.user_id FROM memberships m"
                f" JOIN groups g ON g.id = m.group_id WHERE m.status = 'seated' AND {among}",
                chunk,
            ):
                seated.setdefault(str(row["slug"]), set()).add(_key(row))
            for row in await db.fetch_all(
                "SELECT s.platform, s.user_id FROM member_settings s JOIN memberships m"
                " ON m.platform = s.platform AND m.user_id = s.user_id"
                f" JOIN groups g ON g.id = m.group_id WHERE s.reminders = 0 AND {among}",
                chunk,
            ):
                silenced.add(_key(row))
            for row in await db.fetch_all(
                "SELECT g.slug, r.occurrence_key, r.platform, r.user_id FROM rsvps r"
                " JOIN groups g ON g.id = r.group_id"
                f" WHERE r.answer = 'no' AND r.occurrence_key >= :since AND {among}",
                {**chunk, "since": since},
            ):
                declined.add((str(row["slug"]), int(row["occurrence_key"]), _key(row)))
        return [
            {
                member
                for member in seated.get(slug, set())
                if member not in silenced and (slug, to_epoch_ms(key), member) not in declined
            }
            for slug, key in due
        ]


def _key(row: Row) -> str:
    return f"{row['platform']}:{row['user_id']}"
