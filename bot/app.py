"""The composition root: the one place that knows the core, the domain and the adapters.

``BotApp.open`` builds everything from settings in dependency order; ``serve`` runs the
adapters under the supervisor until stopped; ``close`` undoes ``open``. Tests build the
very same app (with an in-memory database and a fake clock).
"""

from __future__ import annotations

import asyncio
import contextlib
import gc
import logging
from collections.abc import Awaitable, Sequence
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path

import groups
from adapters.base import Adapter, Inbox
from bot.app_settings import delivery_policy_of, edit_intervals_of, rate_limits_of
from bot.catalog import Catalog
from bot.clock import Clock, SystemClock
from bot.config import Settings
from bot.degraded import (
    RETRY_SECONDS,
    as_problem,
    keep_trying,
    tell_back,
    tell_changed,
    tell_degraded,
)
from bot.dispatcher import Dispatcher
from bot.errors import log_incident, new_incident_id
from bot.events import Actor, Incoming, Place
from bot.flood import CommandFlood
from bot.http_endpoint import EndpointSource, HttpEndpoint
from bot.live_messages import LiveMessages
from bot.messenger import Messenger
from bot.metrics_prometheus import PrometheusMetrics
from bot.outbox import DeliveryWorker, Outbox
from bot.platforms import Platforms
from bot.ratelimit import RateLimiters
from bot.replies import Reply
from bot.roles import Role
from bot.scheduler import Scheduler
from bot.shutdown import finish_worker, relay_stop
from bot.storage import (
    Database,
    StandInDatabase,
    StorageError,
    StorageUnavailable,
    load_migrations,
    open_database,
)
from bot.supervisor import Backoff, Supervisor
from groups.access import GroupAccess
from groups.assembly import DomainServices
from groups.calendar_feed import CalendarFeeds
from groups.checkin_timer import CheckinTimer
from groups.checkins import CheckinService
from groups.crisis import HelplineDirectory
from groups.crisis_phrases import CrisisPhrases
from groups.directory import GroupDirectory
from groups.group_table import GroupSync, sync_groups
from groups.guild_event_timer import begin_guild_events
from groups.helplines import STALE_AFTER_DAYS
from groups.meetings import MeetingService
from groups.membership import MembershipService
from groups.reminders import ReminderPlanner, ReminderTimer

logger = logging.getLogger(__name__)

MIGRATIONS_DIR = Path(groups.__file__).parent / "migrations"
AFTER_EACH_LIMIT = 20  # a big fan-out is left to the worker, not waited for by a reply
DELIVERY_STOP_GRACE = 3.0  # seconds a send in flight may take to finish at stop


