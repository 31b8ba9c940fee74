"""The supervisor: one loop for every adapter, restarts with backoff, a clean stop."""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Callable

import pytest

from bot.supervisor import Backoff, Handler, Supervisor
from tests.harness import Harness

QUICK = Backoff(first=0.01, longest=0.04, healthy_after=10)


class StandInAdapter:
    """A platform stand-in: serves until stopped, crashing on its first ``crashes``
    starts; records what happened to it."""

    def __init__(self, platform: str, *, crashes: int = 0, ignores_stop: bool = False) -> None:
        self.platform = platform
        self.crashes = crashes
        self.ignores_stop = ignores_stop
        self.starts = 0
        self.stopped = asyncio.Event()
        self.finished_cleanly = False

    async def start(self, inbox: Handler) -> None:
        self.starts += 1
        if self.starts <= self.crashes:
            raise ConnectionError("the platform hung up")
        if self.ignores_stop:
            await asyncio.Event().wait()
        await self.stopped.wait()
        self.finished_cleanly = True

    async def stop(self) -> None:
        self.stopped.set()


class FinishingAdapter(StandInAdapter):
    async def start(self, inbox: Handler) -> None:
        self.starts += 1


async def _until(condition: Callable[[], bool]) -> None:
    """Poll ``condition`` (a stand-in's counter) until it holds, for at most 5 s."""
    async with asyncio.timeout(5):
        while not condition():  # noqa: ASYNC110 - polling a plain attribute
            await asyncio.sleep(0.005)


async def test_a_crashed_adapter_is_restarted_and_the_others_keep_running(
    harness: Harness, caplog: pytest.LogCaptureFixture
) -> None:
    flaky = StandInAdapter("telegram", crashes=3)
    steady = StandInAdapter("discord")
    supervisor = Supervisor(harness.app.dispatcher, [flaky, steady], backoff=QUICK)
    stop = asyncio.Event()

    with caplog.at_level(logging.WARNING):
        running = asyncio.create_task(supervisor.run(stop))
        await _until(lambda: flaky.starts == 4)
        stop.set()
        await asyncio.wait_for(running, timeout=5)

    assert supervisor.restarts == {"telegram": 3, "discord": 0}
    assert steady.starts == 1
    assert steady.finished_cleanly
    assert flaky.finished_cleanly
    assert caplog.text.count("ConnectionError") == 3
    assert "hung up" not in caplog.text  # logged by type and stack, never the message


async def test_pauses_between_restarts_double_up_to_the_ceiling(harness: Harness) -> None:
    flaky = StandInAdapter("telegram", crashes=5)
    supervisor = Supervisor(
        harness.app.dispatcher, [flaky], backoff=Backoff(first=0.05, longest=0.1)
    )
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    began = loop.time()

    running = asyncio.create_task(supervisor.run(stop))
    await _until(lambda: flaky.starts == 6)
    elapsed = loop.time() - began
    stop.set()
    await running

    assert elapsed >= 0.05 + 0.1 + 0.1 + 0.1 + 0.1  # 0.05, then capped at 0.1


async def test_a_stop_during_a_pause_does_not_wait_for_the_pause(harness: Harness) -> None:
    flaky = StandInAdapter("telegram", crashes=100)
    supervisor = Supervisor(harness.app.dispatcher, [flaky], backoff=Backoff(first=30))
    stop = asyncio.Event()

    running = asyncio.create_task(supervisor.run(stop))
    await _until(lambda: flaky.starts == 1)
    stop.set()

    await asyncio.wait_for(running, timeout=2)


async def test_an_adapter_that_will_not_stop_is_cancelled_after_the_grace(
    harness: Harness,
) -> None:
    stuck = StandInAdapter("telegram", ignores_stop=True)
    supervisor = Supervisor(harness.app.dispatcher, [stuck], stop_grace=0.1)
    stop = asyncio.Event()

    running = asyncio.create_task(supervisor.run(stop))
    await _until(lambda: stuck.starts == 1)
    stop.set()

    await asyncio.wait_for(running, timeout=2)
    assert not stuck.finished_cleanly


async def test_when_every_adapter_has_finished_the_supervisor_returns(harness: Harness) -> None:
    done = FinishingAdapter("console")
    await asyncio.wait_for(Supervisor(harness.app.dispatcher, [done]).run(asyncio.Event()), 2)
    assert done.starts == 1


async def test_one_adapter_finishing_leaves_the_others_running_without_busy_waiting(
    harness: Harness,
) -> None:
    done, serving = FinishingAdapter("console"), StandInAdapter("telegram")
    stop = asyncio.Event()
    running = asyncio.create_task(Supervisor(harness.app.dispatcher, [done, serving]).run(stop))
    await _until(lambda: serving.starts == 1)
    cpu = time.process_time()

    await asyncio.sleep(0.3)

    assert time.process_time() - cpu < 0.1  # waiting, not spinning
    assert not running.done()
    stop.set()
    await asyncio.wait_for(running, timeout=2)
    assert serving.finished_cleanly
