"""The composition root: the one place that knows the core, the domain and the adapters.

``BotApp.open`` builds everything from settings in dependency order; ``close`` undoes it.
Tests build the very same app (with an in-memory database and a fake clock).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from pathlib import Path

import groups
from bot.catalog import Catalog
from bot.clock import Clock, SystemClock
from bot.commands import CommandRegistry
from bot.config import Settings
from bot.dispatcher import Dispatcher
from bot.messenger import Messenger
from bot.permissions import ConfiguredRoles
from bot.storage import Database, load_migrations, open_database
from groups.commands import GroupCommands
from groups.crisis import HelplineDirectory
from groups.directory import GroupDirectory
from groups.membership import MembershipService
from groups.notices import MembershipNotices

logger = logging.getLogger(__name__)

MIGRATIONS_DIR = Path(groups.__file__).parent / "migrations"


@dataclass(frozen=True, slots=True)
class BotApp:
    settings: Settings
    catalog: Catalog
    clock: Clock
    database: Database
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
            settings.storage.url, settings.config_dir, load_migrations(MIGRATIONS_DIR)
        )
        await database.connect()
        messenger = Messenger()
        membership = MembershipService(database, directory, clock)
        notices = MembershipNotices(messenger, catalog)
        commands = GroupCommands(
            membership,
            directory,
            notices,
            helplines,
            bot_name=settings.bot.name,
            country=settings.bot.country,
        )
        roles = ConfiguredRoles(settings.organizers, directory.facilitator_keys())
        dispatcher = Dispatcher(CommandRegistry(commands.specs()), roles, catalog, clock)
        return cls(
            settings,
            catalog,
            clock,
            database,
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

    async def close(self) -> None:
        await self.database.close()
