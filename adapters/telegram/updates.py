"""Handling one update, start to finish: acknowledge a press, follow an open form, or
ask the core and deliver its replies.

A group chat upgraded to a supergroup (Telegram's service message) is noted, so messages
for it go to its new id. A button press is acknowledged first (``answerCallbackQuery``),
so the person's button stops spinning even when what follows fails. In a private chat, a
message that is not a command answers the person's open form, if they have one; a
command closes the form first (so ``/crisis`` always works, and is answered at once).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

from telegram import Bot, Update

from adapters.base import Inbox
from adapters.telegram.delivery import Delivery, Origin, private_place
from adapters.telegram.forms import FormConversations, Outcome
from adapters.telegram.sender import Sender
from adapters.telegram.translate import Received, translate
from bot.commands import parse_command_text
from bot.errors import log_incident, new_incident_id
from bot.events import ActionPressed, TextReceived
from bot.replies import Reply
from bot.text import clean_input

logger = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class Arrived:
    """An update waiting in its sender's lane, read once when it arrived (``read``
    False: reading it failed then, and it is read again when handled, failing loudly)."""

    update: Update
    received: Received | None
    urgent: bool = False
    read: bool = True


class UpdateHandler:
    def __init__(self, sender: Sender, forms: FormConversations, delivery: Delivery) -> None:
        self._sender = sender
        self._forms = forms
        self._delivery = delivery

    def arrive(self, update: Update, inbox: Inbox | None) -> Arrived:
        """``update`` read once, and whether it runs an urgent command (``/crisis``
        typed or pressed), to be run at once rather than queued; a form's own press
        never is. Never raises: the urgency is only a scheduling hint."""
        try:
            received = translate(update, self._sender.username)
        except Exception as error:
            log_incident(logger, new_incident_id(), "telegram reading an update", error)
            return Arrived(update, None, read=False)
        if inbox is None or received is None or received.form_press is not None:
            return Arrived(update, received)
        try:
            return Arrived(update, received, urgent=inbox.is_urgent(received.incoming))
        except Exception as error:  # the update is still handled, in its turn
            log_incident(logger, new_incident_id(), "telegram urgency", error)
            return Arrived(update, received)

    async def handle(self, arrived: Arrived, inbox: Inbox) -> None:
        update = arrived.update
        if update.callback_query is not None:
            await self._acknowledge(update.callback_query.id)
        migrated = update.message.migrate_to_chat_id if update.message is not None else None
        if update.message is not None and migrated is not None:  # Telegram's notice of it
            self._sender.moved(update.message.chat.id, migrated)
            return
        received = self._received(arrived)
        if received is None:
            return
        step = await self._form_step(received)
        if step is not None:
            await self._form_outcome(received, step, inbox)
            return
        closed = Outcome()
        if received.place.private and self._is_command(received):
            closed = await self._forms.put_away(received.actor)
        replies = await inbox.handle(received.incoming)
        pressed = isinstance(received.incoming, ActionPressed)
        origin = Origin(received.actor, received.place, received.message_id, pressed)
        await self._delivery.answer(origin, replies)
        await self._delivery.answer(Origin(received.actor, received.place), closed.replies)

    async def refuse(self, arrived: Arrived, reply: Reply) -> None:
        """Answer the update with ``reply`` alone (the person has too much in hand): a
        press is acknowledged, and nothing else is done with it."""
        if arrived.update.callback_query is not None:
            await self._acknowledge(arrived.update.callback_query.id)
        received = self._received(arrived)
        if received is not None:
            origin = Origin(received.actor, received.place, received.message_id)
            await self._delivery.answer(origin, [reply])

    def _received(self, arrived: Arrived) -> Received | None:
        if arrived.read:
            return arrived.received
        return translate(arrived.update, self._sender.username)

    async def _acknowledge(self, query_id: str) -> None:
        async def answer(bot: Bot) -> bool:
            return await bot.answer_callback_query(query_id)

        try:
            await self._sender.call(answer)
        except Exception as error:  # the press is still handled
            log_incident(logger, new_incident_id(), "telegram answer callback", error)

    async def _form_step(self, received: Received) -> Outcome | None:
        """What the form makes of this update; None when it is not about a form."""
        press = received.form_press
        if press is not None:
            return await self._forms.press(received.actor, press)
        incoming = received.incoming
        if not received.place.private or not isinstance(incoming, TextReceived):
            return None
        if self._is_command(received):
            return None
        tag = received.form_reply
        if tag is not None and not await self._forms.is_open(received.actor, tag):
            return self._forms.expired()  # replying to a question of a forgotten form
        return await self._forms.answer(received.actor, incoming.text)

    async def _form_outcome(self, received: Received, outcome: Outcome, inbox: Inbox) -> None:
        """A form's texts go to the private chat, where the conversation is; so do the
        replies to the submitted form, whatever their audience (the safe direction)."""
        private = Origin(received.actor, private_place(received.actor))
        await self._delivery.answer(private, outcome.replies)
        if outcome.submitted is not None:
            await self._delivery.answer(private, await inbox.handle(outcome.submitted))

    @staticmethod
    def _is_command(received: Received) -> bool:
        incoming = received.incoming
        if not isinstance(incoming, TextReceived):
            return False
        # Cleaned as the dispatcher cleans it: an invisible character before /crisis must
        # not turn the command into an answer to an open form.
        return parse_command_text(clean_input(incoming.text)) is not None
