"""Text helpers every adapter needs: splitting long replies into platform-sized parts."""

from __future__ import annotations


def split_message(text: str, limit: int) -> list[str]:
    """Split ``text`` into parts of at most ``limit`` characters, preferring a paragraph
    break, then a line break, then a space; a single overlong word is cut. Joining the
    parts with the separators they were cut at gives the text back."""
    if limit < 1:
        raise ValueError("limit must be at least 1")
    parts: list[str] = []
    rest = text
    while len(rest) > limit:
        cut = _cut_point(rest, limit)
        parts.append(rest[:cut].rstrip("\n "))
        rest = rest[cut:].lstrip("\n ")
    if rest or not parts:
        parts.append(rest)
    return [part for part in parts if part] or [""]


def _cut_point(text: str, limit: int) -> int:
    window = text[: limit + 1]
    for separator in ("\n\n", "\n", " "):
        at = window.rfind(separator, 0, limit + 1)
        if at > limit // 4:  # don't leave a sliver of a message behind
            return at
    return limit
