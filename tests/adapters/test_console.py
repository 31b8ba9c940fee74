"""The console adapter in-process: meta commands, numbered choices, private messages."""

from __future__ import annotations

import io
import re
from pathlib import Path

import pytest

from adapters.console.adapter import ConsoleAdapter
from adapters.console.input import lines_from
from adapters.console.render import render_message
from bot.app import DeliverAfterEach
from bot.replies import Attachment, Audience, Button, Reply
from bot.roles import Role
from tests.fakes.images import png
from tests.harness import Harness, person

PRIVATE = Audience.PRIVATE_MESSAGE


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


async def test_calendar_shows_the_file_and_its_content(harness: Harness) -> None:
    out = await run_console(harness, "/calendar circle")

    ready = harness.app.catalog.text("meetings.calendar.ready", group="Tuesday Circle")
    assert f"  {ready}\n  (file circle.ics, " in out
    assert re.search(r"\(file circle\.ics, \d+\.\d KB\)\n    BEGIN:VCALENDAR\n", out)
    assert "\n    RRULE:FREQ=WEEKLY;BYDAY=TU\n" in out
    assert "\n    END:VCALENDAR" in out
    assert "\r" not in out


def _console(harness: Harness, out: io.StringIO) -> ConsoleAdapter:
    return ConsoleAdapter(
        harness.app.catalog,
        bot_name="PeerCircle",
        user="alice",
        role=Role.MEMBER,
        lines=lines_from([]),
        out=out,
        echo=True,
    )


async def test_a_file_that_is_not_text_is_only_named(harness: Harness) -> None:
    out = io.StringIO()
    leaflet = Attachment("leaflet.pdf", b"%PDF" + b"\0" * 2044, "application/pdf")
    await _console(harness, out).send_private(
        person("bob"), Reply("A leaflet.", audience=PRIVATE, attachment=leaflet)
    )

    expected = "(private message to Bob)\n  A leaflet.\n  (file leaflet.pdf, 2.0 KB)\n\n"
    assert out.getvalue() == expected


async def test_an_image_is_named_as_one_and_nothing_is_written(
    harness: Harness, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    workdir = tmp_path / "cwd"
    workdir.mkdir()
    monkeypatch.chdir(workdir)
    out = io.StringIO()
    chart = Attachment("trend.png", png(64, 32), "image/png")
    await _console(harness, out).send_private(
        person("bob"), Reply("Mood: ▁▃▅·█", audience=PRIVATE, attachment=chart)
    )

    kilobytes = f"{len(chart.content) / 1024:.1f}"
    line = harness.app.catalog.text("console.image", filename="trend.png", kilobytes=kilobytes)
    assert out.getvalue() == f"(private message to Bob)\n  Mood: ▁▃▅·█\n  {line}\n\n"
    assert line.startswith("(image trend.png, ")
    assert list(workdir.iterdir()) == []
