"""The views under Discord messages: the same buttons get the same stopped view again
(it is only ever read), so a reply with buttons does not pay for building one each
time; and what discord.py sends for it is what a fresh view would send."""

from __future__ import annotations

from adapters.discord.buttons import StoppedViews, view_of
from bot.replies import Button

GROUPS = (Button("Join Circle A", "join:circle-a"), Button("Join Circle B", "join:circle-b"))


async def test_the_same_buttons_get_the_same_stopped_view() -> None:
    views = StoppedViews()
    first = views.of(GROUPS)
    again = views.of(list(GROUPS))  # any sequence of equal buttons
    other = views.of(GROUPS[:1])

    assert first is not None
    assert again is first
    assert other is not None
    assert other is not first
    assert first.is_finished()  # discord.py keeps nothing per message for it
    fresh = view_of(GROUPS)
    assert fresh is not None
    assert first.to_components() == fresh.to_components()
    assert views.of(()) is None


async def test_only_the_latest_sets_of_buttons_are_kept() -> None:
    views = StoppedViews(kept=2)
    a, b, c = ((Button(f"Join {n}", f"join:{n}"),) for n in "abc")
    kept_a = views.of(a)
    kept_b = views.of(b)
    assert views.of(a) is kept_a  # used again: now the latest
    kept_c = views.of(c)  # b, the least recently used, makes room
    assert views.of(a) is kept_a
    assert views.of(c) is kept_c
    fresh_b = views.of(b)
    assert fresh_b is not None
    assert fresh_b is not kept_b
    assert kept_b is not None
    assert fresh_b.to_components() == kept_b.to_components()
