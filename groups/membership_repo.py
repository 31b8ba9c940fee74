"""SQL for members and memberships. The only place that knows these tables."""

from __future__ import annotations

from datetime import datetime

from bot.events import Actor
from bot.storage.database import Executor, Row
from groups.models import Membership, Occupancy, SeatStatus

_SELECT = """
SELECT m.group_slug, m.platform, m.user_id, m.status, m.joined_at, p.display_name,
       CASE WHEN m.status = 'waitlisted' THEN (
           SELECT COUNT(*) FROM memberships w
           WHERE w.group_slug = m.group_slug AND w.status = 'waitlisted'
             AND w.queue_seq <= m.queue_seq
       ) END AS position
FROM memberships m
JOIN members p ON p.platform = m.platform AND p.user_id = m.user_id
"""

# Seat counts per group; callers append a WHERE or a GROUP BY (kept apart so no query
# needs an untyped "(:slug IS NULL OR ...)" parameter, which PostgreSQL cannot type).
_OCCUPANCY = """
SELECT MIN(group_slug) AS group_slug,
       COALESCE(SUM(CASE WHEN status = 'seated' THEN 1 ELSE 0 END), 0) AS seated,
       COALESCE(SUM(CASE WHEN status = 'waitlisted' THEN 1 ELSE 0 END), 0) AS waiting
FROM memberships
"""


class MembershipRepository:
    """Every method takes the ``Executor`` to run on, so a service can compose several
    calls into one transaction."""

    async def remember_member(self, db: Executor, actor: Actor, now: datetime) -> None:
        await db.execute(
            "INSERT INTO members (platform, user_id, display_name, first_seen, last_seen)"
            " VALUES (:platform, :user_id, :name, :now, :now)"
            " ON CONFLICT (platform, user_id) DO UPDATE"
            " SET display_name = excluded.display_name, last_seen = excluded.last_seen",
            {**_member(actor), "name": actor.display_name, "now": now.isoformat()},
        )

    async def find(self, db: Executor, slug: str, actor: Actor) -> Membership | None:
        row = await db.fetch_one(
            _SELECT + " WHERE m.group_slug = :slug AND m.platform = :platform"
            " AND m.user_id = :user_id",
            {"slug": slug, **_member(actor)},
        )
        return None if row is None else _membership(row)

    async def occupancy(self, db: Executor, slug: str) -> Occupancy:
        rows = await db.fetch_all(_OCCUPANCY + " WHERE group_slug = :slug", {"slug": slug})
        return _occupancies(rows).get(slug, Occupancy(0, 0))

    async def occupancy_by_group(self, db: Executor) -> dict[str, Occupancy]:
        return _occupancies(await db.fetch_all(_OCCUPANCY + " GROUP BY group_slug"))

    async def add(
        self, db: Executor, slug: str, actor: Actor, status: SeatStatus, now: datetime
    ) -> None:
        stamp = now.isoformat()
        await db.execute(
            "INSERT INTO memberships"
            " (group_slug, platform, user_id, status, queue_seq, joined_at, seated_at)"
            " VALUES (:slug, :platform, :user_id, :status,"
            " (SELECT COALESCE(MAX(queue_seq), 0) + 1 FROM memberships WHERE group_slug = :slug),"
            " :now, :seated_at)",
            {
                "slug": slug,
                **_member(actor),
                "status": status.value,
                "now": stamp,
                "seated_at": stamp if status is SeatStatus.SEATED else None,
            },
        )

    async def remove(self, db: Executor, slug: str, actor: Actor) -> None:
        await db.execute(
            "DELETE FROM memberships WHERE group_slug = :slug AND platform = :platform"
            " AND user_id = :user_id",
            {"slug": slug, **_member(actor)},
        )

    async def first_waiting(self, db: Executor, slug: str) -> Membership | None:
        row = await db.fetch_one(
            _SELECT + " WHERE m.group_slug = :slug AND m.status = 'waitlisted'"
            " ORDER BY m.queue_seq LIMIT 1",
            {"slug": slug},
        )
        return None if row is None else _membership(row)

    async def seat(self, db: Executor, slug: str, actor: Actor, now: datetime) -> None:
        await db.execute(
            "UPDATE memberships SET status = 'seated', seated_at = :now"
            " WHERE group_slug = :slug AND platform = :platform AND user_id = :user_id",
            {"slug": slug, **_member(actor), "now": now.isoformat()},
        )

    async def of_member(self, db: Executor, actor: Actor) -> list[Membership]:
        rows = await db.fetch_all(
            _SELECT + " WHERE m.platform = :platform AND m.user_id = :user_id"
            " ORDER BY m.group_slug",
            _member(actor),
        )
        return [_membership(row) for row in rows]

    async def of_group(self, db: Executor, slug: str) -> list[Membership]:
        rows = await db.fetch_all(
            _SELECT + " WHERE m.group_slug = :slug ORDER BY m.status, m.queue_seq",
            {"slug": slug},
        )
        return [_membership(row) for row in rows]


def _member(actor: Actor) -> dict[str, str]:
    return {"platform": actor.platform, "user_id": actor.user_id}


def _occupancies(rows: list[Row]) -> dict[str, Occupancy]:
    return {
        row["group_slug"]: Occupancy(row["seated"], row["waiting"])
        for row in rows
        if row["group_slug"] is not None
    }


def _membership(row: Row) -> Membership:
    return Membership(
        group_slug=row["group_slug"],
        member=Actor(row["platform"], row["user_id"], row["display_name"]),
        status=SeatStatus(row["status"]),
        joined_at=datetime.fromisoformat(row["joined_at"]),
        waitlist_position=row["position"],
    )
