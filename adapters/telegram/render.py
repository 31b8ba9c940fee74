"""Replies as Telegram messages: escaped HTML, split to fit, buttons under the last part.

Every text is escaped for Telegram's HTML parse mode, so what members and organizers
wrote (a name, a group description, an echo of a message) is shown literally: it can
neither add markup nor mention anyone. A long text is split with
``adapters.text.split_message``, and each part is measured *after* escaping, in UTF-16
code units as Telegram counts, so no part is ever over the limit and no escape sequence
is ever cut in two.
"""

from __future__ import annotations

import html
from collections.abc import Sequence
from dataclasses import dataclass

from telegram import InlineKeyboardButton, InlineKeyboardMarkup

from adapters.text import split_message
from bot.replies import Button

MAX_MESSAGE = 4096  # Telegram's limit for a message text
MAX_CAPTION = 1024  # Telegram's limit for a document's or a photo's caption


@dataclass(frozen=True, slots=True)
class Part:
    """One message to send: HTML text, and the keyboard if it is the last part."""

    html: str
    keyboard: InlineKeyboardMarkup | None = None


def escape(text: str) -> str:
    """Plain text as Telegram HTML that shows exactly that text."""
    return html.escape(text, quote=False)


def telegram_length(text: str) -> int:
    """Length as Telegram measures it: UTF-16 code units."""
    return len(text.encode("utf-16-le")) // 2


def render(text: str, buttons: Sequence[Button] = (), *, limit: int = MAX_MESSAGE) -> list[Part]:
    """``text`` as messages of at most ``limit`` characters once escaped; ``buttons``
    (one per row) go under the last. A blank text gives no message at all."""
    parts = html_parts(text, limit)
    if not parts:
        return []
    keyboard = inline_keyboard(buttons)
    return [Part(part, keyboard if last else None) for last, part in _with_last(parts)]


def caption(text: str, buttons: Sequence[Button] = ()) -> Part | None:
    """``text`` as a file's caption (with ``buttons`` under the file), or None
    if it is too long for one once escaped: then it goes as messages of its own."""
    escaped = escape(text.strip())
    if telegram_length(escaped) > MAX_CAPTION:
        return None
    return Part(escaped, inline_keyboard(buttons))


def html_parts(text: str, limit: int = MAX_MESSAGE) -> list[str]:
    """The escaped parts of ``text``, none longer than ``limit`` and none blank."""
    if limit < 10:  # every escaped character (at most "&amp;") must fit in a part
        raise ValueError("limit must be at least 10")
    parts: list[str] = []
    for plain in split_message(text, limit):
        parts.extend(_fitted(plain, limit))
    return [part for part in parts if part.strip()]


def inline_keyboard(buttons: Sequence[Button]) -> InlineKeyboardMarkup | None:
    if not buttons:
        return None
    return InlineKeyboardMarkup(
        [[InlineKeyboardButton(button.label, callback_data=button.action)] for button in buttons]
    )


def _fitted(plain: str, limit: int) -> list[str]:
    """``plain`` escaped, in as many parts as escaping makes necessary. Each round splits
    the plain text into strictly shorter pieces, so this ends (a single character always
    fits)."""
    escaped = escape(plain)
    size = telegram_length(escaped)
    if size <= limit:
        return [escaped]
    smaller = max(1, len(plain) * limit // size)  # < len(plain), since size > limit
    return [part for piece in split_message(plain, smaller) for part in _fitted(piece, limit)]


def _with_last(parts: list[str]) -> list[tuple[bool, str]]:
    return [(index == len(parts) - 1, part) for index, part in enumerate(parts)]
