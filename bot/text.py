"""Making member input safe to process and safe to quote back."""

from __future__ import annotations

import unicodedata

# Bidirectional overrides and isolates can make quoted text display as something else.
_BIDI_CONTROLS = frozenset("\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")


def clean_input(text: str) -> str:
    """Normalise to NFC and drop control characters (tabs become spaces, line breaks are
    kept) and bidi overrides. Emoji, joiners and right-to-left letters are kept intact."""
    normalised = unicodedata.normalize("NFC", text)
    kept: list[str] = []
    for char in normalised:
        if char == "\t":
            kept.append(" ")
        elif char == "\n" or (unicodedata.category(char) != "Cc" and char not in _BIDI_CONTROLS):
            kept.append(char)
    return "".join(kept).strip()


def quote_back(text: str, limit: int = 60) -> str:
    """A short, single-line excerpt of member input for use inside a reply."""
    single_line = " ".join(clean_input(text).split())
    if len(single_line) <= limit:
        return single_line
    return single_line[: limit - 1].rstrip() + "…"
