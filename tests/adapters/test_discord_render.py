"""Discord rendering: whatever a member wrote is shown exactly as written (checked
against the fake's reading of Discord's markdown), and parts fit Discord's limit."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from adapters.discord.render import MAX_MESSAGE, button_label, escape, parts, rows_for
from tests.fakes.discord_markdown import render

MARKDOWN = "*_~|`<>@[]()#-+.:\\/ \nabc1é😀"


@settings(max_examples=500, deadline=None)
@given(st.text(alphabet=MARKDOWN, max_size=80))
def test_escaped_text_is_shown_as_written(text: str) -> None:
    shown = render(escape(text))
    assert shown.text == text
    assert shown.mentions == []


@settings(max_examples=200, deadline=None)
@given(st.text(max_size=60))
def test_any_text_is_shown_as_written(text: str) -> None:
    assert render(escape(text)).text == text


def test_mentions_and_formatting_are_literal() -> None:
    text = "@everyone @here <@&1> <@1> <#1> <t:1:R> **b** __u__ ||s|| ~~x~~ > q\n# h\n-# s\n1. n"
    shown = render(escape(text))
    assert (shown.text, shown.mentions) == (text, [])


def test_web_addresses_stay_links() -> None:
    text = "Join at https://meet.example/a_b*c?x=1 tonight"
    assert escape(text) == "Join at https://meet.example/a_b*c?x=1 tonight"


def test_a_long_text_splits_within_the_limit_even_when_escaping_grows_it() -> None:
    text = ("*_" * 1500) + " " + ("word " * 600)
    split = parts(text)
    assert len(split) >= 3
    assert all(len(part) <= MAX_MESSAGE for part in split)
    assert "".join(render(part).text for part in split).replace(" ", "") == text.replace(" ", "")


def test_blank_text_is_no_message() -> None:
    assert parts("  \n ") == []


def test_button_labels_and_rows_fit() -> None:
    assert len(button_label("x" * 200)) == 80
    assert rows_for(3) == [0, 1, 2]
    assert rows_for(7) == [0, 0, 0, 0, 0, 1, 1]
    assert len(rows_for(40)) == 25
