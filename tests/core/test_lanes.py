"""MemberLanes: each member's items in order, members side by side, urgent items at once,
a bounded backlog, and a drain for stopping. Items here are strings; a work function
records what ran and, for items named in ``gates``, waits until the test opens the gate."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable

import pytest

from bot.lanes import MemberLanes, Posted

WITHIN = 5.0


class Recorder:
    """The work and refusal functions, with gates that hold chosen items."""

    def __init__(self, *held: str) -> None:
        self.started: list[str] = []
        self.finished: list[str] = []
        self.refused: list[str] = []
        self.gates = {item: asyncio.Event() for item in held}
        self.failing: set[str] = set()
        self._progress = asyncio.Event()

    async def work(self, item: str) -> None:
        self._record(self.started, item)
        if item in self.gates:
            await self.gates[item].wait()
        if item in self.failing:
            raise RuntimeError(f"secret member text {item}")
        self._record(self.finished, item)

    async def refuse(self, item: str) -> None:
        self._record(self.refused, item)

    async def until(self, condition: Callable[[], bool]) -> None:
        async with asyncio.timeout(WITHIN):
            while not condition():
                progress = self._progress
                await progress.wait()

    def _record(self, into: list[str], item: str) -> None:
        into.append(item)
        self._progress.set()
        self._progress = asyncio.Event()

    def lanes(self, limit: int = 20) -> MemberLanes[str]:
        return MemberLanes(self.work, self.refuse, limit=limit, name="test lanes")


def _lane_tasks() -> list[asyncio.Task[object]]:
    return [t for t in asyncio.all_tasks() if t.get_name().startswith("test lanes")]


async def test_one_members_items_run_one_at_a_time_in_the_order_posted() -> None:
    recorder = Recorder("a1")
    lanes = recorder.lanes()
    for item in ("a1", "a2", "a3", "a4"):
        assert lanes.post("alice", item) is Posted.TAKEN
    await recorder.until(lambda: recorder.started == ["a1"])
    await asyncio.sleep(0.01)

    assert recorder.started == ["a1"]  # a2 waits for a1, however long that takes
    assert lanes.in_hand("alice") == 4
    recorder.gates["a1"].set()
    await asyncio.wait_for(lanes.settled("alice"), WITHIN)

    assert recorder.finished == ["a1", "a2", "a3", "a4"]
    assert lanes.in_hand("alice") == 0


async def test_different_members_run_side_by_side() -> None:
    recorder = Recorder("a1")
    lanes = recorder.lanes()
    lanes.post("alice", "a1")
    lanes.post("alice", "a2")
    lanes.post("bob", "b1")
    lanes.post("cara", "c1")

    await asyncio.wait_for(lanes.settled("bob"), WITHIN)
    await asyncio.wait_for(lanes.settled("cara"), WITHIN)

    assert recorder.finished == ["b1", "c1"]  # while alice's a1 is still held
    recorder.gates["a1"].set()
    await asyncio.wait_for(lanes.settled(), WITHIN)
    assert recorder.finished == ["b1", "c1", "a1", "a2"]


async def test_an_urgent_item_runs_at_once_even_behind_the_same_members_held_item() -> None:
    recorder = Recorder("a1")
    lanes = recorder.lanes()
    lanes.post("alice", "a1")
    lanes.post("alice", "a2")
    assert lanes.post("alice", "crisis", urgent=True) is Posted.TAKEN
    await recorder.until(lambda: "crisis" in recorder.finished)

    assert recorder.finished == ["crisis"]
    assert lanes.in_hand("alice") == 2  # a1 and a2: the urgent one is done
    recorder.gates["a1"].set()
    await asyncio.wait_for(lanes.settled("alice"), WITHIN)
    assert recorder.finished == ["crisis", "a1", "a2"]  # the lane kept its order


async def test_without_the_urgent_flag_the_same_item_waits_its_turn() -> None:
    recorder = Recorder("a1")
    lanes = recorder.lanes()
    lanes.post("alice", "a1")
    lanes.post("alice", "crisis")
    await asyncio.sleep(0.02)

    assert recorder.finished == []
    recorder.gates["a1"].set()
    await asyncio.wait_for(lanes.settled(), WITHIN)


async def test_a_full_backlog_is_refused_once_then_dropped_until_there_is_room() -> None:
    recorder = Recorder("a1")
    lanes = recorder.lanes(limit=3)
    assert [lanes.post("alice", item) for item in ("a1", "a2", "a3")] == [Posted.TAKEN] * 3

    assert lanes.post("alice", "a4") is Posted.REFUSED
    assert lanes.post("alice", "a5") is Posted.DROPPED
    assert lanes.post("alice", "urgent", urgent=True) is Posted.DROPPED  # counted too
    assert lanes.post("bob", "b1") is Posted.TAKEN  # a bound per member, not for all
    await recorder.until(lambda: recorder.refused == ["a4"])

    recorder.gates["a1"].set()
    await asyncio.wait_for(lanes.settled("alice"), WITHIN)
    assert recorder.finished[-3:] == ["a1", "a2", "a3"]
    assert lanes.post("alice", "a6") is Posted.TAKEN  # room again
    await asyncio.wait_for(lanes.settled(), WITHIN)
    assert "a4" not in recorder.started
    assert "a5" not in recorder.started


async def test_a_member_told_to_slow_down_is_told_again_once_there_was_room() -> None:
    recorder = Recorder("a1", "a2")
    lanes = recorder.lanes(limit=2)
    lanes.post("alice", "a1")
    lanes.post("alice", "a2")
    assert lanes.post("alice", "x1") is Posted.REFUSED
    recorder.gates["a1"].set()
    await recorder.until(lambda: recorder.finished == ["a1"])

    assert lanes.post("alice", "a3") is Posted.TAKEN
    assert lanes.post("alice", "x2") is Posted.REFUSED
    await recorder.until(lambda: recorder.refused == ["x1", "x2"])
    recorder.gates["a2"].set()
    await asyncio.wait_for(lanes.settled(), WITHIN)


async def test_a_failing_item_is_logged_without_its_text_and_the_lane_goes_on(
    caplog: pytest.LogCaptureFixture,
) -> None:
    recorder = Recorder()
    recorder.failing.add("a2")
    lanes = recorder.lanes()
    with caplog.at_level(logging.ERROR, logger="bot.lanes"):
        for item in ("a1", "a2", "a3"):
            lanes.post("alice", item)
        await asyncio.wait_for(lanes.settled(), WITHIN)

    assert recorder.finished == ["a1", "a3"]
    [record] = caplog.records
    assert "incident INC-" in record.getMessage()
    assert "RuntimeError" in record.getMessage()
    assert "secret" not in caplog.text


async def test_a_worker_ends_when_its_lane_is_empty() -> None:
    recorder = Recorder()
    lanes = recorder.lanes()
    lanes.post("alice", "a1")
    lanes.post("bob", "b1", urgent=True)
    assert len(_lane_tasks()) == 2

    await asyncio.wait_for(lanes.settled(), WITHIN)
    await asyncio.sleep(0)
    assert _lane_tasks() == []
    assert lanes.post("alice", "a2") is Posted.TAKEN  # a new worker starts
    await asyncio.wait_for(lanes.settled(), WITHIN)
    assert recorder.finished == ["a1", "b1", "a2"]


async def test_settled_for_one_member_does_not_wait_for_another() -> None:
    recorder = Recorder("a1")
    lanes = recorder.lanes()
    lanes.post("alice", "a1")
    lanes.post("bob", "b1")

    await asyncio.wait_for(lanes.settled("bob"), WITHIN)
    await asyncio.wait_for(lanes.settled("nobody"), WITHIN)
    with pytest.raises(TimeoutError):
        await asyncio.wait_for(lanes.settled("alice"), 0.05)
    recorder.gates["a1"].set()
    await asyncio.wait_for(lanes.settled("alice"), WITHIN)


async def test_drain_waits_for_work_in_hand() -> None:
    recorder = Recorder("a1")
    lanes = recorder.lanes()
    lanes.post("alice", "a1")
    lanes.post("alice", "a2")
    draining = asyncio.create_task(lanes.drain(WITHIN))
    await asyncio.sleep(0.02)
    assert not draining.done()

    recorder.gates["a1"].set()
    assert await draining is True
    assert recorder.finished == ["a1", "a2"]


async def test_drain_cancels_what_outlasts_the_grace_and_says_so(
    caplog: pytest.LogCaptureFixture,
) -> None:
    recorder = Recorder("a1", "crisis")
    lanes = recorder.lanes()
    lanes.post("alice", "a1")
    lanes.post("alice", "a2")
    lanes.post("alice", "crisis", urgent=True)
    await recorder.until(lambda: recorder.started == ["a1", "crisis"])

    with caplog.at_level(logging.WARNING, logger="bot.lanes"):
        assert await lanes.drain(0.05) is False

    assert "2 task(s) still busy at stop; cancelled" in caplog.text
    assert recorder.finished == []
    assert "a2" not in recorder.started
    assert lanes.in_hand("alice") == 0
    await asyncio.wait_for(lanes.settled("alice"), WITHIN)
    assert _lane_tasks() == []


def test_a_lane_takes_at_least_one_item() -> None:
    recorder = Recorder()
    with pytest.raises(ValueError, match="at least one"):
        MemberLanes(recorder.work, recorder.refuse, limit=0)
