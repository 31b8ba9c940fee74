"""SQL for members, memberships and the seat lock. The only place that knows these tables.

Memberships refer to groups by the stable id of the ``groups`` table; the domain speaks
slugs, so queries look the id up (``_GROUP_ID``). Instants are epoch milliseconds, UTC.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from bot.events import Actor
from bot.instants import from_epoch_ms, to_epoch_ms
from bot.storage.database import Executor, Row
from groups.models import MemberRecord, Membership, Occupancy, SeatStatus

_GROUP_ID = "(SELECT id FROM groups WHERE slug = :slug)"

# A membership row with its member and its place in line (read also by the benchmark's
# floor, bench/discord_floor.py, which runs the statements the core runs).
MEMBERSHIP_ROWS = """
SELECT g.slug AS group_slug, m.platform, m.user_id, m.status, m.joined_at, m.seated_at,
       p.display_name,
       CASE WHEN m.status = 'waitlisted' THEN (
           SELECT COUNT(*) FROM memberships w
           WHERE w.group_id = m.group_id AND w.status = 'waitlisted'
             AND w.queue_seq <= m.queue_seq
       ) END AS position
FROM memberships m
JOIN groups g ON g.id = m.group_id
JOIN members p ON p.platform = m.platform AND p.user_id = m.user_id
"""

# Seat counts per group, kept on the group's row by every change below (migration 0008):
# two numbers to read, however long the waiting list. One group's callers append a
# WHERE (kept apart so no query needs an untyped "(:slug IS NULL OR ...)" parameter,
# which PostgreSQL cannot type).
_OCCUPANCY = """
SELECT slug AS group_slug, seated_count AS seated, waiting_count AS waiting FROM groups g
"""

# The same counted from the memberships, to find and mend counts that drifted
# (``drifted``, ``recount``). Each count is a range of the (group_id, status, queue_seq)
# index, counted without reading a row.
_SEATED = "(SELECT COUNT(*) FROM memberships m WHERE m.group_id = {g} AND m.status = 'seated')"
_WAITING = "(SELECT COUNT(*) FROM memberships m WHERE m.group_id = {g} AND m.status = 'waitlisted')"
_COUNTED = (
    "SELECT g.slug AS group_slug, g.seated_count, g.waiting_count,"
    f" {_SEATED.format(g='g.id')} AS seated, {_WAITING.format(g='g.id')} AS waiting"
    " FROM groups g"
)

_COUNTER = {SeatStatus.SEATED: "seated_count", SeatStatus.WAITLISTED: "waiting_count"}


class MembershipRepository:
    """Every method takes the ``Executor`` to run on, so a service can compose several
    calls into one transaction."""

    async def lock_seats(self, tx: Executor, slug: str) -> Occupancy | None:
        """Take the group's seat lock for the rest of ``tx``: an UPDATE of its row, which
        PostgreSQL holds as a row lock until commit (SQLite's BEGIN IMMEDIATE already
        serialises writers). The group's seat counts as the lock was taken; None if the
        group has no row (not synced)."""
        rows = await tx.fetch_all(
            "UPDATE groups SET seat_version = seat_version + 1 WHERE slug = :slug"
            " RETURNING seated_count, waiting_count",
            {"slug": slug},
        )
        return (
            Occupancy(int(rows[0]["seated_count"]), int(rows[0]["waiting_count"])) if rows else None
        )

    async def remember_member(self, db: Executor, actor: Actor, now: datetime) -> None:
        await db.execute(
            "INSERT INTO members (platform, user_id, display_name, first_seen, last_seen)"
            " VALUES (:platform, :user_id, :name, :now, :now)"
            " ON CONFLICT (platform, user_id) DO UPDATE"
            " SET display_name = excluded.display_name, last_seen = excluded.last_seen",
            {**_member(actor), "name": actor.display_name, "now": to_epoch_ms(now)},
        )

    async def record_of(self, db: Executor, actor: Actor) -> MemberRecord | None:
        """The ``members`` row of ``actor``, if there is one."""
        row = await db.fetch_one(
            "SELECT platform, user_id, display_name, first_seen, last_seen FROM members"
            " WHERE platform = :platform AND user_id = :user_id",
            _member(actor),
        )
        if row is None:
            return None
        return MemberRecord(
            member=Actor(row["platform"], row["user_id"], row["display_name"]),
            first_seen=from_epoch_ms(row["first_seen"]),
            last_seen=from_epoch_ms(row["last_seen"]),
        )

    async def forget_member(self, tx: Executor, actor: Actor) -> int:
        """Delete the ``members`` row of ``actor`` (their memberships, RSVPs and settings
        go with it by cascade: leave their groups first, so seats pass on). Any
        membership still there is deleted here first, so its group's counts follow."""
        gone = await tx.fetch_all(
            "DELETE FROM memberships WHERE platform = :platform AND user_id = :user_id"
            " RETURNING group_id, status",
            _member(actor),
        )
        await _uncount(tx, gone)
        return await tx.execute(
            "DELETE FROM members WHERE platform = :platform AND user_id = :user_id",
            _member(actor),
        )

    async def find(self, db: Executor, slug: str, actor: Actor) -> Membership | None:
        row = await db.fetch_one(
            MEMBERSHIP_ROWS
            + " WHERE g.slug = :slug AND m.platform = :platform AND m.user_id = :user_id",
            {"slug": slug, **_member(actor)},
        )
        return None if row is None else _membership(row)

    async def occupancy(self, db: Executor, slug: str) -> Occupancy:
        rows = await db.fetch_all(_OCCUPANCY + " WHERE g.slug = :slug", {"slug": slug})
        return _occupancies(rows).get(slug, Occupancy(0, 0))

    async def occupancy_by_group(self, db: Executor) -> dict[str, Occupancy]:
        return _occupancies(await db.fetch_all(_OCCUPANCY))

    async def occupancy_of(self, db: Executor, slugs: Sequence[str]) -> dict[str, Occupancy]:
        """The seat counts of the groups ``slugs`` (a page of them: a few keyed reads)."""
        if not slugs:
            return {}
        named = {f"slug{n}": slug for n, slug in enumerate(slugs)}
        listed = ", ".join(f":{name}" for name in named)
        return _occupancies(await db.fetch_all(_OCCUPANCY + f" WHERE g.slug IN ({listed})", named))

    async def add(
        self, db: Executor, slug: str, actor: Actor, status: SeatStatus, now: datetime
    ) -> None:
        """A new seat or place in line. queue_seq is the group's highest plus one, under
        the seat lock; UNIQUE(group_id, queue_seq) refuses a repeat even without it."""
        stamp = to_epoch_ms(now)
        await db.execute(
            "INSERT INTO memberships"
            " (group_id, platform, user_id, status, queue_seq, joined_at, seated_at)"
            f" VALUES ({_GROUP_ID}, :platform, :user_id, :status,"
            " (SELECT COALESCE(MAX(queue_seq), 0) + 1 FROM memberships"
            f"  WHERE group_id = {_GROUP_ID}),"
            " :now, :seated_at)",
            {
                "slug": slug,
                **_member(actor),
                "status": status.value,
                "now": stamp,
                "seated_at": stamp if status is SeatStatus.SEATED else None,
            },
        )
        column = _COUNTER[status]
        await db.execute(
            f"UPDATE groups SET {column} = {column} + 1 WHERE slug = :slug", {"slug": slug}
        )

    async def remove(self, db: Executor, slug: str, actor: Actor) -> None:
        gone = await db.fetch_all(
            f"DELETE FROM memberships WHERE group_id = {_GROUP_ID} AND platform = :platform"
            " AND user_id = :user_id RETURNING group_id, status",
            {"slug": slug, **_member(actor)},
        )
        await _uncount(db, gone)

    async def first_waiting(self, db: Executor, slug: str) -> Membership | None:
        row = await db.fetch_one(
            MEMBERSHIP_ROWS + " WHERE g.slug = :slug AND m.status = 'waitlisted'"
            " ORDER BY m.queue_seq LIMIT 1",
            {"slug": slug},
        )
        return None if row is None else _membership(row)

    async def seat(self, db: Executor, slug: str, actor: Actor, now: datetime) -> None:
        """From the waiting list to a seat (nothing, for someone not waiting)."""
        moved = await db.execute(
            "UPDATE memberships SET status = 'seated', seated_at = :now"
            f" WHERE group_id = {_GROUP_ID} AND platform = :platform AND user_id = :user_id"
            " AND status = 'waitlisted'",
            {"slug": slug, **_member(actor), "now": to_epoch_ms(now)},
        )
        if moved:
            await db.execute(
                "UPDATE groups SET seated_count = seated_count + 1,"
                " waiting_count = waiting_count - 1 WHERE slug = :slug",
                {"slug": slug},
            )

    async def drifted(self, db: Executor) -> dict[str, Occupancy]:
        """Groups whose kept counts differ from their memberships, with the true counts."""
        rows = await db.fetch_all(_COUNTED)
        return {
            row["group_slug"]: Occupancy(int(row["seated"]), int(row["waiting"]))
            for row in rows
            if (row["seated_count"], row["waiting_count"]) != (row["seated"], row["waiting"])
        }

    async def recount(self, tx: Executor, slug: str) -> None:
        """Set the group's counts from its memberships; inside ``tx``, after its seat lock
        (so no change of its memberships lands between the count and the write)."""
        await tx.execute(
            f"UPDATE groups SET seated_count = {_SEATED.format(g='groups.id')},"
            f" waiting_count = {_WAITING.format(g='groups.id')} WHERE slug = :slug",
            {"slug": slug},
        )

    async def of_member(self, db: Executor, actor: Actor) -> list[Membership]:
        rows = await db.fetch_all(
            MEMBERSHIP_ROWS
            + " WHERE m.platform = :platform AND m.user_id = :user_id ORDER BY g.slug",
            _member(actor),
        )
        return [_membership(row) for row in rows]

    async def of_group(self, db: Executor, slug: str) -> list[Membership]:
        rows = await db.fetch_all(
            MEMBERSHIP_ROWS + " WHERE g.slug = :slug ORDER BY m.status, m.queue_seq",
            {"slug": slug},
        )
        return [_membership(row) for row in rows]


def _member(actor: Actor) -> dict[str, str]:
    return {"platform": actor.platform, "user_id": actor.user_id}


async def _uncount(db: Executor, gone: list[Row]) -> None:
    """Take deleted memberships (their group_id and status) off their groups' counts."""
    for row in gone:
        column = _COUNTER[SeatStatus(row["status"])]
        await db.execute(
            f"UPDATE groups SET {column} = {column} - 1 WHERE id = :id", {"id": row["group_id"]}
        )


def _occupancies(rows: list[Row]) -> dict[str, Occupancy]:
    return {row["group_slug"]: Occupancy(int(row["seated"]), int(row["waiting"])) for row in rows}


def _membership(row: Row) -> Membership:
    seated_at = row["seated_at"]
    return Membership(
        group_slug=row["group_slug"],
        member=Actor(row["platform"], row["user_id"], row["display_name"]),
        status=SeatStatus(row["status"]),
        joined_at=from_epoch_ms(row["joined_at"]),
        waitlist_position=row["position"],
        seated_at=None if seated_at is None else from_epoch_ms(seated_at),
    )
