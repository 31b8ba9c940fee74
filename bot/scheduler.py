"""Wake-ups at given instants, on APScheduler 3's ``AsyncIOScheduler``.

APScheduler only decides *when to look*; what is due is decided by the callers from the
database, with the injected clock, so nothing important lives in its memory. Its
default would skip a job that starts more than ``misfire_grace_time`` (1 s) late; here a
late wake-up still runs (``misfire_grace_time=None``) and several missed runs of a job
coalesce into one: lateness is the outbox's business (a message's not-after).
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from datetime import datetime

from apscheduler.schedulers.asyncio import AsyncIOScheduler
from apscheduler.triggers.date import DateTrigger

from bot.errors import log_incident, new_incident_id
from bot.metrics import Metrics, NoMetrics

logger = logging.getLogger(__name__)

Job = Callable[[], Awaitable[None]]


class Scheduler:
    def __init__(self, metrics: Metrics | None = None) -> None:
        self._metrics = metrics or NoMetrics()
        self._scheduler = AsyncIOScheduler(
            job_defaults={"misfire_grace_time": None, "coalesce": True, "max_instances": 1},
            timezone="UTC",
        )

    def start(self) -> None:
        """Start (inside the running event loop)."""
        if not self._scheduler.running:
            self._scheduler.start()

    def wake_at(self, job_id: str, when: datetime, job: Job) -> None:
        """Run ``job`` at ``when`` (replacing an earlier wake-up of ``job_id``)."""
        self._scheduler.add_job(
            _contained(job_id, job, self._metrics),
            DateTrigger(run_date=when),
            id=job_id,
            replace_existing=True,
        )

    def shutdown(self) -> None:
        if self._scheduler.running:
            self._scheduler.shutdown(wait=False)


def _contained(job_id: str, job: Job, metrics: Metrics) -> Job:
    async def run() -> None:
        metrics.scheduler_ticked()
        try:
            await job()
        except asyncio.CancelledError:  # the bot is stopping (APScheduler cancels its
            # running jobs at shutdown): not an error; the job is run anew from the
            # database after the next start. Ending here, not re-raising, keeps
            # APScheduler from logging the stop as a failed job.
            logger.info("scheduled %s stopped: the bot is stopping", job_id)
        except Exception as error:  # a failed run is logged; the caller plans the next
            log_incident(logger, new_incident_id(), f"scheduled {job_id}", error)

    return run
