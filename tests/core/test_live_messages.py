"""bot/live_messages.py: many refreshes of one message become a handful of edits, the
last state always shows, failures stay with the log, and a stop does not wait."""

from __future__ import annotations

import asyncio
import itertools
import logging
import math

import pytest

from bot.events import MessageRef
from bot.live_messages import LiveMessages, Render
from bot.replies import Audience, Reply

CARD = MessageRef("discord", "10", ("100",))
OTHER = MessageRef("discord", "10", ("101",))


class ManualTime:
    """Time that moves only when the test says: ``sleep`` waits for ``advance``."""

    def __init__(self) -> None:
        self.now = 0.0
        self._sleepers: list[tuple[float, asyncio.Future[None]]] = []

    async def sleep(self, seconds: float) -> None:
        future: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        self._sleepers.append((self.now + seconds, future))
        await future

    async def advance(self, seconds: float) -> None:
        self.now += seconds
        for due, future in list(self._sleepers):
            if due <= self.now + 1e-9 and not future.done():
                future.set_result(None)
        self._sleepers = [(d, f) for d, f in self._sleepers if not f.done()]
        for _ in range(30):  # let the woken tasks render and edit
            await asyncio.sleep(0)


class Screen:
    """The platform: what each message shows, and every edit made."""

    def __init__(self) -> None:
        self.edits: list[tuple[MessageRef, str]] = []
        self.fail_with: Exception | None = None

    async def edit(self, ref: MessageRef, reply: Reply) -> None:
        if self.fail_with is not None:
            raise self.fail_with
        self.edits.append((ref, reply.text))

    def shown(self, ref: MessageRef) -> str | None:
        texts = [text for edited, text in self.edits if edited == ref]
        return texts[-1] if texts else None


def counter_render(state: dict[str, int]) -> Render:
    async def render() -> Reply:
        return Reply(f"{state['n']} going", audience=Audience.HERE)

    return render


async def test_many_clicks_make_few_edits_and_the_last_count_shows() -> None:
    time, screen = ManualTime(), Screen()
    live = LiveMessages(screen.edit, {"discord": 1.5}, sleep=time.sleep)
    state = {"n": 0}
    step, clicks = 0.01, 500  # 500 clicks over 5 seconds
    for _ in range(clicks):
        state["n"] += 1
        live.refresh(CARD, counter_render(state))
        await time.advance(step)
    duration = step * clicks
    await time.advance(1.5)
    await time.advance(1.5)
    assert screen.shown(CARD) == f"{clicks} going"
    assert 2 <= len(screen.edits) <= math.ceil(duration / 1.5) + 1
    assert live.pending == 0
    await live.close()


async def test_edits_of_one_message_are_spaced_and_never_overlap() -> None:
    time, screen = ManualTime(), Screen()
    in_flight, most = 0, 0
    edited_at: list[float] = []

    async def slow_edit(ref: MessageRef, reply: Reply) -> None:
        nonlocal in_flight, most
        in_flight += 1
        most = max(most, in_flight)
        edited_at.append(time.now)
        await asyncio.sleep(0)
        in_flight -= 1
        await screen.edit(ref, reply)

    live = LiveMessages(slow_edit, {"discord": 1.0}, sleep=time.sleep)
    state = {"n": 0}
    for _ in range(40):
        state["n"] += 1
        live.refresh(CARD, counter_render(state))
        await time.advance(0.1)
    await time.advance(1.0)
    assert most == 1
    gaps = [later - earlier for earlier, later in itertools.pairwise(edited_at)]
    assert all(gap >= 1.0 - 1e-9 for gap in gaps)
    assert screen.shown(CARD) == "40 going"
    await live.close()


async def test_a_single_click_is_shown_at_once_and_messages_are_independent() -> None:
    time, screen = ManualTime(), Screen()
    live = LiveMessages(screen.edit, {"discord": 5.0}, sleep=time.sleep)
    state = {"n": 1}
    live.refresh(CARD, counter_render(state))
    live.refresh(OTHER, counter_render(state))
    await time.advance(0)
    assert screen.shown(CARD) == screen.shown(OTHER) == "1 going"
    assert len(screen.edits) == 2
    await live.close()


async def test_a_failed_edit_is_logged_by_type_only_and_later_ones_still_go(
    caplog: pytest.LogCaptureFixture,
) -> None:
    time, screen = ManualTime(), Screen()
    live = LiveMessages(screen.edit, {"discord": 1.0}, sleep=time.sleep)
    state = {"n": 7}
    screen.fail_with = RuntimeError("Unknown Message: 7 going, secret member text")
    with caplog.at_level(logging.ERROR):
        live.refresh(CARD, counter_render(state))
        await time.advance(0)
    assert live.failures == 1
    assert "RuntimeError" in caplog.text
    assert "secret" not in caplog.text
    assert "going" not in caplog.text
    screen.fail_with = None
    await time.advance(1.0)
    live.refresh(CARD, counter_render(state))
    await time.advance(0)
    assert screen.shown(CARD) == "7 going"
    await live.close()


async def test_close_flushes_a_waiting_refresh_at_once_and_takes_no_more() -> None:
    time, screen = ManualTime(), Screen()
    live = LiveMessages(screen.edit, {"discord": 60.0}, sleep=time.sleep)
    state = {"n": 1}
    live.refresh(CARD, counter_render(state))
    await time.advance(0)
    state["n"] = 2
    live.refresh(CARD, counter_render(state))  # waits 60 s for its turn...
    await asyncio.wait_for(live.close(grace=1.0), 2.0)  # ...but a stop does not wait
    assert screen.shown(CARD) == "2 going"
    live.refresh(CARD, counter_render(state))
    assert live.pending == 0


async def test_close_drops_an_edit_that_hangs() -> None:
    hung = asyncio.Event()

    async def hanging_edit(ref: MessageRef, reply: Reply) -> None:
        hung.set()
        await asyncio.sleep(3600)

    live = LiveMessages(hanging_edit, {"discord": 1.0})
    live.refresh(CARD, counter_render({"n": 1}))
    await hung.wait()
    loop = asyncio.get_running_loop()
    started = loop.time()
    await live.close(grace=0.05)
    assert loop.time() - started < 1.0
    assert live.pending == 0
