"""The outbox: each logical message once, and an honest record of what became of it."""

from __future__ import annotations

import asyncio
import random
from datetime import timedelta

import pytest

from bot.events import Actor, Place
from bot.messenger import Messenger
from bot.outbox import DeliveryPolicy, DeliveryWorker, Outbox, OutboxMessage
from bot.platforms import MessageRef, PlatformBusy, Platforms
from bot.replies import Audience, Reply
from bot.storage import Database
from tests.fakes.clock import FakeClock
from tests.fakes.outbound import RecordingOutbound
from tests.harness import Harness

pytestmark = pytest.mark.both_engines

tina = Actor("telegram", "701", "Tina")
uma = Actor("telegram", "702", "Uma")


class Flaky(RecordingOutbound):
    """Fails the first ``failures`` sends with ``error``."""

    def __init__(self, failures: int, error: Exception) -> None:
        super().__init__("telegram")
        self.failures = failures
        self.error = error
        self.tries = 0

    async def send_private(self, actor: Actor, reply: Reply) -> MessageRef:
        self.tries += 1
        if self.tries <= self.failures:
            raise self.error
        return await super().send_private(actor, reply)


def note(
    key: str, to: Actor | Place = tina, kind: str = "membership", **extra: object
) -> OutboxMessage:
    return OutboxMessage(dedupe_key=key, kind=kind, target=to, text=f"note {key}", **extra)  # type: ignore[arg-type]


class Rig:
    """The real worker and store on the harness's database, with a platform of our own."""

    def __init__(self, harness: Harness, platform: RecordingOutbound | None = None) -> None:
        self.db: Database = harness.app.database
        self.clock: FakeClock = harness.clock
        self.platforms = Platforms()
        if platform is not None:
            self.platforms.attach(platform)
        policy = DeliveryPolicy(max_attempts=3, lease=timedelta(seconds=60))
        self.worker = DeliveryWorker(
            self.db, Messenger(self.platforms), self.clock, policy, rng=random.Random(7)
        )
        self.outbox = Outbox(self.clock, self.worker)

    async def put(self, *messages: OutboxMessage) -> list[bool]:
        async with self.db.transaction() as tx:
            return [await self.outbox.enqueue(tx, m) for m in messages]

    async def rows(self) -> list[dict[str, object]]:
        found = await self.db.fetch_all(
            "SELECT dedupe_key, status, attempts, last_error, body, next_attempt_at"
            " FROM outbox ORDER BY id"
        )
        return [dict(row) for row in found]


async def test_one_key_is_one_message_however_often_it_is_enqueued(harness: Harness) -> None:
    channel = RecordingOutbound("telegram")
    rig = Rig(harness, channel)

    assert await rig.put(note("a"), note("a")) == [True, False]
    assert await rig.put(note("a")) == [False]
    assert await rig.worker.deliver_due() == 1
    assert await rig.worker.deliver_due() == 0

    assert [r.text for r in channel.inbox(tina)] == ["note a"]
    assert [r.audience for r in channel.inbox(tina)] == [Audience.PRIVATE_MESSAGE]
    [row] = await rig.rows()
    assert (row["status"], row["attempts"], row["body"]) == ("sent", 1, "")


async def test_a_message_for_a_chat_is_posted_for_everyone_there(harness: Harness) -> None:
    channel = RecordingOutbound("telegram")
    rig = Rig(harness, channel)
    chat = Place("telegram", "-100123", private=False, thread_id="7")
    await rig.put(note("post", to=chat, kind="announcement"))

    await rig.worker.deliver_due()

    [(place, reply)] = channel.posted
    assert place == chat
    assert reply.audience is Audience.HERE


def test_a_private_chat_is_not_a_place_to_post_to() -> None:
    with pytest.raises(ValueError, match="as an Actor"):
        note("x", to=Place("telegram", "701", private=True))


def test_a_window_that_closes_before_it_opens_is_refused() -> None:
    now = FakeClock().now()
    with pytest.raises(ValueError, match="not_after"):
        note("x", not_before=now, not_after=now - timedelta(seconds=1))


async def test_an_unreachable_person_is_tried_once_for_that_kind(harness: Harness) -> None:
    channel = RecordingOutbound("telegram")
    channel.unreachable.add(tina.key)
    rig = Rig(harness, channel)
    await rig.put(note("m1"), note("m2"), note("r1", kind="reminder"), note("u1", to=uma))

    await rig.worker.deliver_due()

    statuses = {r["dedupe_key"]: (r["status"], r["attempts"]) for r in await rig.rows()}
    assert statuses["m1"] == ("unreachable", 1)
    assert statuses["m2"] == ("unreachable", 0)  # never tried: same person, same kind
    assert statuses["r1"] == ("unreachable", 1)  # another kind is tried on its own
    assert statuses["u1"] == ("sent", 1)
    assert [r.text for r in channel.inbox(uma)] == ["note u1"]


async def test_a_failure_is_tried_again_later_with_a_growing_jittered_pause(
    harness: Harness,
) -> None:
    channel = Flaky(2, ConnectionError("down"))
    rig = Rig(harness, channel)
    await rig.put(note("a"))

    await rig.worker.deliver_due()
    [row] = await rig.rows()
    assert (row["status"], row["attempts"], row["last_error"]) == ("pending", 1, "ConnectionError")
    assert await rig.worker.deliver_due() == 0  # not due yet
    first = rig.worker.pause_after(1, None)
    assert timedelta(seconds=5) <= first <= timedelta(seconds=10)
    assert rig.worker.pause_after(5, None) > timedelta(seconds=40)  # doubles per attempt

    rig.clock.advance(seconds=11)
    await rig.worker.deliver_due()
    rig.clock.advance(seconds=21)
    await rig.worker.deliver_due()

    assert [r.text for r in channel.inbox(tina)] == ["note a"]
    assert channel.tries == 3


