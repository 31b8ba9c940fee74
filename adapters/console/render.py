"""Turning replies into terminal text: indented, with buttons as numbered choices."""

from __future__ import annotations

from collections.abc import Sequence

from bot.replies import Button, Reply

INDENT = "  "


def render_replies(replies: Sequence[Reply]) -> tuple[str, tuple[Button, ...]]:
    """Text for a batch of replies, and the buttons in the order they were numbered."""
    blocks: list[str] = []
    choices: list[Button] = []
    for reply in replies:
        lines = [INDENT + line if line else "" for line in reply.text.splitlines()]
        for button in reply.buttons:
            choices.append(button)
            lines.append(f"{INDENT}[{len(choices)}] {button.label}")
        blocks.append("\n".join(lines))
    return "\n\n".join(blocks), tuple(choices)
