"""A wake-up still running when the bot stops ends quietly: a stop is not an error, and
an operator must not learn to skim past ERROR lines because every stop writes one."""

from __future__ import annotations

import asyncio
import logging
from datetime import UTC, datetime

import pytest

from bot.scheduler import Scheduler


async def test_a_wake_up_running_at_shutdown_ends_without_an_error(
    caplog: pytest.LogCaptureFixture,
) -> None:
    scheduler = Scheduler()
    scheduler.start()
    started, ended = asyncio.Event(), asyncio.Event()

    async def long_job() -> None:
        started.set()
        try:
            await asyncio.sleep(60)
        finally:
            ended.set()

    scheduler.wake_at("long", datetime.now(UTC), long_job)
    await asyncio.wait_for(started.wait(), 5)
    with caplog.at_level(logging.INFO):
        scheduler.shutdown()
        await asyncio.wait_for(ended.wait(), 5)
        await asyncio.sleep(0.05)  # the executor's callback, after the job's end

    assert not [r for r in caplog.records if r.levelno >= logging.ERROR], caplog.text
    assert "stopped" in caplog.text  # said once, plainly
