"""Keeps each server's events in step with its groups' meetings, through the platform's port.

Nothing is kept but what saves requests: each run works out, from the schedule and the
exceptions in the database, which events every server should have; a server is asked
(its events listed, the plan applied) only when that changed since it was last brought
in step, or ``recheck_every`` after, so an event someone deleted or edited by hand is
put right, and a permission given later is noticed. A meeting cancelled or moved with
/cancel or /move changes what is wanted, so the next run (the timer's next tick)
updates its event.

Without the permission to manage events in a server, that is logged once (and listed by
``missing_permission`` for ``doctor``); the bot carries on without events there, and
says so again only if the permission came back and went. The permission is looked up
before any request (no refused request is sent: Discord bans a bot that sends too many).
A rate limit stops the run (asked again after the wait the platform named); any other
failure is logged, that server is tried again after ``RETRY_AFTER_FAILURE``, and the
other servers go on.
"""

from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass
from datetime import datetime, timedelta

from bot.clock import Clock
from bot.errors import log_incident, new_incident_id
from bot.events_port import EventSpec, MissingPermission, ScheduledEventsPort
from bot.platforms import PlatformBusy
from bot.storage.database import Database
from groups.directory import GroupDirectory
from groups.guild_event_plan import GuildPlan, plan_guild
from groups.guild_events import EventWording, guilds_of, wanted_by_guild
from groups.meetings_repo import MeetingsRepository
from groups.recurrence import occurrences

logger = logging.getLogger(__name__)

RECHECK_EVERY = timedelta(minutes=15)
RETRY_AFTER_FAILURE = timedelta(minutes=2)
GUILD_TIMEOUT = 60.0  # seconds one server's work may take (the adapter may be connecting)


@dataclass(frozen=True, slots=True)
class SyncReport:
    created: int = 0
    edited: int = 0
    deleted: int = 0
    left_out: int = 0  # meetings the servers' cap had no room for


@dataclass(frozen=True, slots=True)
class _Checked:
    wanted: tuple[EventSpec, ...]  # what the server was last brought in step with
    again_at: datetime  # when to look again if that has not changed


