"""Making member input safe to process and safe to quote back.

Everything a person chose (a message, a display name, a platform id) passes through here
once, where it enters the bot: terminal escape sequences, control characters and bidi
overrides are removed, so nothing can recolour a terminal, reorder a line on someone
else's screen or smuggle a line break into a roster.
"""

from __future__ import annotations

import re
import unicodedata

MAX_NAME_LENGTH = 64
MAX_ID_LENGTH = 64

# Bidirectional embeddings, overrides, isolates and marks can make quoted text display
# as something else (the "Trojan Source" trick).
_BIDI_CONTROLS = frozenset(
    "\u061c\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069"
)
# ECMA-48 escape sequences as terminals read them: CSI (ESC [ ... final byte, or the
# 8-bit CSI), OSC/DCS/APC/PM strings up to BEL or ST, and two-byte ESC sequences.
_TERMINAL_ESCAPES = re.compile(
    r"(?:\x1b\[|\x9b)[0-?]*[ -/]*[@-~]?"
    r"|(?:\x1b[\]P_^X]|[\x90\x9d\x9e\x9f])[^\x07\x1b\x9c]*(?:\x07|\x1b\\|\x9c)?"
    r"|\x1b[ -/]*[0-~]?"
)


def strip_escapes(text: str) -> str:
    """Remove whole terminal escape sequences (not just their ESC byte)."""
    return _TERMINAL_ESCAPES.sub("", text)


# Control characters, and unpaired surrogates (a broken client's JSON escapes, bytes a
# terminal could not decode): no UTF-8 can carry those, so neither storage nor a platform
# could take a text holding one.
_DROPPED_CATEGORIES = frozenset({"Cc", "Cs"})


def clean_input(text: str) -> str:
    """A message as the bot should read it: NFC, no escape sequences, no control
    characters (tabs become spaces, line breaks are kept), no bidi controls, no unpaired
    surrogates, trimmed. Emoji, joiners and right-to-left letters are kept intact.

    Printable ASCII (most ids, commands and names) needs only the trim: it holds nothing
    the full pass would change, and the full pass costs ~5 µs on every id of every event."""
    if text.isascii() and text.isprintable():
        return text.strip()
    return clean_input_thoroughly(text)


def clean_input_thoroughly(text: str) -> str:
    """``clean_input`` without its shortcut for printable ASCII (tests check they agree)."""
    normalised = unicodedata.normalize("NFC", strip_escapes(text))
    kept: list[str] = []
    for char in normalised:
        if char == "\t":
            kept.append(" ")
        elif char == "\n" or (
            unicodedata.category(char) not in _DROPPED_CATEGORIES and char not in _BIDI_CONTROLS
        ):
            kept.append(char)
    return "".join(kept).strip()


def has_control_characters(text: str, *, line_breaks: bool = False) -> bool:
    """Whether ``text`` holds what ``clean_input`` would remove: control characters
    (tabs and, unless ``line_breaks``, line breaks included), bidi controls, unpaired
    surrogates. For text an organizer writes that the bot shows as it is (a group's name)."""
    if text.isprintable():  # no Cc, Cs or Cf (the bidi controls) at all: the usual case
        return False
    return any(
        (unicodedata.category(char) in _DROPPED_CATEGORIES and not (line_breaks and char == "\n"))
        or char in _BIDI_CONTROLS
        for char in text
    )


def clean_name(text: str, limit: int = MAX_NAME_LENGTH) -> str:
    """A display name fit to show anyone: one line, clean, at most ``limit`` characters.

    Idempotent, so a name that was cleaned when it entered stays the same when a stored
    copy is cleaned again.
    """
    single_line = " ".join(clean_input(text).split())
    return single_line[:limit].rstrip()


def clean_id(text: str, limit: int = MAX_ID_LENGTH) -> str:
    """A platform id or chat id: printable, no spaces, at most ``limit`` characters."""
    return "".join(clean_name(text, limit=limit).split())


def quote_back(text: str, limit: int = 60) -> str:
    """A short, single-line excerpt of member input for use inside a reply."""
    single_line = " ".join(clean_input(text).split())
    if len(single_line) <= limit:
        return single_line
    return single_line[: limit - 1].rstrip() + "…"
