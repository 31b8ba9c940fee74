"""Wakes the server-event sync every ``every`` (a minute): a meeting that ended, or was
cancelled or moved, is seen at the next tick; the sync itself asks the platform only for
a server whose events should change (or now and then, to check).

The first tick is a scheduled job too, never awaited at start: the adapter that offers
the events may still be connecting, and serving must not wait for it.
"""

from __future__ import annotations

import logging
from datetime import timedelta

from bot.catalog import Catalog
from bot.clock import Clock
from bot.config import Settings
from bot.events_port import scheduled_events_port
from bot.platforms import Platforms
from bot.scheduler import Scheduler
from bot.storage.database import Database
from groups.directory import GroupDirectory
from groups.guild_event_sync import GuildEventSync
from groups.guild_events import EventWording

logger = logging.getLogger(__name__)

EVENTS_PLATFORM = "discord"  # the platform whose servers (guilds) groups live in


class GuildEventTimer:
    JOB = "server-events"

    def __init__(
        self,
        sync: GuildEventSync,
        scheduler: Scheduler,
        clock: Clock,
        *,
        every: timedelta = timedelta(minutes=1),
    ) -> None:
        self._sync = sync
        self._scheduler = scheduler
        self._clock = clock
        self._every = every

    def begin(self) -> None:
        """The first tick at once, in the background."""
        self._scheduler.start()
        self._scheduler.wake_at(self.JOB, self._clock.now(), self.tick)

    async def tick(self) -> None:
        try:
            await self._sync.run()
        except Exception as error:  # storage trouble: tried again at the next tick
            logger.warning("server events: could not plan (%s)", type(error).__name__)
        finally:
            self._scheduler.wake_at(self.JOB, self._clock.now() + self._every, self.tick)


def begin_guild_events(
    settings: Settings,
    database: Database,
    directory: GroupDirectory,
    clock: Clock,
    catalog: Catalog,
    platforms: Platforms,
    scheduler: Scheduler,
) -> GuildEventSync | None:
    """Start keeping server events, if an attached adapter offers them and ``[events]
    horizon`` is not 0; the sync (for ``doctor``), or None."""
    port = scheduled_events_port(platforms, EVENTS_PLATFORM)
    section = settings.events
    if port is None or section.horizon == 0:
        return None
    unknown = sorted(set(section.names) - {group.slug for group in directory.all()})
    if unknown:
        logger.warning("[events.names] names no group with the slug(s): %s", ", ".join(unknown))
    wording = EventWording.from_settings(section, catalog)
    sync = GuildEventSync(port, database, directory, clock, wording, horizon=section.horizon)
    GuildEventTimer(sync, scheduler, clock).begin()
    return sync