async def test_the_platforms_retry_after_is_honoured(harness: Harness) -> None:
    channel = Flaky(1, PlatformBusy(90))
    rig = Rig(harness, channel)
    await rig.put(note("a"))

    await rig.worker.deliver_due()
    rig.clock.advance(seconds=60)  # past the pause of our own, not past retry_after
    assert await rig.worker.deliver_due() == 0
    rig.clock.advance(seconds=31)
    assert await rig.worker.deliver_due() == 1
    assert len(channel.inbox(tina)) == 1


async def test_after_the_last_attempt_a_message_ends_as_failed(
    harness: Harness, caplog: pytest.LogCaptureFixture
) -> None:
    channel = Flaky(99, ConnectionError("down"))
    rig = Rig(harness, channel)
    await rig.put(note("a"))

    for _ in range(3):
        await rig.worker.deliver_due()
        rig.clock.advance(hours=2)

    [row] = await rig.rows()
    assert (row["status"], row["attempts"], row["body"]) == ("failed", 3, "")
    assert "gave up after 3 attempts" in caplog.text
    assert "note a" not in caplog.text


async def test_a_message_past_its_not_after_expires_unsent(harness: Harness) -> None:
    channel = RecordingOutbound("telegram")
    rig = Rig(harness, channel)
    now = rig.clock.now()
    await rig.put(note("late", not_after=now + timedelta(minutes=5)))
    await rig.put(note("soon", not_before=now + timedelta(minutes=10)))

    rig.clock.advance(minutes=6)  # the bot was down while "late" was due
    assert await rig.worker.deliver_due() == 1
    rig.clock.advance(minutes=5)
    await rig.worker.deliver_due()

    statuses = {r["dedupe_key"]: r["status"] for r in await rig.rows()}
    assert statuses == {"late": "expired", "soon": "sent"}
    assert [r.text for r in channel.inbox(tina)] == ["note soon"]


async def test_with_no_route_a_message_waits_for_its_platform(harness: Harness) -> None:
    rig = Rig(harness)  # no telegram adapter running
    await rig.put(note("a"))

    await rig.worker.deliver_due()
    [row] = await rig.rows()
    assert (row["status"], row["attempts"], row["last_error"]) == ("pending", 0, "no_route")

    channel = RecordingOutbound("telegram")
    rig.platforms.attach(channel)
    rig.clock.advance(seconds=31)
    await rig.worker.deliver_due()
    assert len(channel.inbox(tina)) == 1


async def test_a_claimed_message_is_not_sent_twice_until_its_lease_runs_out(
    harness: Harness,
) -> None:
    channel = RecordingOutbound("telegram")
    rig = Rig(harness, channel)
    await rig.put(note("a"))
    claimed = await rig.worker.store.claim(rig.db, rig.clock.now(), timedelta(seconds=60))
    assert claimed is not None  # then the sender "crashes": nothing is recorded

    assert await rig.worker.deliver_due() == 0
    rig.clock.advance(seconds=61)
    assert await rig.worker.deliver_due() == 1
    # The crashed sender's late record changes nothing: its claim is no longer its own.
    assert not await rig.worker.store.finish(rig.db, claimed, "failed", rig.clock.now(), None)
    [row] = await rig.rows()
    assert row["status"] == "sent"


async def test_the_running_worker_sends_a_new_message_promptly(harness: Harness) -> None:
    channel = RecordingOutbound("telegram")
    rig = Rig(harness, channel)
    stop = asyncio.Event()
    running = asyncio.create_task(rig.worker.run(stop))
    await asyncio.sleep(0.05)

    await rig.put(note("a"))
    for _ in range(100):
        if channel.sent:
            break
        await asyncio.sleep(0.01)
    stop.set()
    await asyncio.wait_for(running, 2)

    assert len(channel.inbox(tina)) == 1


async def test_delivering_after_a_command_stops_at_its_limit(harness: Harness) -> None:
    channel = RecordingOutbound("telegram")
    rig = Rig(harness, channel)
    await rig.put(*(note(f"n{i}") for i in range(5)))

    assert await rig.worker.deliver_due(limit=2) == 2
    assert await rig.worker.deliver_due() == 3
    assert [r.text for r in channel.inbox(tina)] == [f"note n{i}" for i in range(5)]


async def test_keys_under_a_prefix_are_found_and_withdrawn_by_range(harness: Harness) -> None:
    channel = RecordingOutbound("telegram")
    rig = Rig(harness, channel)
    await rig.put(note("r:a:1"), note("r:a:2"), note("r:ab:1"), note("r:b:1"))

    assert await rig.outbox.keys_under(rig.db, "r:a:") == {"r:a:1", "r:a:2"}
    async with rig.db.transaction() as tx:
        assert await rig.outbox.withdraw(tx, "r:a:") == 2
    await rig.worker.deliver_due()
    assert await rig.outbox.undelivered(rig.db, "r:a:") == 0  # withdrawn is not "missed"
    assert sorted(r.text for r in channel.inbox(tina)) == ["note r:ab:1", "note r:b:1"]
