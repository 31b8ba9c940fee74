"""Posting in channels and private chats over Discord's REST API (not through an
interaction): the core's notices (``send``, ``send_private``), a private message that
answers a command, and the answers to a private message someone typed.

Faults. A private message Discord refuses because the person does not take private
messages from the bot (403, code 50007: they closed them, or share no server with it
any more) or who is unknown (10013) is ``RecipientUnreachable``: the outbox records the
person as unreachable and nothing is tried again. A 429 is waited out by discord.py
itself (it reads Discord's ``retry_after``); one that asks for longer than the client's
``max_ratelimit_timeout`` raises ``RateLimited``, which becomes ``PlatformBusy`` so the
outbox tries later instead of this process sleeping on it.
"""

from __future__ import annotations

import contextlib
import secrets
from collections.abc import AsyncIterator, Awaitable, Callable, Sequence
from functools import partial

import discord

from adapters.discord.buttons import StoppedViews
from adapters.discord.forms import FormShelf
from adapters.discord.outgoing import Outgoing, Pacing, outgoing
from adapters.discord.reconnect import again_when_cut
from bot.events import Actor
from bot.platforms import PlatformBusy, RecipientUnreachable
from bot.replies import Form, Reply

CLOSED_PRIVATE_MESSAGES = 50007  # "Cannot send messages to this user"
UNKNOWN_USER = 10013

ClientSource = Callable[[], Awaitable[discord.Client]]


class Delivery:
    def __init__(
        self, client: ClientSource, shelf: FormShelf, form_label: Callable[[Form], str]
    ) -> None:
        self._client = client
        self._shelf = shelf
        self._form_label = form_label
        self._views = StoppedViews()

    def messages(self, reply: Reply, actor: Actor | None) -> list[Outgoing]:
        """``reply`` as messages; a form it opens is kept for ``actor`` to open."""
        if reply.form is not None and actor is not None:
            self._shelf.keep(actor, reply.form)
        return outgoing(reply, self._form_label, self._views.of)

    async def to_channel(
        self,
        channel_id: int,
        reply: Reply,
        pacing: Pacing,
        *,
        group_chat: bool,
        actor: Actor | None = None,
    ) -> list[int]:
        """``reply`` posted in ``channel_id`` (a form's button for ``actor``); the ids."""
        client = await self._client()
        channel = client.get_partial_messageable(channel_id)
        messages = self.messages(reply, actor)
        async with busy_when_limited():
            return await self._post(channel, messages, pacing, channel_id, group_chat)

    async def to_person(self, actor: Actor, reply: Reply, pacing: Pacing) -> tuple[int, list[int]]:
        """``reply`` in ``actor``'s private chat: the chat's id and the messages' ids.
        Raises ``RecipientUnreachable`` when Discord refuses."""
        client = await self._client()
        async with unreachable_when_refused(actor), busy_when_limited():
            chat = await again_when_cut(
                lambda: client.create_dm(discord.Object(id=int(actor.user_id)))
            )
            # paced by the person's id, as the Messenger paces private messages
            messages = self.messages(reply, actor)
            ids = await self._post(chat, messages, pacing, int(actor.user_id), False)
        return chat.id, ids

    async def edit(self, channel_id: int, message_ids: Sequence[str], reply: Reply) -> None:
        """The first message becomes the new text (its first part); further parts of the
        old message are deleted, further parts of the new one sent after."""
        client = await self._client()
        channel = client.get_partial_messageable(channel_id)
        messages = self.messages(reply, None)
        if not messages or not message_ids:
            raise ValueError("an edit needs a message and some text")
        async with busy_when_limited():
            first = channel.get_partial_message(int(message_ids[0]))
            await first.edit(**messages[0].edit_kwargs())
            for extra in message_ids[1:]:
                await channel.get_partial_message(int(extra)).delete()
            await self._post(channel, messages[1:], Pacing.notice(None), channel_id, False)

    async def _post(
        self,
        channel: discord.abc.Messageable,
        messages: Sequence[Outgoing],
        pacing: Pacing,
        chat_key: int,
        group_chat: bool,
    ) -> list[int]:
        ids: list[int] = []
        for message in messages:
            await pacing.turn(chat_key, group_chat=group_chat)
            nonce = secrets.token_hex(12)  # at most 25 characters
            sent = await again_when_cut(partial(_send, channel, message, nonce))
            pacing.sent()
            ids.append(sent.id)
        return ids


async def _send(channel: discord.abc.Messageable, message: Outgoing, nonce: str) -> discord.Message:
    """One try; ``nonce`` (with discord.py's ``enforce_nonce``) is the same on every try,
    so Discord makes the message once even when a try's answer was lost on the way."""
    return await channel.send(**message.send_kwargs(), nonce=nonce)  # a new file each time


@contextlib.asynccontextmanager
async def unreachable_when_refused(actor: Actor) -> AsyncIterator[None]:
    try:
        yield
    except discord.Forbidden as refused:
        if refused.code == CLOSED_PRIVATE_MESSAGES:
            raise RecipientUnreachable(actor.key) from None
        raise
    except discord.NotFound as missing:
        if missing.code == UNKNOWN_USER:
            raise RecipientUnreachable(actor.key) from None
        raise


@contextlib.asynccontextmanager
async def busy_when_limited() -> AsyncIterator[None]:
    """A 429 longer than discord.py waits out is ``PlatformBusy``: tried later."""
    try:
        yield
    except discord.RateLimited as limited:
        raise PlatformBusy(limited.retry_after) from None