@dataclass(frozen=True, slots=True)
class BotApp:
    settings: Settings
    catalog: Catalog
    clock: Clock
    database: Database
    platforms: Platforms
    messenger: Messenger
    delivery: DeliveryWorker
    dispatcher: Dispatcher
    directory: GroupDirectory
    membership: MembershipService
    rate_limits: RateLimiters
    meetings: MeetingService
    reminders: ReminderPlanner
    checkins: CheckinService
    metrics: PrometheusMetrics
    live: LiveMessages  # shared messages refreshed as people press them (meeting cards)

    @classmethod
    async def open(cls, settings: Settings, *, clock: Clock | None = None) -> BotApp:
        """Connect storage (applying migrations) and wire the commands. A database that
        cannot be used is told once, and a ``StandInDatabase`` takes its place (degraded)."""
        clock = clock or SystemClock()
        # Everything read from files first, so a failure leaves no connection open.
        catalog = Catalog.load(settings.bot.language)
        helplines = _helplines(settings, clock)
        crisis_phrases = CrisisPhrases.load()
        directory = GroupDirectory.from_settings(settings)
        database = await _open_or_stand_in(settings, directory, clock)
        platforms = Platforms()
        rate_limits = rate_limits_of(settings)
        metrics = PrometheusMetrics()  # its own registry: cheap, read only by [http]
        messenger = Messenger(platforms, rate_limits, metrics)
        policy = delivery_policy_of(settings)
        delivery = DeliveryWorker(database, messenger, clock, policy, metrics=metrics)
        outbox = Outbox(clock, delivery)
        domain = DomainServices.build(settings, database, directory, clock, outbox, catalog)
        support = domain.crisis_support(settings, helplines, crisis_phrases)
        live = LiveMessages(platforms.edit, edit_intervals_of(settings))
        registry = domain.registry(settings, helplines, support, live)
        access = GroupAccess(settings.organizers, directory)
        dispatcher = Dispatcher(
            registry,
            access,
            platforms,
            catalog,
            clock,
            text_listener=support,
            metrics=metrics,
            flood=CommandFlood(),
        )
        return cls(
            settings,
            catalog,
            clock,
            database,
            platforms,
            messenger,
            delivery,
            dispatcher,
            directory,
            domain.membership,
            rate_limits=rate_limits,
            meetings=domain.meetings,
            reminders=domain.reminders,
            checkins=domain.checkins,
            metrics=metrics,
            live=live,
        )

    @property
    def storage_problem(self) -> StorageError | None:
        """Why the app serves without its database (None when it has one)."""
        stand_in = self.database
        if isinstance(stand_in, StandInDatabase) and stand_in.degraded:
            return stand_in.problem
        return None

    @property
    def degraded(self) -> bool:
        """Serving without a database: it could not be opened at start (nor since)."""
        return self.storage_problem is not None

    async def reopen_storage(self) -> bool:
        """Degraded: try once more to open the database (syncing the groups); True once it
        works, and from then on every feature uses it (``serve`` then runs the start-up
        work). A try that fails is told only if the problem changed."""
        stand_in = self.database
        if not isinstance(stand_in, StandInDatabase) or not stand_in.degraded:
            return True
        try:
            database = await _open_storage(self.settings, self.directory, self.clock)
        except Exception as error:
            problem = as_problem(error, self.settings.sqlite_path())
            tell_changed(stand_in.problem, problem)
            stand_in.problem = problem
            return False
        stand_in.take_over(database)
        tell_back(self.settings.sqlite_path(), self.settings.storage.url)
        return True

    async def start(self) -> None:
        """Work at start: recount seat counts that drifted from the memberships, then
        seat anyone waiting for a seat that opened while the bot was down (say, the
        organizer raised a group's capacity); their notices go into the outbox, which the
        delivery worker empties along with whatever was pending. Storage that cannot take
        it now only postpones it: the next leave fills seats."""
        if self.degraded:  # done once the database is back
            return
        try:
            await self.membership.settle_seat_counts()
            await self.membership.fill_open_seats()
        except StorageUnavailable as error:
            logger.warning("open seats not filled at start: %s", error)

    async def serve(
        self,
        adapters: Sequence[Adapter],
        stop: asyncio.Event,
        *,
        backoff: Backoff | None = None,
        deliver_after_each: bool = False,
        retry_storage_every: float = RETRY_SECONDS,
    ) -> None:
        """Run ``adapters`` and the delivery worker until ``stop`` is set or all adapters
        have finished. ``deliver_after_each`` (the console) sends what a command put in the
        outbox before its replies are shown, so a transcript reads in a fixed order.
        Degraded, the start-up work (seats, reminders, the outbox) waits until the
        database can be opened, tried every ``retry_storage_every`` seconds."""
        commands = list(self.dispatcher.commands.listed())
        for adapter in adapters:
            self.platforms.attach(adapter)
            try:
                await adapter.register_commands(commands)
            except Exception as error:  # the commands still work when typed
                log_incident(logger, new_incident_id(), f"{adapter.platform} commands", error)
        inbox: Inbox = DeliverAfterEach(self) if deliver_after_each else self.dispatcher
        upkeep = _Upkeep(self, deliver_after_each)
        endpoint = HttpEndpoint(self.settings.http, self.endpoint_source())
        await endpoint.start()  # only with [http] enabled = true
        # What start-up made (modules, the catalog, the config) lives as long as the
        # process: collected once now, then kept out of the collector's full passes,
        # which otherwise walk all of it and held the loop for 50-75 ms each in a
        # fan-out (python -m bench, part 4).
        gc.collect()
        gc.freeze()
        done = asyncio.Event()
        recovering = None
        if self.degraded:
            recovering = asyncio.create_task(self._recover(upkeep, retry_storage_every, done))
        else:
            await upkeep.begin(done)
        adapters_stop = asyncio.Event()  # set once the outbox's sends in flight are done
        stopping = asyncio.create_task(relay_stop(stop, done, upkeep.end, adapters_stop))
        try:
            await Supervisor(inbox, adapters, backoff=backoff).run(adapters_stop)
        finally:
            done.set()
            stopping.cancel()
            if recovering is not None:
                recovering.cancel()
                with contextlib.suppress(asyncio.CancelledError):
                    await recovering
            await upkeep.end()
            await endpoint.stop()

    async def _recover(self, upkeep: _Upkeep, every: float, done: asyncio.Event) -> None:
        if await keep_trying(self.reopen_storage, every, done):
            await _quietly("start-up work once the database opened", upkeep.begin(done))

    async def reload_groups(self, settings: Settings) -> GroupSync:
        """Take the groups of a config read again (SIGHUP): new, changed and removed
        groups, schedules and reminders, capacities (seats that opened are filled and
        their notices queued). Other settings need a restart."""
        fresh = GroupDirectory.from_settings(settings)
        if self.degraded:  # synced (and seats filled) once the database opens
            self.directory.replace(fresh.all())
            return GroupSync()
        forget = timedelta(days=settings.storage.forget_retired_groups_after_days)
        synced = await sync_groups(self.database, fresh.all(), self.clock.now(), forget)
        self.directory.replace(fresh.all())
        await self.membership.fill_open_seats()
        self.delivery.wake()
        return synced

    def endpoint_source(self) -> EndpointSource:
        """What the HTTP endpoint reads: health, metrics and each group's calendar."""
        feeds = CalendarFeeds(self.directory, self.meetings)
        return EndpointSource(self.database, self.metrics, lambda: self.degraded, feeds)

    async def close(self) -> None:
        await self.live.close()
        await self.database.close()


