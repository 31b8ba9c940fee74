"""Abuse limits in the core: counting in a window, and a member's flood of commands
answered once, then dropped, while everyone else (and /crisis) goes on as usual."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from bot.events import TextReceived
from bot.flood import DEFAULT_COMMANDS_PER_MINUTE, CommandFlood, WindowLimit
from tests.harness import Harness, person, private_chat

T0 = datetime(2026, 11, 27, 12, 0, tzinfo=UTC)
SLOW_DOWN = "taking a short pause from yours"


def test_a_window_counts_up_to_its_limit_and_frees_as_events_age() -> None:
    limit = WindowLimit(2, timedelta(minutes=1))

    assert limit.take("a", T0)
    assert limit.take("a", T0 + timedelta(seconds=10))
    assert not limit.take("a", T0 + timedelta(seconds=20))  # refused: not counted
    assert limit.take("b", T0 + timedelta(seconds=20))  # another key has its own
    assert limit.free_at("a", T0 + timedelta(seconds=20)) == T0 + timedelta(minutes=1)
    assert limit.used("a", T0 + timedelta(seconds=61)) == 1
    assert limit.take("a", T0 + timedelta(seconds=61))


def test_a_window_forgets_keys_with_nothing_recent() -> None:
    limit = WindowLimit(1, timedelta(minutes=1))
    for index in range(999):
        limit.take(f"member{index}", T0)

    limit.take("late", T0 + timedelta(hours=1))

    assert limit.keys() == 1


def test_a_key_is_forgotten_by_its_latest_event_not_its_first() -> None:
    limit = WindowLimit(5, timedelta(minutes=1))
    limit.take("a", T0)
    limit.take("b", T0 + timedelta(seconds=30))
    limit.take("a", T0 + timedelta(seconds=50))  # a's latest is now after b's

    limit.take("c", T0 + timedelta(seconds=70))  # window from 0:10: a and b have events
    assert limit.keys() == 3
    limit.take("d", T0 + timedelta(seconds=95))  # from 0:35: b has none left, a has one
    assert limit.keys() == 3
    assert limit.used("a", T0 + timedelta(seconds=95)) == 1
    assert limit.used("b", T0 + timedelta(seconds=95)) == 0


@pytest.mark.parametrize(("limit", "window"), [(0, timedelta(minutes=1)), (1, timedelta(0))])
def test_a_window_needs_room(limit: int, window: timedelta) -> None:
    with pytest.raises(ValueError, match="at least one"):
        WindowLimit(limit, window)


def test_a_flood_is_answered_once_then_dropped_until_there_is_room() -> None:
    flood = CommandFlood(per_minute=2)
    verdicts = [flood.check("m", T0 + timedelta(seconds=s)) for s in (0, 1, 2, 3, 4)]

    assert [(v.allowed, v.answer) for v in verdicts] == [
        (True, False),
        (True, False),
        (False, True),
        (False, False),
        (False, False),
    ]
    assert flood.check("m", T0 + timedelta(seconds=61)).allowed
    assert flood.check("m", T0 + timedelta(seconds=62)).allowed
    assert flood.check("m", T0 + timedelta(seconds=63)).answer  # told again, once


async def _flood(harness: Harness, text: str, times: int) -> list[str]:
    """``times`` commands from one member at one instant (no clock advance)."""
    mallory = person("mallory")
    texts = []
    for _ in range(times):
        incoming = TextReceived(mallory, private_chat(mallory), text)
        texts += [reply.text for reply in await harness.app.dispatcher.handle(incoming)]
    return texts


async def test_a_members_flood_of_commands_gets_one_kind_answer(harness: Harness) -> None:
    texts = await _flood(harness, "/groups", DEFAULT_COMMANDS_PER_MINUTE + 20)

    answered = [text for text in texts if SLOW_DOWN not in text]
    slow_down = [text for text in texts if SLOW_DOWN in text]
    assert len(answered) == DEFAULT_COMMANDS_PER_MINUTE
    assert len(slow_down) == 1
    assert "/crisis always answers" in slow_down[0]


async def test_crisis_is_never_held_back_nor_anyone_else(harness: Harness) -> None:
    await _flood(harness, "/groups", DEFAULT_COMMANDS_PER_MINUTE + 5)

    crisis = await _flood(harness, "/crisis", 3)
    others = await harness.text("/groups", as_=person("tina"))

    assert all("Samaritans" in text for text in crisis)
    assert "Tuesday Circle" in others


async def test_a_member_has_room_again_a_minute_later(harness: Harness) -> None:
    await _flood(harness, "/groups", DEFAULT_COMMANDS_PER_MINUTE + 5)
    harness.clock.advance(seconds=61)

    [after] = await _flood(harness, "/groups", 1)

    assert "Tuesday Circle" in after
