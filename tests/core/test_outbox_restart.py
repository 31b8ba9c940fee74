"""A seat offer is not lost when delivery dies between the commit and the send, and is
not sent twice when the bot comes back: the platform fails the send, the delivery task
is cancelled in the middle of it, or the bot stops before delivering at all. Each time
the bot is "restarted" (the harness closed and opened again on the same SQLite file)."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from bot.events import Actor
from bot.platforms import MessageRef
from bot.replies import Reply
from groups.models import Group
from tests.fakes.clock import FakeClock
from tests.fakes.outbound import RecordingOutbound
from tests.harness import Harness, person, write_config

pytestmark = pytest.mark.both_engines

alice, bob, cara = (person(n) for n in ("alice", "bob", "cara"))
OFFER = "a seat has opened up in Tuesday Circle"
LEASE = 60  # seconds: the [delivery] lease_seconds default
LONGEST_FIRST_PAUSE = 10  # seconds: the most the worker waits after a first failure


class FailingOutbound(RecordingOutbound):
    """A platform whose every send fails with a network error."""

    def __init__(self, platform: str) -> None:
        super().__init__(platform)
        self.tries = 0

    async def send_private(self, actor: Actor, reply: Reply) -> MessageRef:
        self.tries += 1
        raise ConnectionError("the platform went away")


class StuckOutbound(RecordingOutbound):
    """A platform whose sends hang (until ``release`` is set)."""

    def __init__(self, platform: str) -> None:
        super().__init__(platform)
        self.entered = asyncio.Event()
        self.release = asyncio.Event()

    async def send_private(self, actor: Actor, reply: Reply) -> MessageRef:
        self.entered.set()
        await self.release.wait()
        return await super().send_private(actor, reply)


class Bots:
    """Starts and restarts the bot on one SQLite file; whatever is still open at the end
    of the test is closed (a test that failed half-way must not leave a connection
    behind: its thread would keep pytest from exiting)."""

    def __init__(self, config: Path) -> None:
        self._config = config
        self._opened: list[Harness] = []

    async def open(self, clock: FakeClock, console: RecordingOutbound | None = None) -> Harness:
        """The bot on the file with ``clock``; ``console`` (if given) as the console."""
        harness = await Harness.open(self._config, clock)
        self._opened.append(harness)
        if console is not None:
            harness.outbound["console"] = console
            harness.app.platforms.attach(console)
        return harness

    async def restart(self, old: Harness, *, after_seconds: float) -> Harness:
        """Close ``old``; open the bot again ``after_seconds`` later, with a console
        that works."""
        await old.close()
        clock = FakeClock(old.clock.now())
        clock.advance(seconds=after_seconds)
        return await self.open(clock)

    async def close_all(self) -> None:
        for harness in self._opened:
            console = harness.outbound["console"]
            if isinstance(console, StuckOutbound):
                console.release.set()
            await harness.close()


async def _fill_the_group(harness: Harness) -> None:
    """Alice and Bob take the two seats; Cara waits."""
    for member in (alice, bob, cara):
        await harness.say("/join circle", as_=member)


def _circle(harness: Harness) -> Group:
    group = harness.app.directory.get("circle")
    assert group is not None
    return group


async def _offers(harness: Harness) -> list[tuple[str, str, int]]:
    """(status, dedupe key, attempts) of every seat-offer row."""
    rows = await harness.app.database.fetch_all(
        "SELECT status, dedupe_key, attempts FROM outbox"
        " WHERE dedupe_key LIKE 'seat-offer:%' ORDER BY id"
    )
    return [(str(r["status"]), str(r["dedupe_key"]), int(r["attempts"])) for r in rows]


async def _assert_offered_once_for_good(harness: Harness) -> None:
    """Cara has exactly one seat offer, however often the bot looks for open seats (as
    at every start) and delivers again afterwards; nobody else got one."""
    for _ in range(2):
        assert [OFFER in reply.text for reply in harness.inbox(cara)] == [True]
        await harness.app.start()
        await harness.app.delivery.deliver_due()
    [(status, key, _)] = await _offers(harness)
    assert status == "sent"
    assert key.startswith("seat-offer:circle:console:cara:")
    assert [actor.key for actor, _ in harness.outbound["console"].sent] == [cara.key]


@pytest.fixture
async def bots(tmp_path: Path) -> AsyncIterator[Bots]:
    """Two seats in "circle", on a SQLite file that outlives each start of the bot."""
    started = Bots(write_config(tmp_path, storage_url="sqlite:///outbox.sqlite3"))
    yield started
    await started.close_all()


async def test_a_failed_send_is_tried_again_after_a_restart_and_arrives_once(
    bots: Bots,
) -> None:
    failing = FailingOutbound("console")
    first = await bots.open(FakeClock(), failing)
    await _fill_the_group(first)

    reply = await first.text("/leave circle", as_=alice)  # then delivery runs, and fails

    assert "your seat has been freed" in reply
    assert failing.tries == 1
    assert first.inbox(cara) == []
    [(status, _, attempts)] = await _offers(first)
    assert (status, attempts) == ("pending", 1)
    second = await bots.restart(first, after_seconds=0)
    assert await second.app.delivery.deliver_due() == 0  # still pausing after the failure
    second.clock.advance(seconds=LONGEST_FIRST_PAUSE + 1)
    assert await second.app.delivery.deliver_due() == 1
    await _assert_offered_once_for_good(second)
    assert failing.tries == 1


async def test_a_send_cancelled_midway_is_sent_once_after_the_lease_runs_out(
    bots: Bots,
) -> None:
    stuck = StuckOutbound("console")
    first = await bots.open(FakeClock(), stuck)
    await _fill_the_group(first)
    left = await first.app.membership.leave(alice, _circle(first))  # committed with its notice
    assert [m.member.key for m in left.promoted] == [cara.key]

    delivering = asyncio.create_task(first.app.delivery.deliver_due())
    await asyncio.wait_for(stuck.entered.wait(), 5)
    delivering.cancel()
    with pytest.raises(asyncio.CancelledError):
        await delivering

    assert stuck.sent == []
    second = await bots.restart(first, after_seconds=1)
    assert await second.app.delivery.deliver_due() == 0  # the dead send's lease holds
    assert second.inbox(cara) == []
    second.clock.advance(seconds=LEASE)
    assert await second.app.delivery.deliver_due() == 1
    await _assert_offered_once_for_good(second)


async def test_a_notice_committed_but_never_delivered_goes_out_once_after_a_restart(
    bots: Bots,
) -> None:
    first = await bots.open(FakeClock())
    await _fill_the_group(first)
    await first.app.membership.leave(alice, _circle(first))  # then the bot stops, undelivered

    second = await bots.restart(first, after_seconds=5)
    await second.app.start()
    assert await second.app.delivery.deliver_due() == 1
    await _assert_offered_once_for_good(second)
