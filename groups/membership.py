"""Signing up for groups: seats, the waiting list, and promotion when a seat frees up."""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import replace
from datetime import datetime

from bot.clock import Clock
from bot.events import Actor
from bot.storage.database import Database, Executor
from groups.directory import GroupDirectory
from groups.group_table import retired_groups
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
from groups.notices import MembershipNotices

logger = logging.getLogger(__name__)


class MembershipService:
    """Each change runs in one write transaction that first takes the group's seat lock,
    so two people racing for the last seat cannot both get it (on any engine, in any
    number of processes), and a crash never leaves a seat half-given. The messages a
    change causes go into the outbox in that same transaction."""

    def __init__(
        self,
        db: Database,
        directory: GroupDirectory,
        clock: Clock,
        notices: MembershipNotices,
    ) -> None:
        self._db = db
        self._directory = directory
        self._clock = clock
        self._notices = notices
        self._repo = MembershipRepository()

    async def join(self, actor: Actor, group: Group) -> JoinResult:
        now = self._clock.now()
        async with self._db.transaction(quick=True) as tx:
            occupancy = await self._repo.lock_seats(tx, group.slug) or Occupancy(0, 0)
            await self._repo.remember_member(tx, actor, now)
            existing = await self._repo.find(tx, group.slug, actor)
            if existing is not None:
                if existing.status is SeatStatus.SEATED:
                    return JoinResult(JoinOutcome.ALREADY_SEATED)
                return JoinResult(JoinOutcome.ALREADY_WAITLISTED, existing.waitlist_position)
            if occupancy.waiting == 0 and occupancy.seats_left(group.capacity) > 0:
                await self._repo.add(tx, group.slug, actor, SeatStatus.SEATED, now)
                return JoinResult(JoinOutcome.SEATED)
            await self._repo.add(tx, group.slug, actor, SeatStatus.WAITLISTED, now)
        # The new row has the group's highest queue_seq, so it is last in line.
        return JoinResult(JoinOutcome.WAITLISTED, occupancy.waiting + 1)

    async def leave(self, actor: Actor, group: Group, *, removed: bool = False) -> LeaveResult:
        """Leave a seat or the waiting list (or, with ``removed``, be taken off it by a
        facilitator, and told so); the freed seat goes to the first in line."""
        now = self._clock.now()
        async with self._db.transaction(quick=True) as tx:
            return await self._leave_in(tx, group, actor, now, removed=removed)

    async def leave_everything(self, tx: Executor, actor: Actor) -> int:
        """Inside the caller's ``tx`` (``/forgetme`` erases in one transaction): leave
        every seat and waiting list ``actor`` has, each freed seat going to the first in
        line with their notice, as ``leave`` does; a group no longer in the config just
        lets go. Seat locks are taken in slug order. How many memberships there were."""
        now = self._clock.now()
        mine = await self._repo.of_member(tx, actor)  # ordered by slug
        for membership in mine:
            group = self._directory.get(membership.group_slug)
            if group is None:
                await self._repo.remove(tx, membership.group_slug, actor)
            else:
                await self._leave_in(tx, group, actor, now)
        return len(mine)

    async def _leave_in(
        self, tx: Executor, group: Group, actor: Actor, now: datetime, *, removed: bool = False
    ) -> LeaveResult:
        await self._repo.lock_seats(tx, group.slug)
        existing = await self._repo.find(tx, group.slug, actor)
        if existing is None:
            return LeaveResult(previous=None)
        await self._repo.remove(tx, group.slug, actor)
        if removed:
            await self._notices.removed(tx, group, actor, now)
        promoted = await self._fill_open_seats(tx, group, now)
        return LeaveResult(previous=existing.status, promoted=promoted)

    async def leave_retired(self, actor: Actor, slug: str) -> SeatStatus | None:
        """Leave a group that is no longer in the config (nobody is promoted: it does not
        meet). The status the person had, or None if they were not in it."""
        async with self._db.transaction(quick=True) as tx:
            if slug not in await retired_groups(tx):
                return None
            existing = await self._repo.find(tx, slug, actor)
            if existing is None:
                return None
            await self._repo.remove(tx, slug, actor)
        return existing.status

    async def fill_open_seats(self) -> list[tuple[Group, Membership]]:
        """Seat waiting people wherever seats are free (say, after an organizer raised a
        group's capacity). Returns who was promoted; each is told through the outbox."""
        promoted: list[tuple[Group, Membership]] = []
        # One read finds the groups with a free seat and someone waiting; only those take
        # their seat lock (and look again under it). A seat freed after the read is filled
        # by the leave that freed it.
        counts = await self._repo.occupancy_by_group(self._db)
        for group in self._directory.all():
            occupancy = counts.get(group.slug, Occupancy(0, 0))
            if occupancy.waiting == 0 or occupancy.seats_left(group.capacity) == 0:
                continue
            async with self._db.transaction(quick=True) as tx:
                await self._repo.lock_seats(tx, group.slug)
                seated = await self._fill_open_seats(tx, group, self._clock.now())
                promoted.extend((group, m) for m in seated)
        return promoted

    async def settle_seat_counts(self) -> dict[str, Occupancy]:
        """Recount any group whose kept seat counts differ from its memberships (someone
        edited the table by hand, say), each under its seat lock; the groups recounted,
        with their counts. Run at start, before seats are filled."""
        drifted = await self._repo.drifted(self._db)
        for slug in sorted(drifted):
            async with self._db.transaction(quick=True) as tx:
                await self._repo.lock_seats(tx, slug)
                await self._repo.recount(tx, slug)
        if drifted:
            logger.warning(
                "the seat counts of %d group(s) did not match their memberships and were "
                "recounted: %s",
                len(drifted),
                ", ".join(sorted(drifted)),
            )
        return drifted

    async def memberships_of(self, actor: Actor) -> list[Membership]:
        return await self._repo.of_member(self._db, actor)

    async def roster(self, group: Group) -> list[Membership]:
        return await self._repo.of_group(self._db, group.slug)

    async def occupancy(self) -> dict[str, Occupancy]:
        """Every group's seat counts."""
        return await self._repo.occupancy_by_group(self._db)

    async def occupancy_of(self, groups: Sequence[Group]) -> dict[str, Occupancy]:
        """The seat counts of ``groups`` (a page of a large organization's). When they
        are every group, one pass over all rows costs SQLite less than keyed lookups."""
        if len(groups) >= len(self._directory.all()):
            return await self._repo.occupancy_by_group(self._db)
        return await self._repo.occupancy_of(self._db, [group.slug for group in groups])

    async def unreachable_among(self, people: list[Actor]) -> set[str]:
        """Keys of those whose latest private message from the bot could not be delivered."""
        return await self._notices.unreachable_among(self._db, people)

    async def retired(self) -> dict[str, datetime]:
        """Groups no longer in the config that still have rows, with when they left it."""
        return await retired_groups(self._db)

    async def _fill_open_seats(
        self, tx: Executor, group: Group, now: datetime
    ) -> tuple[Membership, ...]:
        promoted: list[Membership] = []
        occupancy = await self._repo.occupancy(tx, group.slug)
        for _ in range(occupancy.seats_left(group.capacity)):
            waiting = await self._repo.first_waiting(tx, group.slug)
            if waiting is None:
                break
            await self._repo.seat(tx, group.slug, waiting.member, now)
            await self._notices.seat_offered(tx, group, waiting.member, now)
            promoted.append(
                replace(waiting, status=SeatStatus.SEATED, waitlist_position=None, seated_at=now)
            )
        return tuple(promoted)