class GuildEventSync:
    def __init__(
        self,
        port: ScheduledEventsPort,
        db: Database,
        directory: GroupDirectory,
        clock: Clock,
        wording: EventWording,
        *,
        horizon: int,
        recheck_every: timedelta = RECHECK_EVERY,
        timeout: float = GUILD_TIMEOUT,
    ) -> None:
        self._port = port
        self._db = db
        self._directory = directory
        self._clock = clock
        self._wording = wording
        self._horizon = horizon
        self._recheck_every = recheck_every
        self._timeout = timeout
        self._meetings = MeetingsRepository()
        self._checked: dict[str, _Checked] = {}
        self._missing: set[str] = set()
        self._quiet_until: datetime | None = None
        self._left_out: dict[str, int] = {}

    @property
    def missing_permission(self) -> tuple[str, ...]:
        """The servers where the bot was last found unable to manage events."""
        return tuple(sorted(self._missing))

    def guilds(self) -> tuple[str, ...]:
        """The servers some group lives in on the port's platform."""
        found = (guilds_of(group, self._port.platform) for group in self._directory.all())
        return tuple(dict.fromkeys(guild for guilds in found for guild in guilds))

    async def permission_problems(self) -> tuple[str, ...]:
        """For ``doctor``: the servers where the bot may not manage events, asked now."""
        return tuple([g for g in self.guilds() if not await self._port.can_manage_events(g)])

    async def wanted(self) -> dict[str, list[EventSpec]]:
        """The events each server should have now (every server a group lives in, and
        any served earlier in this run of the bot, so a removed group's go too)."""
        now = self._clock.now()
        meetings = []
        for group in self._directory.all():
            if guilds_of(group, self._port.platform):
                changes = await self._meetings.changes(self._db, group.slug)
                found = occurrences(group, now, self._horizon, changes, include_cancelled=False)
                meetings.append((group, found))
        wanted = wanted_by_guild(meetings, self._port.platform, self._wording)
        return {guild: wanted.get(guild, []) for guild in [*wanted, *self._checked]}

    async def run(self) -> SyncReport:
        """Bring every server that needs it in step; what was changed."""
        now = self._clock.now()
        if self._quiet_until is not None and now < self._quiet_until:
            return SyncReport()
        plans: list[GuildPlan] = []
        for guild, wanted in (await self.wanted()).items():
            last = self._checked.get(guild)
            if last is not None and last.wanted == tuple(wanted) and now < last.again_at:
                continue
            try:
                async with asyncio.timeout(self._timeout):
                    plan = await self._sync(guild, wanted, now)
            except PlatformBusy as busy:
                self._quiet_until = now + timedelta(seconds=busy.retry_after)
                logger.warning("server events: the platform asks to wait; tried again later")
                break
            except Exception as error:
                self._checked[guild] = _Checked(tuple(wanted), now + RETRY_AFTER_FAILURE)
                _log_failure(guild, error)
            else:
                self._checked[guild] = _Checked(tuple(wanted), now + self._recheck_every)
                plans.append(plan)
        return _report(plans)

    async def _sync(self, guild: str, wanted: list[EventSpec], now: datetime) -> GuildPlan:
        """One server brought in step (an empty plan: the bot may not manage its events)."""
        try:
            if not await self._port.can_manage_events(guild):
                raise MissingPermission(guild)
            existing = await self._port.list_scheduled_events(guild)
            plan = plan_guild(guild, wanted, existing, now)
            await self._apply(plan)
        except MissingPermission:
            self._note_missing(guild)
            return GuildPlan(guild)
        self._note_allowed(guild)
        self._log(plan)
        return plan

    async def _apply(self, plan: GuildPlan) -> None:
        for event in plan.deletes:
            await self._port.delete_scheduled_event(plan.guild_id, event.event_id)
        for event, spec in plan.edits:
            await self._port.edit_scheduled_event(event.event_id, spec)
        for spec in plan.creates:
            await self._port.create_scheduled_event(spec)

    def _note_missing(self, guild: str) -> None:
        if guild not in self._missing:
            self._missing.add(guild)
            logger.warning(
                "server events: the bot may not manage events in server %s, so its groups' "
                "meetings are not shown there; give the bot's role the Create Events (or "
                "Manage Events) permission to show them. Everything else works as usual.",
                guild,
            )

    def _log(self, plan: GuildPlan) -> None:
        if not plan.empty:
            logger.info(
                "server events in %s: %d created, %d updated, %d deleted",
                plan.guild_id,
                len(plan.creates),
                len(plan.edits),
                len(plan.deletes),
            )
        if plan.left_out and plan.left_out != self._left_out.get(plan.guild_id):
            logger.warning(
                "server events in %s: %d meeting(s) not shown, to stay under the server's "
                "cap of 100 upcoming events (lower [events] horizon, or remove old events)",
                plan.guild_id,
                plan.left_out,
            )
        self._left_out[plan.guild_id] = plan.left_out

    def _note_allowed(self, guild: str) -> None:
        if guild in self._missing:
            self._missing.discard(guild)
            logger.info("server events: the bot may manage events in server %s again", guild)


def _log_failure(guild: str, error: Exception) -> None:
    if isinstance(error, TimeoutError):
        logger.warning("server events: server %s did not answer in time", guild)
    else:
        log_incident(logger, new_incident_id(), f"server events in {guild}", error)


def _report(plans: list[GuildPlan]) -> SyncReport:
    return SyncReport(
        created=sum(len(p.creates) for p in plans),
        edited=sum(len(p.edits) for p in plans),
        deleted=sum(len(p.deletes) for p in plans),
        left_out=sum(p.left_out for p in plans),
    )
