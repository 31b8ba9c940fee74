"""The running worker claims rows a batch at a time, ahead of its slots: the rows it
holds are never taken by another worker while they wait, what it holds at a stop is
given back at once, and a person found unreachable is not tried again for what was
claimed with it.

These run on the real clock (leases have to run out while rows wait)."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Awaitable, Callable
from datetime import timedelta
from pathlib import Path

import pytest

from bot.clock import SystemClock
from bot.events import Actor
from bot.outbox import DeliveryPolicy, DeliveryWorker, Outbox, OutboxMessage
from bot.outbox.claims import claim_batch
from bot.platforms import MessageRef
from bot.replies import Reply
from tests.fakes.outbound import RecordingOutbound
from tests.harness import Harness, person, write_config

pytestmark = pytest.mark.both_engines

LEASE = 0.6  # seconds: renewed every 0.2 s, so a busy machine does not lose it
people = [person(name) for name in ("ada", "bea", "cal", "dot", "eve")]


class SlowOutbound(RecordingOutbound):
    def __init__(self, seconds: float) -> None:
        super().__init__("console")
        self.seconds = seconds

    async def send_private(self, actor: Actor, reply: Reply) -> MessageRef:
        await asyncio.sleep(self.seconds)
        return await super().send_private(actor, reply)


@pytest.fixture
async def harness(tmp_path: Path) -> AsyncIterator[Harness]:
    opened = await Harness.open(write_config(tmp_path, storage_url="sqlite:///batch.sqlite3"))
    yield opened
    await opened.close()


def _worker(harness: Harness, **policy: object) -> DeliveryWorker:
    chosen = DeliveryPolicy(**{"lease": timedelta(seconds=LEASE), "idle_poll": 0.05, **policy})  # type: ignore[arg-type]
    return DeliveryWorker(harness.app.database, harness.app.messenger, SystemClock(), chosen)


async def _put(harness: Harness, *messages: OutboxMessage) -> None:
    async with harness.app.database.transaction() as tx:
        for message in messages:
            assert await Outbox(SystemClock()).enqueue(tx, message)


def _notes(kind: str = "announcement", to: list[Actor] = people) -> list[OutboxMessage]:
    return [OutboxMessage(f"{kind}:{n}", kind, who, f"Note {n}.") for n, who in enumerate(to)]


async def _rows(harness: Harness) -> list[tuple[str, str, int, bool]]:
    """(dedupe key, status, attempts, claimed) of every row, oldest first."""
    found = await harness.app.database.fetch_all(
        "SELECT dedupe_key, status, attempts, claimed_until FROM outbox ORDER BY id"
    )
    return [
        (str(r["dedupe_key"]), str(r["status"]), int(r["attempts"]), r["claimed_until"] is not None)
        for r in found
    ]


async def _until(done: Callable[[], Awaitable[bool]], within: float = 5) -> None:
    for _ in range(int(within / 0.02)):
        if await done():
            return
        await asyncio.sleep(0.02)
    raise AssertionError(f"not within {within} s")


async def test_rows_waiting_in_a_batch_longer_than_the_lease_are_sent_once(
    harness: Harness,
) -> None:
    slow = SlowOutbound(seconds=0.4)  # the fourth row waits 1.2 s (two leases) for its slot
    harness.app.platforms.attach(slow)
    await _put(harness, *_notes(to=people[:4]))
    first, second = _worker(harness, slots=1), _worker(harness, slots=1)
    stop = asyncio.Event()
    running = [asyncio.create_task(w.run(stop)) for w in (first, second)]

    async def all_sent() -> bool:
        return all(status == "sent" for _, status, _, _ in await _rows(harness))

    try:
        await _until(all_sent)
        await asyncio.sleep(2 * LEASE)  # a row taken over would be sent again by now
    finally:
        stop.set()
        await asyncio.wait_for(asyncio.gather(*running), 5)

    assert [len(slow.inbox(who)) for who in people[:4]] == [1] * 4


async def test_rows_claimed_ahead_are_given_back_when_the_worker_stops(
    harness: Harness,
) -> None:
    slow = SlowOutbound(seconds=0.2)
    harness.app.platforms.attach(slow)
    await _put(harness, *_notes())
    worker = _worker(harness, slots=1, lease=timedelta(seconds=60))
    stop = asyncio.Event()
    running = asyncio.create_task(worker.run(stop))

    async def one_sent() -> bool:
        return len(slow.sent) >= 1

    await _until(one_sent)
    stop.set()
    await asyncio.wait_for(running, 5)

    rows = await _rows(harness)
    waiting = [row for row in rows if row[1] == "pending"]
    assert waiting, "all were sent before the stop: nothing was held"
    assert not any(claimed for *_, claimed in rows)  # due again now, not in 60 s
    assert await worker.deliver_due() == len(waiting)
    assert [len(slow.inbox(who)) for who in people] == [1] * len(people)


async def test_what_was_claimed_with_an_unreachable_person_is_not_tried(
    harness: Harness,
) -> None:
    channel = RecordingOutbound("console")
    ada = people[0]
    channel.unreachable.add(ada.key)
    harness.app.platforms.attach(channel)
    await _put(harness, *_notes(to=[ada, ada, people[1]]), *_notes("reminder", to=[ada]))
    worker = _worker(harness, slots=1)
    stop = asyncio.Event()
    running = asyncio.create_task(worker.run(stop))

    async def all_ended() -> bool:
        return all(status != "pending" for _, status, _, _ in await _rows(harness))

    try:
        await _until(all_ended)
    finally:
        stop.set()
        await asyncio.wait_for(running, 5)

    assert [(key, status, tries) for key, status, tries, _ in await _rows(harness)] == [
        ("announcement:0", "unreachable", 1),
        ("announcement:1", "unreachable", 0),  # claimed with it, never tried
        ("announcement:2", "sent", 1),
        ("reminder:0", "unreachable", 1),  # another kind is tried on its own
    ]


async def test_two_claims_at_once_take_different_rows_oldest_first(harness: Harness) -> None:
    await _put(harness, *_notes())
    db, now, lease = harness.app.database, SystemClock().now(), timedelta(seconds=60)

    one, other = await asyncio.gather(
        claim_batch(db, now, lease, 2), claim_batch(db, now, lease, 2)
    )
    third = await claim_batch(db, now, lease, 2)

    ids = [row.id for row in (*one, *other, *third)]
    assert (len(one), len(other), len(third)) == (2, 2, 1)
    assert sorted(ids) == sorted(set(ids))  # nobody owns a row twice
    assert [row.text for row in sorted((*one, *other), key=lambda r: r.id)] == [
        f"Note {n}." for n in range(4)
    ]
    assert await claim_batch(db, now, lease, 2) == []


async def test_many_messages_are_queued_at_once_each_key_once(harness: Harness) -> None:
    ada = people[0]
    notes = [OutboxMessage(f"many:{n}", "announcement", ada, f"Note {n}.") for n in range(450)]
    await _put(harness, notes[7])  # already there: kept as it is
    outbox = Outbox(SystemClock())

    async with harness.app.database.transaction() as tx:
        added = await outbox.enqueue_many(tx, [*notes, notes[300]])  # one key twice

    assert added == 449
    rows = await harness.app.database.fetch_all("SELECT dedupe_key, status FROM outbox ORDER BY id")
    assert len(rows) == 450
    assert {str(r["dedupe_key"]) for r in rows} == {m.dedupe_key for m in notes}
    assert {str(r["status"]) for r in rows} == {"pending"}


async def test_a_row_withdrawn_while_it_waited_in_a_batch_is_not_sent(harness: Harness) -> None:
    slow = SlowOutbound(seconds=0.3)
    harness.app.platforms.attach(slow)
    await _put(harness, *_notes("reminder", to=people[:4]))
    worker = _worker(harness, slots=1, lease=timedelta(seconds=60), recheck_after=0.1)
    stop = asyncio.Event()
    running = asyncio.create_task(worker.run(stop))

    async def one_sent() -> bool:
        return len(slow.sent) >= 1

    try:
        await _until(one_sent)  # the others wait in the feed, claimed
        async with harness.app.database.transaction() as tx:  # the meeting was cancelled
            await Outbox(SystemClock()).withdraw(tx, "reminder:")
        await asyncio.sleep(1.0)
    finally:
        stop.set()
        await asyncio.wait_for(running, 5)

    assert 1 <= len(slow.sent) <= 2  # the one sent, and one a slot may have been sending
    rows = await _rows(harness)
    assert [status for _, status, _, _ in rows[2:]] == ["expired", "expired"]
