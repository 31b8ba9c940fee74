"""A send slower than its lease is still sent once.

Found by this test: while a slot still waited for the platform, its lease ran out;
another slot claimed the same row and sent it again, and so on every lease, with no
crash at all (a Telegram flood wait of up to 60 s, three times over, or a pacing wait
can make one send that slow). The worker now renews the claim while a send lasts.

This runs on the real clock (the lease has to run out while a send is awaited)."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from datetime import timedelta
from pathlib import Path

import pytest

from bot.clock import SystemClock
from bot.events import Actor
from bot.outbox import DeliveryPolicy, DeliveryWorker, Outbox, OutboxMessage
from bot.platforms import MessageRef
from bot.replies import Reply
from tests.fakes.outbound import RecordingOutbound
from tests.harness import Harness, person, write_config

pytestmark = pytest.mark.both_engines

LEASE = 0.25  # seconds
SEND = 0.6  # seconds one send takes (a platform asking us to wait, say)
cara = person("cara")


class SlowOutbound(RecordingOutbound):
    async def send_private(self, actor: Actor, reply: Reply) -> MessageRef:
        await asyncio.sleep(SEND)
        return await super().send_private(actor, reply)


@pytest.fixture
async def harness(tmp_path: Path) -> AsyncIterator[Harness]:
    opened = await Harness.open(write_config(tmp_path, storage_url="sqlite:///slow.sqlite3"))
    yield opened
    await opened.close()


async def _sent_status(harness: Harness) -> str:
    row = await harness.app.database.fetch_one("SELECT status FROM outbox")
    assert row is not None
    return str(row["status"])


async def test_a_send_slower_than_the_lease_is_delivered_once(harness: Harness) -> None:
    slow = SlowOutbound("console")
    harness.app.platforms.attach(slow)
    clock = SystemClock()
    policy = DeliveryPolicy(slots=2, lease=timedelta(seconds=LEASE), idle_poll=0.05)
    worker = DeliveryWorker(harness.app.database, harness.app.messenger, clock, policy)
    async with harness.app.database.transaction() as tx:
        notice = OutboxMessage("slow:1", "announcement", cara, "The circle meets on Tuesday.")
        assert await Outbox(clock).enqueue(tx, notice)

    stop = asyncio.Event()
    running = asyncio.create_task(worker.run(stop))
    for _ in range(20):  # until the row is recorded, at most 2 s
        await asyncio.sleep(0.1)
        if await _sent_status(harness) == "sent":
            break
    stop.set()
    await asyncio.wait_for(running, 5)

    assert await _sent_status(harness) == "sent"
    assert len(slow.inbox(cara)) == 1, f"sent {len(slow.inbox(cara))} times"
