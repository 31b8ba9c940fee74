"""How a Discord client shows a message's content: what people *see*, and what pings.

Enough of Discord's markdown to tell text shown literally from text a member could
have formatted or turned into a mention:

- a backslash before any character that is not a letter, a digit or a space shows that
  character (and hides the backslash);
- web addresses (``https://…``) are links, shown as written: nothing inside them is
  markdown, and backslashes in them stay;
- inline code (`` `x` ``) shows its content as written;
- ``**b**``, ``*i*``, ``__u__``, ``_i_``, ``~~s~~`` and ``||spoiler||`` lose their markers
  when they pair up;
- ``[text](address)`` shows ``text`` (a masked link);
- at the start of a line: ``>``/``>>>`` quotes, ``#``/``##``/``###`` headings, ``-#``
  small print and ``-``/``*`` list items lose their markers (a list item shows ``•``);
- ``<@id>``, ``<@!id>``, ``<@&id>``, ``<#id>``, ``<t:…>`` and ``@everyone``/``@here`` are
  mentions: shown as a highlighted name (``@name``, ``#channel``, a date), and listed in
  ``Rendered.mentions``.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field

_URL = re.compile(r"https?://[^\s<]+[^<.,:;\"')\]\s]")
_ANGLE = re.compile(r"<(@!?|@&|#)(\d+)>|<t:(-?\d+)(?::[tTdDfFR])?>")
_EVERYONE = re.compile(r"@(everyone|here)\b")
_MASKED_LINK = re.compile(r"\[([^\[\]\n]+)\]\((https?://[^\s)]+)\)")
_LINE_START = re.compile(r"^(?:>>> |> |#{1,3} |-# |[-*] )")
_PAIRED = ("**", "__", "~~", "||", "*", "_")


@dataclass
class Rendered:
    text: str
    mentions: list[str] = field(default_factory=list)  # as written: "<@&5>", "@everyone"


Names = Callable[[str, str], str]  # (kind "@", "@&", "#"; id) -> the name shown


def render(content: str, names: Names | None = None) -> Rendered:
    """``content`` as a Discord client shows it."""
    out = Rendered("")
    lines = [_render_line(line, out, names) for line in content.split("\n")]
    out.text = "\n".join(lines)
    return out


def _render_line(line: str, out: Rendered, names: Names | None) -> str:
    match = _LINE_START.match(line)
    prefix = ""
    if match is not None:
        prefix = "• " if match.group(0) in ("- ", "* ") else ""
        line = line[match.end() :]
    return prefix + _inline(line, out, names)


def _inline(text: str, out: Rendered, names: Names | None) -> str:
    """One line: escapes, links, code, mentions, then emphasis markers."""
    pieces: list[tuple[str, bool]] = []  # (text, literal: never emphasis)
    index = 0
    plain = ""
    while index < len(text):
        char = text[index]
        rest = text[index:]
        if char == "\\" and index + 1 < len(text) and _escapable(text[index + 1]):
            pieces.append((plain, False))
            pieces.append((text[index + 1], True))
            plain, index = "", index + 2
            continue
        taken = _special(rest, out, names)
        if taken is not None:
            shown, used = taken
            pieces.append((plain, False))
            pieces.append((shown, True))
            plain, index = "", index + used
            continue
        plain += char
        index += 1
    pieces.append((plain, False))
    return _emphasis(pieces)


def _special(rest: str, out: Rendered, names: Names | None) -> tuple[str, int] | None:
    """A link, a code span, a masked link or a mention at the start of ``rest``."""
    if match := _URL.match(rest):
        return match.group(0), match.end()
    if rest.startswith("`"):
        end = rest.find("`", 1)
        if end > 1:
            return rest[1:end], end + 1
    if match := _MASKED_LINK.match(rest):
        return match.group(1), match.end()
    if match := _ANGLE.match(rest):
        out.mentions.append(match.group(0))
        if match.group(3) is not None:
            return f"[time {match.group(3)}]", match.end()
        kind, ident = match.group(1).replace("!", ""), match.group(2)
        shown = names(kind, ident) if names is not None else ident
        return ("#" if kind == "#" else "@") + shown, match.end()
    if match := _EVERYONE.match(rest):
        out.mentions.append(match.group(0))
        return match.group(0), match.end()
    return None


def _escapable(char: str) -> bool:
    return not (char.isalnum() or char.isspace())


def _emphasis(pieces: list[tuple[str, bool]]) -> str:
    """Remove emphasis markers that pair up within the plain pieces."""
    text = ""
    for chunk, literal in pieces:
        text += _protect(chunk) if literal else chunk
    for marker in _PAIRED:
        body = re.escape(marker) + r"(?=\S)(.+?)(?<=\S)" + re.escape(marker)
        if marker.startswith("_"):  # underscores pair only at word edges: a_b_c stays
            body = r"(?<![^\W_])" + body + r"(?![^\W_])"
        text = re.sub(body, r"\1", text)
    return _unprotect(text)


# Literal characters are hidden from the emphasis pass behind private-use stand-ins.
_HIDE = {c: chr(0xE000 + i) for i, c in enumerate("*_~|")}
_SHOW = {v: k for k, v in _HIDE.items()}


def _protect(text: str) -> str:
    return "".join(_HIDE.get(c, c) for c in text)


def _unprotect(text: str) -> str:
    return "".join(_SHOW.get(c, c) for c in text)
