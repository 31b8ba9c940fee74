"""The console adapter in-process: meta commands, numbered choices, private messages."""

from __future__ import annotations

import io
from collections.abc import AsyncIterator

from adapters.console.adapter import ConsoleAdapter
from adapters.console.render import render_replies
from bot.permissions import Role
from bot.replies import Button, Reply
from tests.harness import Harness, person


async def _lines(*lines: str) -> AsyncIterator[str]:
    for line in lines:
        yield line


async def run_console(harness: Harness, *lines: str, role: Role = Role.MEMBER) -> str:
    out = io.StringIO()
    console = ConsoleAdapter(
        harness.app.dispatcher,
        harness.app.catalog,
        bot_name="PeerCircle",
        user="alice",
        role=role,
        lines=_lines(*lines),
        out=out,
        echo=True,
    )
    harness.app.messenger.attach(console)
    await console.run()
    return out.getvalue()


def test_choices_are_numbered_across_all_replies_of_one_answer() -> None:
    replies = [
        Reply("first", buttons=(Button("A", "a:1"), Button("B", "b:2"))),
        Reply("second\n\nwith a gap", buttons=(Button("C", "c:3"),)),
    ]
    text, choices = render_replies(replies)

    assert "  [1] A\n  [2] B" in text
    assert "  [3] C" in text
    assert "  second\n\n  with a gap" in text
    assert [c.action for c in choices] == ["a:1", "b:2", "c:3"]


async def test_as_switches_speaker_and_role(harness: Harness) -> None:
    out = await run_console(harness, "/join circle", ":as fran facilitator", "/roster circle")

    assert "(you are now fran, facilitator)" in out
    assert "fran> /roster circle" in out
    assert "• alice (console:alice)" in out


async def test_bad_meta_commands_explain_themselves(harness: Harness) -> None:
    out = await run_console(harness, ":as bob wizard", ":frobnicate", ":as")

    assert "unknown role “wizard”" in out
    assert out.count("Console options:") == 2


async def test_quit_stops_reading(harness: Harness) -> None:
    out = await run_console(harness, "/groups", ":quit", "/join circle")

    assert "Here are the groups" in out
    assert "alice> /join circle" not in out
    assert await harness.app.membership.memberships_of(person("alice")) == []


async def test_a_promotion_prints_as_a_private_message_to_that_person(harness: Harness) -> None:
    out = await run_console(
        harness,
        "/join circle",
        ":as bob",
        "/join circle",
        ":as cara",
        "/join circle",
        ":as alice",
        "/leave circle",
    )

    heading = out.index("(private message to cara)")
    assert "a seat has opened up in Tuesday Circle" in out[heading:]


async def test_numbers_without_choices_are_just_text(harness: Harness) -> None:
    out = await run_console(harness, "42")
    assert "I only understand commands" in out
