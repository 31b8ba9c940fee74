"""SQL for schedule exceptions and RSVPs. The only place that knows these tables."""

from __future__ import annotations

from datetime import datetime

from bot.events import Actor
from bot.instants import from_epoch_ms, to_epoch_ms
from bot.storage.database import Executor, Row
from groups.models import Rsvp
from groups.recurrence import OccurrenceChange

_GROUP_ID = "(SELECT id FROM groups WHERE slug = :slug)"


class MeetingsRepository:
    async def changes(self, db: Executor, slug: str) -> dict[datetime, OccurrenceChange]:
        """Every exception recorded for ``slug``'s occurrences, by occurrence key."""
        rows = await db.fetch_all(
            "SELECT occurrence_key, cancelled, reason, new_start, new_place"
            f" FROM occurrence_changes WHERE group_id = {_GROUP_ID}",
            {"slug": slug},
        )
        return {change.key: change for change in map(_change, rows)}

    async def changes_since(
        self, db: Executor, since: datetime
    ) -> dict[str, dict[datetime, OccurrenceChange]]:
        """Every group's exceptions for occurrences scheduled from ``since`` on, by slug
        and occurrence key: one query for all groups."""
        rows = await db.fetch_all(
            "SELECT g.slug, c.occurrence_key, c.cancelled, c.reason, c.new_start, c.new_place"
            " FROM occurrence_changes c JOIN groups g ON g.id = c.group_id"
            " WHERE c.occurrence_key >= :since",
            {"since": to_epoch_ms(since)},
        )
        found: dict[str, dict[datetime, OccurrenceChange]] = {}
        for row in rows:
            change = _change(row)
            found.setdefault(str(row["slug"]), {})[change.key] = change
        return found

    async def record_change(
        self, tx: Executor, slug: str, change: OccurrenceChange, now: datetime
    ) -> None:
        await tx.execute(
            "INSERT INTO occurrence_changes"
            " (group_id, occurrence_key, cancelled, reason, new_start, new_place, changed_at)"
            f" VALUES ({_GROUP_ID}, :key, :cancelled, :reason, :new_start, :new_place, :now)"
            " ON CONFLICT (group_id, occurrence_key) DO UPDATE SET"
            " cancelled = excluded.cancelled, reason = excluded.reason,"
            " new_start = excluded.new_start, new_place = excluded.new_place,"
            " changed_at = excluded.changed_at",
            {
                "slug": slug,
                "key": to_epoch_ms(change.key),
                "cancelled": int(change.cancelled),
                "reason": change.reason,
                "new_start": None if change.new_start is None else to_epoch_ms(change.new_start),
                "new_place": change.new_place,
                "now": to_epoch_ms(now),
            },
        )

    async def record_rsvp(
        self, tx: Executor, slug: str, key: datetime, actor: Actor, answer: str, now: datetime
    ) -> None:
        await tx.execute(
            "INSERT INTO rsvps (group_id, occurrence_key, platform, user_id, answer, answered_at)"
            f" VALUES ({_GROUP_ID}, :key, :platform, :user_id, :answer, :now)"
            " ON CONFLICT (group_id, occurrence_key, platform, user_id) DO UPDATE SET"
            " answer = excluded.answer, answered_at = excluded.answered_at",
            {
                "slug": slug,
                "key": to_epoch_ms(key),
                "platform": actor.platform,
                "user_id": actor.user_id,
                "answer": answer,
                "now": to_epoch_ms(now),
            },
        )

    async def rsvps(self, db: Executor, slug: str, key: datetime) -> dict[str, str]:
        """Answers for one occurrence, by member key."""
        rows = await db.fetch_all(
            "SELECT platform, user_id, answer FROM rsvps"
            f" WHERE group_id = {_GROUP_ID} AND occurrence_key = :key",
            {"slug": slug, "key": to_epoch_ms(key)},
        )
        return {f"{row['platform']}:{row['user_id']}": str(row["answer"]) for row in rows}

    async def seated_answer_counts(self, db: Executor, slug: str, key: datetime) -> dict[str, int]:
        """How many seated members gave each answer for one occurrence (no one named)."""
        rows = await db.fetch_all(
            "SELECT r.answer, COUNT(*) AS n FROM rsvps r JOIN memberships m"
            " ON m.group_id = r.group_id AND m.platform = r.platform AND m.user_id = r.user_id"
            f" WHERE r.group_id = {_GROUP_ID} AND r.occurrence_key = :key"
            " AND m.status = 'seated' GROUP BY r.answer",
            {"slug": slug, "key": to_epoch_ms(key)},
        )
        return {str(row["answer"]): int(row["n"]) for row in rows}

    async def rsvps_of(self, db: Executor, actor: Actor) -> list[Rsvp]:
        """Every answer ``actor`` gave, by group and then occurrence."""
        rows = await db.fetch_all(
            "SELECT g.slug, r.occurrence_key, r.answer, r.answered_at FROM rsvps r"
            " JOIN groups g ON g.id = r.group_id"
            " WHERE r.platform = :platform AND r.user_id = :user_id"
            " ORDER BY g.slug, r.occurrence_key",
            {"platform": actor.platform, "user_id": actor.user_id},
        )
        return [
            Rsvp(
                group_slug=str(row["slug"]),
                occurrence=from_epoch_ms(row["occurrence_key"]),
                answer=str(row["answer"]),
                answered_at=from_epoch_ms(row["answered_at"]),
            )
            for row in rows
        ]

    async def forget_rsvps(self, tx: Executor, actor: Actor) -> int:
        """Delete every answer ``actor`` gave; how many."""
        return await tx.execute(
            "DELETE FROM rsvps WHERE platform = :platform AND user_id = :user_id",
            {"platform": actor.platform, "user_id": actor.user_id},
        )


def _change(row: Row) -> OccurrenceChange:
    return OccurrenceChange(
        key=from_epoch_ms(row["occurrence_key"]),
        cancelled=bool(row["cancelled"]),
        reason=str(row["reason"]),
        new_start=None if row["new_start"] is None else from_epoch_ms(row["new_start"]),
        new_place=row["new_place"],
    )
