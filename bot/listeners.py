"""Seams through which the domain hears what is not a command.

The core knows nothing of what a listener does with a message (the crisis safety net
reads it for words of despair); it only promises to ask it, and to contain its failures
like a command's.
"""

from __future__ import annotations

from typing import Protocol

from bot.commands import HandlerResult
from bot.context import Context


class TextListener(Protocol):
    async def on_private_text(self, ctx: Context, text: str) -> HandlerResult | None:
        """A plain message (not a command) someone wrote to the bot in a private chat.
        Replies to answer it with, or None (or no replies) to let the core give its
        usual answer. Never log or keep ``text``: it is a member's own words."""
        ...
