"""Anonymous check-ins: opening periods, taking answers, releasing results at close.

The promise: no answer can be traced to the person who gave it. Answers are stored
without a person (``CheckinStore`` never takes one); the member's keyed marker goes in
through a separate transaction; at close the release is computed once, and the keyed
codes that let a member replace their own answer are cleared, so from then on nothing
links an answer to anyone, even with the key.
"""

from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass
from datetime import datetime, timedelta

from bot.clock import Clock
from bot.errors import UserError
from bot.events import Actor
from bot.flood import WindowLimit
from bot.storage.database import Database, Executor
from groups.checkin_keys import CheckinKeys
from groups.checkin_notices import CheckinNotices
from groups.checkin_periods import Period, latest_period, next_boundary, next_period
from groups.checkin_release import compute_release
from groups.checkin_store import Answer, CheckinStore, MarkerStore, Release
from groups.directory import GroupDirectory
from groups.member_settings import MemberSettingsService
from groups.membership_repo import MembershipRepository
from groups.models import Group, SeatStatus

logger = logging.getLogger(__name__)

MAX_NOTE = 500
# How often a member may change one check-in (the first answer included). Counted in
# memory only: nothing stored says how often anyone checked in or changed their mind.
CHANGES_PER_PERIOD = 10
CHANGES_REMEMBERED = timedelta(days=14)  # longer than any period is open
SLICE = 500  # groups looked at between two turns of the event loop


@dataclass(frozen=True, slots=True)
class CheckinStatus:
    """Where a member stands with a group's check-in right now."""

    period: Period | None  # the open period, if one is open
    upcoming: Period  # the next one to open
    answered: bool  # they have checked in for the open period


