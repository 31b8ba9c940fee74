"""The composition root: the one place that knows the core, the domain and the adapters.

``BotApp.open`` builds everything from settings in dependency order; ``serve`` runs the
adapters under the supervisor until stopped; ``close`` undoes ``open``. Tests build the
very same app (with an in-memory database and a fake clock).
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import groups
from adapters.base import Adapter
from bot.catalog import Catalog
from bot.clock import Clock, SystemClock
from bot.commands import CommandRegistry
from bot.config import Settings
from bot.dispatcher import Dispatcher
from bot.errors import log_incident, new_incident_id
from bot.messenger import Messenger
from bot.platforms import Platforms
from bot.storage import Database, load_migrations, open_database
from bot.supervisor import Backoff, Supervisor
from groups.access import GroupAccess
from groups.commands import GroupCommands
from groups.crisis import HelplineDirectory
from groups.directory import GroupDirectory
from groups.membership import MembershipService
from groups.notices import MembershipNotices
from groups.roster import RosterCommands

logger = logging.getLogger(__name__)

MIGRATIONS_DIR = Path(groups.__file__).parent / "migrations"


@dataclass(frozen=True, slots=True)
class BotApp:
    settings: Settings
    catalog: Catalog
    clock: Clock
    database: Database
    platforms: Platforms
    messenger: Messenger
    dispatcher: Dispatcher
    directory: GroupDirectory
    membership: MembershipService
    notices: MembershipNotices

    @classmethod
    async def open(cls, settings: Settings, *, clock: Clock | None = None) -> BotApp:
        """Connect storage (applying migrations) and wire the commands. Raises
        ``StorageError`` when the database cannot be used."""
        clock = clock or SystemClock()
        # Everything read from files first, so a failure leaves no connection open.
        catalog = Catalog.load(settings.bot.language)
        helplines = HelplineDirectory.load()
        directory = GroupDirectory.from_settings(settings)
        database = open_database(
            settings.storage.url,
            settings.config_dir,
            load_migrations(MIGRATIONS_DIR),
            busy_timeout_ms=settings.storage.busy_timeout_ms,
        )
        await database.connect()
        platforms = Platforms()
        messenger = Messenger(platforms)
        membership = MembershipService(database, directory, clock)
        notices = MembershipNotices(messenger, catalog)
        members = GroupCommands(
            membership,
            directory,
            notices,
            helplines,
            bot_name=settings.bot.name,
            country=settings.bot.country,
        )
        facilitators = RosterCommands(membership, directory, notices)
        registry = CommandRegistry([*members.specs(), *facilitators.specs()])
        access = GroupAccess(settings.organizers, directory)
        dispatcher = Dispatcher(registry, access, platforms, catalog, clock)
        return cls(
            settings,
            catalog,
            clock,
            database,
            platforms,
            messenger,
            dispatcher,
            directory,
            membership,
            notices,
        )

    async def start(self) -> None:
        """Work that needs the adapters attached: seat anyone waiting for a seat that opened
        while the bot was down (say, the organizer raised a group's capacity)."""
        for group, membership in await self.membership.fill_open_seats():
            await self.notices.seat_offered(group, membership)

    async def serve(
        self, adapters: Sequence[Adapter], stop: asyncio.Event, *, backoff: Backoff | None = None
    ) -> None:
        """Run ``adapters`` until ``stop`` is set or all of them have finished."""
        commands = list(self.dispatcher.commands)
        for adapter in adapters:
            self.platforms.attach(adapter)
            try:
                await adapter.register_commands(commands)
            except Exception as error:  # the commands still work when typed
                log_incident(logger, new_incident_id(), f"{adapter.platform} commands", error)
        await self.start()
        await Supervisor(self.dispatcher, adapters, backoff=backoff).run(stop)

    async def close(self) -> None:
        await self.database.close()
