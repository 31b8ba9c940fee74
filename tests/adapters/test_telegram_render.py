"""Rendering replies for Telegram: escaped HTML, parts that fit, buttons on the last."""

from __future__ import annotations

import html
import re

import pytest

from adapters.telegram.render import html_parts, render, telegram_length
from bot.replies import Button


def _shown(parts: list[str]) -> str:
    """What people read: the parts unescaped, joined."""
    return " ".join(html.unescape(part) for part in parts)


def test_markup_and_mentions_are_escaped() -> None:
    [part] = render("<b>@everyone</b> & <a href='x'>y</a>")
    assert part.html == "&lt;b&gt;@everyone&lt;/b&gt; &amp; &lt;a href='x'&gt;y&lt;/a&gt;"
    assert part.keyboard is None


def test_parts_are_measured_after_escaping_and_no_entity_is_cut() -> None:
    text = "&" * 5000  # one "word" 25,000 characters long once escaped
    parts = html_parts(text, 4096)
    assert all(telegram_length(part) <= 4096 for part in parts)
    assert all(re.fullmatch(r"(&amp;)+", part) for part in parts)
    assert "".join(html.unescape(part) for part in parts) == text


def test_text_that_escaping_lengthens_is_split_without_losing_a_word() -> None:
    words = " ".join(f"<w{n}>" for n in range(2000))  # about 12,000 characters escaped
    parts = html_parts(words, 4096)
    assert len(parts) >= 3
    assert all(telegram_length(part) <= 4096 for part in parts)
    assert _shown(parts).split() == words.split()


def test_length_counts_utf16_code_units_like_telegram() -> None:
    text = "🌱" * 3000  # 6,000 UTF-16 code units
    parts = html_parts(text, 4096)
    assert all(telegram_length(part) <= 4096 for part in parts)
    assert "".join(parts) == text


def test_buttons_go_one_per_row_under_the_last_part() -> None:
    buttons = (Button("Join", "join:circle"), Button("Later", "help:"))
    parts = render("word " * 2000, buttons, limit=4096)
    assert [part.keyboard is not None for part in parts] == [False, False, True]
    keyboard = parts[-1].keyboard
    assert keyboard is not None
    rows = [[(b.text, b.callback_data) for b in row] for row in keyboard.inline_keyboard]
    assert rows == [[("Join", "join:circle")], [("Later", "help:")]]


@pytest.mark.parametrize("blank", ["", "   ", "\n\n"])
def test_a_blank_text_is_no_message(blank: str) -> None:
    assert render(blank, (Button("x", "x:y"),)) == []
