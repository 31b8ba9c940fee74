"""Turning replies into terminal text: indented, with buttons as numbered choices.

One message is an optional heading line in parentheses (who it is for, when that is not
simply the person typing in their private chat), then the text indented by two spaces,
then its buttons as ``[n] label``. A text longer than the console's message size is
shown as several messages, the later ones headed "(continued)".
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from adapters.text import split_message
from bot.replies import Button

INDENT = "  "


@dataclass(frozen=True, slots=True)
class Rendered:
    text: str
    choices: tuple[Button, ...]


def indent(text: str) -> str:
    return "\n".join(INDENT + line if line else "" for line in text.splitlines())


def render_message(
    text: str,
    *,
    heading: str | None,
    continued: str,
    buttons: Sequence[Button],
    numbered_from: int,
    limit: int,
) -> Rendered:
    """One reply as one or more messages; buttons go under the last part and are
    numbered from ``numbered_from`` + 1 (choices count across a whole answer)."""
    blocks: list[str] = []
    for index, part in enumerate(split_message(text, limit)):
        head = heading if index == 0 else continued
        blocks.append(f"{head}\n{indent(part)}" if head else indent(part))
    lines = [
        f"{INDENT}[{numbered_from + offset}] {button.label}"
        for offset, button in enumerate(buttons, start=1)
    ]
    if lines:
        blocks[-1] = "\n".join([blocks[-1], *lines])
    return Rendered("\n\n".join(blocks), tuple(buttons))
