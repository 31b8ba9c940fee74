"""Signing up for groups: seats, the waiting list, and promotion when a seat frees up."""

from __future__ import annotations

from dataclasses import replace

from bot.clock import Clock
from bot.events import Actor
from bot.storage.database import Database, Executor
from groups.directory import GroupDirectory
from groups.membership_repo import MembershipRepository
from groups.models import (
    Group,
    JoinOutcome,
    JoinResult,
    LeaveResult,
    Membership,
    Occupancy,
    SeatStatus,
)


class MembershipService:
    """Each change runs in one write transaction, so two people racing for the last seat
    cannot both get it, and a crash never leaves a seat half-given."""

    def __init__(self, db: Database, directory: GroupDirectory, clock: Clock) -> None:
        self._db = db
        self._directory = directory
        self._clock = clock
        self._repo = MembershipRepository()

    async def join(self, actor: Actor, group: Group) -> JoinResult:
        now = self._clock.now()
        async with self._db.transaction() as tx:
            await self._repo.remember_member(tx, actor, now)
            existing = await self._repo.find(tx, group.slug, actor)
            if existing is not None:
                if existing.status is SeatStatus.SEATED:
                    return JoinResult(JoinOutcome.ALREADY_SEATED)
                return JoinResult(JoinOutcome.ALREADY_WAITLISTED, existing.waitlist_position)
            occupancy = await self._repo.occupancy(tx, group.slug)
            if occupancy.waiting == 0 and occupancy.seats_left(group.capacity) > 0:
                await self._repo.add(tx, group.slug, actor, SeatStatus.SEATED, now)
                return JoinResult(JoinOutcome.SEATED)
            await self._repo.add(tx, group.slug, actor, SeatStatus.WAITLISTED, now)
        # The new row has the group's highest queue_seq, so it is last in line.
        return JoinResult(JoinOutcome.WAITLISTED, occupancy.waiting + 1)

    async def leave(self, actor: Actor, group: Group) -> LeaveResult:
        """Leave a seat or the waiting list; the freed seat goes to the first in line."""
        async with self._db.transaction() as tx:
            existing = await self._repo.find(tx, group.slug, actor)
            if existing is None:
                return LeaveResult(previous=None)
            await self._repo.remove(tx, group.slug, actor)
            promoted = await self._fill_open_seats(tx, group)
        return LeaveResult(previous=existing.status, promoted=promoted)

    async def fill_open_seats(self) -> list[tuple[Group, Membership]]:
        """Seat waiting people wherever seats are free (say, after an organizer raised a
        group's capacity). Returns who was promoted, so they can be told."""
        promoted: list[tuple[Group, Membership]] = []
        for group in self._directory.all():
            async with self._db.transaction() as tx:
                promoted.extend((group, m) for m in await self._fill_open_seats(tx, group))
        return promoted

    async def memberships_of(self, actor: Actor) -> list[Membership]:
        return await self._repo.of_member(self._db, actor)

    async def roster(self, group: Group) -> list[Membership]:
        return await self._repo.of_group(self._db, group.slug)

    async def occupancy(self) -> dict[str, Occupancy]:
        return await self._repo.occupancy_by_group(self._db)

    async def _fill_open_seats(self, tx: Executor, group: Group) -> tuple[Membership, ...]:
        promoted: list[Membership] = []
        occupancy = await self._repo.occupancy(tx, group.slug)
        for _ in range(occupancy.seats_left(group.capacity)):
            waiting = await self._repo.first_waiting(tx, group.slug)
            if waiting is None:
                break
            await self._repo.seat(tx, group.slug, waiting.member, self._clock.now())
            promoted.append(replace(waiting, status=SeatStatus.SEATED, waitlist_position=None))
        return tuple(promoted)
