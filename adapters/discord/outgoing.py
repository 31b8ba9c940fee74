"""A reply as the Discord messages that carry it, and how each message waits its turn.

A reply becomes one message per part of its text (``render.parts``); its buttons (or
the button that opens its form) go under the last part, and so does its attachment
(an image is shown as a picture: Discord displays PNG and JPEG attachments inline).
Every message goes out with ``AllowedMentions.none()``.

``Pacing`` mirrors the Telegram adapter's: the answer to what someone did waits for an
``interactive`` turn before each message it posts in a channel or private chat; a
notice the core sends on its own (through the ``Messenger``, which already waited for
its first turn) waits for a ``proactive`` turn before any further message. Answers
given through the interaction itself (its response and follow-ups) are not paced:
Discord exempts them from its global limit.
"""

from __future__ import annotations

import io
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import discord
from discord import ui

from adapters.discord.buttons import form_view, view_of
from adapters.discord.render import parts
from bot.ratelimit import PlatformLimiter
from bot.replies import Attachment, Button, Form, Reply

NO_MENTIONS = discord.AllowedMentions.none()


@dataclass(frozen=True, slots=True)
class Outgoing:
    """One message to send: escaped text, the view under it, a file with it."""

    content: str | None
    view: ui.View | None = None
    attachment: Attachment | None = None

    def send_kwargs(self) -> dict[str, Any]:
        """For ``Messageable.send``, ``InteractionResponse.send_message`` and follow-ups."""
        kwargs: dict[str, Any] = {"content": self.content, "allowed_mentions": NO_MENTIONS}
        if self.view is not None:
            kwargs["view"] = self.view
        if self.attachment is not None:
            kwargs["file"] = file_of(self.attachment)
        return kwargs

    def edit_kwargs(self) -> dict[str, Any]:
        """For editing a message: the same, with the file as its only attachment."""
        kwargs: dict[str, Any] = {
            "content": self.content,
            "allowed_mentions": NO_MENTIONS,
            "view": self.view,
        }
        if self.attachment is not None:
            kwargs["attachments"] = [file_of(self.attachment)]
        return kwargs


def file_of(attachment: Attachment) -> discord.File:
    return discord.File(io.BytesIO(attachment.content), filename=attachment.filename)


def outgoing(
    reply: Reply,
    form_label: Callable[[Form], str],
    views: Callable[[Sequence[Button]], ui.View | None] = view_of,
) -> list[Outgoing]:
    """The messages that carry ``reply``, in order (none for a blank reply); ``views``
    makes the view of its buttons (``StoppedViews.of`` hands out the same one again)."""
    texts: list[str | None] = list(parts(reply.text))
    if reply.form is not None:
        view: ui.View | None = form_view(form_label(reply.form), reply.form.form_id)
    else:
        view = views(reply.buttons)
    if not texts:
        if view is None and reply.attachment is None:
            return []
        texts = [None]
    last = len(texts) - 1
    return [
        Outgoing(text, view if i == last else None, reply.attachment if i == last else None)
        for i, text in enumerate(texts)
    ]


class Pacing:
    def __init__(self, limiter: PlatformLimiter | None, *, interactive: bool) -> None:
        self._limiter = limiter
        self._interactive = interactive
        self._sent = 0

    @classmethod
    def answer(cls, limiter: PlatformLimiter | None) -> Pacing:
        return cls(limiter, interactive=True)

    @classmethod
    def notice(cls, limiter: PlatformLimiter | None) -> Pacing:
        return cls(limiter, interactive=False)

    async def turn(self, chat_id: int, *, group_chat: bool) -> None:
        """Wait until the next message to ``chat_id`` may go out."""
        if self._limiter is None:
            return
        if self._interactive:
            await self._limiter.interactive(str(chat_id), group_chat=group_chat)
        elif self._sent:  # the Messenger waited for the first message's turn
            await self._limiter.proactive(str(chat_id), group_chat=group_chat)

    def sent(self) -> None:
        self._sent += 1
