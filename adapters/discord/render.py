"""Replies as Discord messages: markdown escaped, split to fit, buttons under the last.

Every text is escaped for Discord's markdown, so what members and organizers wrote (a
name, a note, a group description) is shown literally: no bold, no masked link, no
heading, and no mention — ``@everyone``, ``<@&role>`` and ``<@user>`` show as typed. (The
messages also go out with ``AllowedMentions.none()``, so even a mention that slipped
through would ping nobody.) Web addresses are left as they are, so meeting links stay
links.

A long text is split with ``adapters.text.split_message`` and each part is measured
*after* escaping, so no part is over Discord's 2000 characters and no escape is cut
from the character it escapes.
"""

from __future__ import annotations

import re

from adapters.text import split_message

MAX_MESSAGE = 2000  # Discord's limit for a message's content
MAX_BUTTON_LABEL = 80
MAX_ROWS = 5  # action rows under a message
ROW_WIDTH = 5  # buttons in one row

_URL = re.compile(r"https?://[^\s<]+[^<.,:;\"')\]\s]")
# Characters that mean something anywhere in a line.
_INLINE = re.compile(r"([\\*_~|`<>@\[\]])")
# What means something at the start of a line: quotes, headings, small print, lists.
_LINE_START = re.compile(r"^([ \t]*)([#+-]|\d+(?=[.)]))", re.MULTILINE)


def escape(text: str) -> str:
    """Plain text as Discord markdown that shows exactly that text (web addresses kept)."""
    pieces: list[str] = []
    at = 0
    for link in _URL.finditer(text):
        pieces.append(_escape_plain(text[at : link.start()]))
        pieces.append(link.group(0))
        at = link.end()
    pieces.append(_escape_plain(text[at:]))
    return "".join(pieces)


def _escape_plain(text: str) -> str:
    text = _INLINE.sub(r"\\\1", text)
    return _LINE_START.sub(_line_start, text)


def _line_start(match: re.Match[str]) -> str:
    indent, marker = match.group(1), match.group(2)
    if marker.isdigit():  # "1." starts a numbered list: escape the full stop after it
        return f"{indent}{marker}\\"
    return f"{indent}\\{marker}"


def parts(text: str, limit: int = MAX_MESSAGE) -> list[str]:
    """The escaped parts of ``text``, none longer than ``limit`` and none blank."""
    if limit < 10:
        raise ValueError("limit must be at least 10")
    found: list[str] = []
    for plain in split_message(text, limit):
        found.extend(_fitted(plain, limit))
    return [part for part in found if part.strip()]


def _fitted(plain: str, limit: int) -> list[str]:
    """``plain`` escaped, in as many parts as escaping makes necessary (each round cuts
    the plain text into strictly shorter pieces, so this ends)."""
    escaped = escape(plain)
    if len(escaped) <= limit:
        return [escaped]
    smaller = max(1, len(plain) * limit // len(escaped))
    return [part for piece in split_message(plain, smaller) for part in _fitted(piece, limit)]


def button_label(label: str) -> str:
    """A button label Discord takes (labels are shown as written: no markdown there)."""
    label = " ".join(label.split())
    return label if len(label) <= MAX_BUTTON_LABEL else label[: MAX_BUTTON_LABEL - 1] + "…"


def rows_for(count: int) -> list[int]:
    """The row of each of ``count`` buttons: one per row while they fit, else five a row."""
    if count <= MAX_ROWS:
        return list(range(count))
    return [index // ROW_WIDTH for index in range(min(count, MAX_ROWS * ROW_WIDTH))]


def clip(text: str, limit: int) -> str:
    """``text`` cut to ``limit`` characters (a command's description, a modal's title)."""
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1] + "…"