class CheckinService:
    def __init__(
        self,
        db: Database,
        directory: GroupDirectory,
        clock: Clock,
        keys: CheckinKeys | None,
        notices: CheckinNotices,
        settings: MemberSettingsService,
        *,
        retention: timedelta,
        prompts: bool = True,
    ) -> None:
        self._db = db
        self._directory = directory
        self._clock = clock
        self._keys = keys
        self._notices = notices
        self._settings = settings
        self._retention = retention
        self._prompts = prompts
        self._store = CheckinStore()
        self._markers = MarkerStore()
        self._members = MembershipRepository()
        self._changes = WindowLimit(CHANGES_PER_PERIOD, CHANGES_REMEMBERED)

    @property
    def available(self) -> bool:
        """False without a key: then nobody's answers are taken at all."""
        return self._keys is not None

    async def status(self, actor: Actor, group: Group) -> CheckinStatus:
        keys = self._usable(group)
        await self._require_seat(actor, group)
        now = self._clock.now()
        latest = latest_period(group, now)
        upcoming = next_period(group, now)
        if not latest.is_open(now):
            return CheckinStatus(None, upcoming, answered=False)
        marker = keys.marker(actor, group.slug, latest.name)
        present = await self._markers.present(self._db, group.slug, latest.name)
        return CheckinStatus(latest, upcoming, answered=marker in present)

    async def submit(self, actor: Actor, group: Group, mood: int, note: str) -> Period:
        """Take (or replace) the member's answer for the open period. Raises
        ``UserError`` when it cannot be taken; nothing is stored then."""
        keys = self._usable(group)
        await self._require_seat(actor, group)
        now = self._clock.now()
        period = latest_period(group, now)
        if not period.is_open(now):
            raise UserError("checkins.closed", group=group.name)
        # The changes are counted by the marker: keyed, so no member id is held in memory.
        marker = keys.marker(actor, group.slug, period.name)
        if self._changes.used(marker, now) >= CHANGES_PER_PERIOD:
            raise UserError(
                "limits.checkins.too_many_changes", group=group.name, count=CHANGES_PER_PERIOD
            )
        await self.open_if_due(group, period)
        tag = keys.replace_tag(actor, group.slug, period.name)
        answer = Answer(mood, note[:MAX_NOTE])
        async with self._db.transaction(quick=True) as tx:
            stored = await self._store.record(tx, group.slug, period.name, answer, tag, now)
        if not stored:
            raise UserError("checkins.closed", group=group.name)
        # Its own transaction: the marker cannot be told apart from any other by when,
        # or in what order, it was written next to the answer.
        async with self._db.transaction(quick=True) as tx:
            await self._markers.add(tx, group.slug, period.name, marker)
        self._changes.take(marker, now)
        return period

    async def request_contact(self, actor: Actor, group: Group) -> int:
        """Ask the group's facilitators to get in touch (their name, nothing else).
        Returns how many facilitators it went to (0: the group names none)."""
        await self._require_member(actor, group)
        now = self._clock.now()
        day = f"{now:%Y-%m-%d}"
        async with self._db.transaction(quick=True) as tx:
            return await self._notices.contact_request(tx, group, actor, day, now)

    async def releases(self, group: Group, limit: int = 12) -> list[Release]:
        return await self._store.releases(self._db, group.slug, limit)

    async def run_due(self) -> int:
        """Open what has opened (prompting members), release what has closed. Returns
        how many periods changed."""
        now = self._clock.now()
        changed = 0
        if self._keys is not None:  # one read says which open periods are recorded already
            recorded = await self._store.not_closed(self._db, now)
            for count, group in enumerate(self._directory.all(), start=1):
                latest = latest_period(group, now) if group.checkins.enabled else None
                if latest and latest.is_open(now) and (group.slug, latest.name) not in recorded:
                    changed += await self.open_if_due(group, latest)
                if count % SLICE == 0:  # a turn for the commands waiting meanwhile
                    await asyncio.sleep(0)
        for slug, period in await self._store.unreleased_closed(self._db, now):
            changed += await self.release(slug, period)
        return changed

    async def open_if_due(self, group: Group, period: Period) -> int:
        """Record ``period`` as open (thresholds frozen) and prompt the members who
        have not checked in, in one transaction; 0 if it was open already."""
        async with self._db.transaction() as tx:
            if not await self._store.open_period(tx, group.slug, period, group.checkins):
                return 0
            prompted = await self._prompt(tx, group, period)
        logger.info("check-ins: %s opened %s (%d prompts)", group.slug, period.name, prompted)
        return 1

    async def release(self, slug: str, period: str) -> int:
        """Compute and keep the release of a closed period and tell the facilitators,
        exactly once (one transaction that first claims the period)."""
        now = self._clock.now()
        group = self._directory.get(slug)
        async with self._db.transaction() as tx:
            if not await self._store.claim_release(tx, slug, period, now):
                return 0
            state = await self._store.period_state(tx, slug, period)
            answers = await self._store.answers(tx, slug, period)
            assert state is not None  # claimed just now, inside this transaction
            release = compute_release(state, answers)
            await self._store.store_release(tx, slug, release)
            if group is not None:  # a group taken out of the config tells nobody
                await self._notices.release(tx, group, release, now)
        logger.info("check-ins: %s released %s (suppressed=%s)", slug, period, release.suppressed)
        return 1

    async def purge(self) -> int:
        """Raw answers (and released notes) past retention go."""
        before = self._clock.now() - self._retention
        async with self._db.transaction() as tx:
            return await self._store.purge_before(tx, before)

    def next_due(self) -> datetime | None:
        now = self._clock.now()
        wanted = [next_boundary(g, now) for g in self._directory.all() if g.checkins.enabled]
        return min(wanted, default=None)

    async def _prompt(self, tx: Executor, group: Group, period: Period) -> int:
        """Each seated member who has not checked in and has not turned prompts off,
        held back by their quiet hours."""
        if not self._prompts or self._keys is None:
            return 0
        now = self._clock.now()
        answered = await self._markers.present(tx, group.slug, period.name)
        settings = await self._settings.of_group(tx, group.slug)
        sent = 0
        for membership in await self._members.of_group(tx, group.slug):
            member = membership.member
            mine = self._settings.for_member(settings, member)
            if membership.status is not SeatStatus.SEATED or not mine.checkin_prompts:
                continue
            if self._keys.marker(member, group.slug, period.name) in answered:
                continue
            quiet_end = mine.quiet_until(now)
            sent += await self._notices.prompt(tx, group, period, member, not_before=quiet_end)
        return sent

    def _usable(self, group: Group) -> CheckinKeys:
        if not group.checkins.enabled:
            raise UserError("checkins.not_for_group", group=group.name)
        if self._keys is None:
            raise UserError("checkins.unavailable")
        return self._keys

    async def _require_seat(self, actor: Actor, group: Group) -> None:
        found = await self._members.find(self._db, group.slug, actor)
        if found is None or found.status is not SeatStatus.SEATED:
            raise UserError("checkins.members_only", group=group.name, slug=group.slug)

    async def _require_member(self, actor: Actor, group: Group) -> None:
        if await self._members.find(self._db, group.slug, actor) is None:
            raise UserError("checkins.members_only", group=group.name, slug=group.slug)
