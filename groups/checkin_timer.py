"""Keeps check-in time: opens periods, releases closed ones, purges old answers.

Wakes at the next opening or closing of any group's period (and at least every
``longest_sleep``, so a reloaded config is seen soon). At start it catches up: a period
that closed while the bot was down is released then, exactly once.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import datetime, timedelta

from bot.clock import Clock
from bot.scheduler import Scheduler
from groups.checkins import CheckinService

logger = logging.getLogger(__name__)

PURGE_EVERY = timedelta(days=1)


class CheckinTimer:
    JOB = "checkins"

    def __init__(
        self,
        service: CheckinService,
        scheduler: Scheduler,
        clock: Clock,
        *,
        longest_sleep: timedelta = timedelta(minutes=10),
        after_each: Callable[[], None] | None = None,
    ) -> None:
        self._service = service
        self._scheduler = scheduler
        self._clock = clock
        self._longest_sleep = longest_sleep
        self._after_each = after_each
        self._last_purge: datetime | None = None

    async def start(self) -> None:
        """Catch up (release what closed while the bot was down), then keep time."""
        self._scheduler.start()
        await self.tick()

    def start_soon(self) -> None:
        """``start``, with the catching up as the first wake-up, at once: for a bot that
        answers first (the catching up then runs beside its first commands)."""
        self._scheduler.start()
        self._scheduler.wake_at(self.JOB, self._clock.now(), self.tick)

    async def tick(self) -> None:
        try:
            changed = await self._service.run_due()
            await self._purge_daily()
            if changed and self._after_each is not None:
                self._after_each()
        except Exception as error:  # storage trouble: tried again at the next wake
            logger.warning("check-ins: could not open or release (%s)", type(error).__name__)
        finally:
            now = self._clock.now()
            latest = now + self._longest_sleep
            upcoming = self._service.next_due()
            wake = latest if upcoming is None else min(upcoming, latest)
            self._scheduler.wake_at(self.JOB, wake, self.tick)

    async def _purge_daily(self) -> None:
        now = self._clock.now()
        if self._last_purge is not None and now - self._last_purge < PURGE_EVERY:
            return
        removed = await self._service.purge()
        self._last_purge = now
        if removed:
            logger.info("check-ins: %d answers past retention removed", removed)