def _helplines(settings: Settings, clock: Clock) -> HelplineDirectory:
    """The crisis helplines (packaged, with the config's [crisis] over them); logs once
    how many rows nobody has verified lately."""
    helplines = HelplineDirectory.load(crisis=settings.crisis)
    stale = helplines.stale(clock.now().date())
    logger.info(
        "crisis helplines: %d of %d rows not verified in the last %d days "
        "(peercircle check-config lists them)",
        len(stale),
        helplines.row_count(),
        STALE_AFTER_DAYS,
    )
    return helplines


class DeliverAfterEach:
    """The dispatcher, plus: after each incoming message, send what it put in the outbox
    (before the adapter shows the replies)."""

    def __init__(self, app: BotApp) -> None:
        self._app = app

    async def handle(self, incoming: Incoming) -> list[Reply]:
        replies = await self._app.dispatcher.handle(incoming)
        if self._app.degraded:  # nothing was queued: there is no outbox to send from
            return replies
        try:
            await self._app.delivery.deliver_due(limit=AFTER_EACH_LIMIT)
        except StorageUnavailable as error:  # the command's own answer says so already
            logger.warning("outbox after a command: storage unavailable (%s)", error.kind.value)
        except Exception as error:  # the worker will try again; the replies still go out
            log_incident(logger, new_incident_id(), "outbox after a command", error)
        return replies

    async def role_here(self, actor: Actor, place: Place) -> Role:
        return await self._app.dispatcher.role_here(actor, place)

    def is_urgent(self, incoming: Incoming) -> bool:
        return self._app.dispatcher.is_urgent(incoming)


class _Upkeep:
    """The work beside serving: the start-up work, the reminder timer and the delivery
    worker. Begun at start, or (degraded) once the database could be opened."""

    def __init__(self, app: BotApp, after_each: bool) -> None:
        self._app = app
        self._after_each = after_each
        self._scheduler = Scheduler(app.metrics)
        self._worker: asyncio.Task[None] | None = None

    async def begin(self, done: asyncio.Event) -> None:
        app = self._app
        await app.start()
        timer = ReminderTimer(
            app.reminders, self._scheduler, app.clock, after_each=app.delivery.wake
        )
        checkins = CheckinTimer(
            app.checkins, self._scheduler, app.clock, after_each=app.delivery.wake
        )
        if self._after_each:  # the console: what came due shows before the first prompt
            await _quietly("reminders at start", timer.start())
            await _quietly("check-ins at start", checkins.start())
        else:  # answer first: catching up (every group's meetings) is the first wake-up
            timer.start_soon()
            checkins.start_soon()
        begin_guild_events(
            app.settings, app.database, app.directory, app.clock, app.catalog, app.platforms,
            self._scheduler,
        )  # fmt: skip
        if self._after_each:  # what is due at start shows first, in a fixed order
            await _quietly("outbox at start", app.delivery.deliver_due(AFTER_EACH_LIMIT))
        self._worker = asyncio.create_task(app.delivery.run(done), name="outbox delivery")

    async def end(self) -> None:
        self._scheduler.shutdown()
        worker, self._worker = self._worker, None
        finishing = finish_worker(worker, DELIVERY_STOP_GRACE) if worker else asyncio.sleep(0)
        await asyncio.gather(finishing, self._app.live.close())  # cards: 1 s at most


async def _quietly(what: str, work: Awaitable[object]) -> None:
    """Start-up work that must not stop the bot from serving (it is tried again)."""
    try:
        await work
    except Exception as error:
        log_incident(logger, new_incident_id(), what, error)


async def _open_or_stand_in(
    settings: Settings, directory: GroupDirectory, clock: Clock
) -> Database:
    """The database, opened; or, when it cannot be, a stand-in (told to the operator once)."""
    try:
        return await _open_storage(settings, directory, clock)
    except Exception as error:  # whatever it is, /crisis must still answer
        problem = as_problem(error, settings.sqlite_path())
        tell_degraded(error, problem, RETRY_SECONDS)
        return StandInDatabase(problem)


async def _open_storage(settings: Settings, directory: GroupDirectory, clock: Clock) -> Database:
    """Connect (applying migrations) and bring the groups table in step with the config."""
    database = open_database(
        settings.storage.url,
        settings.config_dir,
        load_migrations(MIGRATIONS_DIR),
        busy_timeout_ms=settings.storage.busy_timeout_ms,
    )
    await database.connect()
    try:
        forget = timedelta(days=settings.storage.forget_retired_groups_after_days)
        await sync_groups(database, directory.all(), clock.now(), forget)
    except BaseException:
        await database.close()
        raise
    return database
