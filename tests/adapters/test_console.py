"""The console adapter in-process: meta commands, numbered choices, private messages."""

from __future__ import annotations

import io

from adapters.console.adapter import ConsoleAdapter
from adapters.console.input import lines_from
from adapters.console.render import render_message
from bot.app import DeliverAfterEach
from bot.replies import Button
from bot.roles import Role
from tests.harness import Harness, person


async def run_console(harness: Harness, *lines: str, role: Role = Role.MEMBER) -> str:
    out = io.StringIO()
    console = ConsoleAdapter(
        harness.app.catalog,
        bot_name="PeerCircle",
        user="alice",
        role=role,
        lines=lines_from(lines),
        out=out,
        echo=True,
    )
    harness.app.platforms.attach(console)
    await console.start(DeliverAfterEach(harness.app))
    return out.getvalue()


def test_choices_are_numbered_from_where_the_answer_got_to() -> None:
    buttons = (Button("A", "a:1"), Button("B", "b:2"))
    shown = render_message(
        "second\n\nwith a gap",
        heading=None,
        continued="(continued)",
        buttons=buttons,
        numbered_from=2,
        limit=4096,
    )

    assert "  [3] A\n  [4] B" in shown.text
    assert "  second\n\n  with a gap" in shown.text
    assert [c.action for c in shown.choices] == ["a:1", "b:2"]


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
