"""Carrying out replies, each to its audience: handlers choose, the adapter carries out.

In a private chat every reply goes to that chat. In a group chat:

- ``HERE`` is posted in the group (in the same forum topic);
- ``ONLY_YOU`` and ``PRIVATE_MESSAGE`` go to the person's private chat (Telegram has no
  replies only one person in a group can see), and the group then gets one neutral
  pointer, answering the person's message: "I've sent you a private message" (not for
  a button press: its private answer is all the presser needs, and many presses on one
  shared message must not flood the group);
- if the private chat cannot be reached (the person blocked the bot, or never pressed
  Start), the group gets instead a neutral line with a link that opens the private
  chat (``https://t.me/<bot>?start=start``). Never the content.

A form is always a conversation in the private chat, wherever it was opened.

An attachment goes as a document (``sendDocument``), an image (a PNG or JPEG, such as
the check-in trend chart) as a photo (``sendPhoto``), shown in the chat. Either way the
reply's text is its caption, so text and file arrive as one message; a text too long
for a caption (1024 characters) is sent as messages first, and the file after them
without one. (A photo Telegram refuses to process goes again as a document.)

Every message waits for its turn under Telegram's limits (``pacing.py``): the replies to
an update as an answer, the messages the core sends on its own as a notice.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from telegram.error import BadRequest, Forbidden

from adapters.telegram.forms import FormConversations
from adapters.telegram.pacing import Pacing
from adapters.telegram.render import caption, render
from adapters.telegram.sender import Sender
from adapters.telegram.translate import PLATFORM
from bot.catalog import Catalog
from bot.events import Actor, Place
from bot.platforms import RecipientUnreachable
from bot.ratelimit import PlatformLimiter
from bot.replies import Audience, Reply

DEEP_LINK_PAYLOAD = "start"  # what /start receives from the link: nothing about anyone


@dataclass(frozen=True, slots=True)
class Origin:
    """Whom a batch of replies answers, where, and (for pointers) which message.
    ``pressed``: it answers a button press (in a group, no pointer follows a private
    answer to one: a busy card's presses would flood the group with pointers)."""

    actor: Actor
    place: Place
    message_id: int | None = None
    pressed: bool = False


def private_place(actor: Actor) -> Place:
    """A person's private chat with the bot: its id is theirs."""
    return Place(PLATFORM, actor.user_id, private=True)


class Delivery:
    def __init__(
        self,
        sender: Sender,
        forms: FormConversations,
        catalog: Catalog,
        *,
        bot_name: str,
        limiter: PlatformLimiter | None = None,
    ) -> None:
        self._sender = sender
        self._forms = forms
        self._catalog = catalog
        self._bot_name = bot_name
        self._limiter = limiter

    def notice(self) -> Pacing:
        """The pacing of one message the core sends on its own (through the Messenger)."""
        return Pacing.notice(self._limiter)

    async def to_place(
        self, place: Place, reply: Reply, pacing: Pacing, *, reply_to: int | None = None
    ) -> list[int]:
        """Post ``reply`` where everyone in ``place`` sees it; the message ids."""
        thread = int(place.thread_id) if place.thread_id is not None else None
        return await self._post(
            int(place.chat_id),
            reply,
            pacing,
            thread_id=thread,
            reply_to=reply_to,
            group_chat=not place.private,
        )

    async def to_person(self, actor: Actor, reply: Reply, pacing: Pacing) -> list[int]:
        """Send ``reply`` to ``actor``'s private chat, or raise ``RecipientUnreachable``."""
        try:
            return await self._post(int(actor.user_id), reply, pacing)
        except Forbidden:  # blocked, or the person never pressed Start
            raise RecipientUnreachable(actor.key) from None
        except BadRequest as refused:
            if "chat not found" in refused.message.casefold():
                raise RecipientUnreachable(actor.key) from None
            raise

    async def _post(
        self,
        chat_id: int,
        reply: Reply,
        pacing: Pacing,
        *,
        thread_id: int | None = None,
        reply_to: int | None = None,
        group_chat: bool = False,
    ) -> list[int]:
        """``reply`` as messages in ``chat_id``, its attachment as a file; the ids."""
        attachment = reply.attachment
        under_file = None if attachment is None else caption(reply.text, reply.buttons)
        ids: list[int] = []
        if under_file is None:
            parts = render(reply.text, reply.buttons)
            ids = await self._sender.post(
                chat_id,
                parts,
                thread_id=thread_id,
                reply_to=reply_to,
                pacing=pacing,
                group_chat=group_chat,
            )
            reply_to = None if ids else reply_to  # only the first message answers
        if attachment is not None:
            file = await self._sender.post_attachment(
                chat_id,
                attachment,
                under_file,
                thread_id=thread_id,
                reply_to=reply_to,
                pacing=pacing,
                group_chat=group_chat,
            )
            ids.append(file)
        return ids

    async def answer(self, origin: Origin, replies: Sequence[Reply]) -> None:
        """Every reply to what ``origin.actor`` did, each to its audience."""
        pacing = Pacing.answer(self._limiter)
        if origin.place.private:
            for reply in replies:
                await self.to_place(origin.place, reply, pacing)
                if reply.form is not None:
                    question = await self._forms.open(reply.form, origin.actor, origin.place)
                    await self.to_place(origin.place, question, pacing)
            return
        await self._answer_in_group(origin, replies, pacing)

    async def _answer_in_group(
        self, origin: Origin, replies: Sequence[Reply], pacing: Pacing
    ) -> None:
        sent_privately = unreachable = False
        for reply in replies:
            if reply.audience is Audience.HERE:
                await self.to_place(origin.place, reply, pacing)
            elif await self._privately(origin.actor, reply, pacing):
                sent_privately = True
            else:
                unreachable = True
            if reply.form is not None:
                question = await self._forms.open(reply.form, origin.actor, origin.place)
                if await self._privately(origin.actor, question, pacing):
                    sent_privately = True
                else:
                    await self._forms.discard(origin.actor)
                    unreachable = True
        if unreachable:
            await self._pointer(origin, self._open_private_chat(), pacing)
        elif sent_privately and not origin.pressed:
            await self._pointer(origin, self._catalog.text("audience.sent_privately"), pacing)

    async def _privately(self, actor: Actor, reply: Reply, pacing: Pacing) -> bool:
        try:
            await self.to_person(actor, reply, pacing)
        except RecipientUnreachable:
            return False
        return True

    async def _pointer(self, origin: Origin, text: str, pacing: Pacing) -> None:
        pointer = Reply(text, audience=Audience.HERE)
        await self.to_place(origin.place, pointer, pacing, reply_to=origin.message_id)

    def _open_private_chat(self) -> str:
        username = self._sender.username
        if not username:
            return self._catalog.text("audience.could_not_message", bot=self._bot_name)
        link = f"https://t.me/{username}?start={DEEP_LINK_PAYLOAD}"
        return self._catalog.text("telegram.open_private_chat", link=link)
