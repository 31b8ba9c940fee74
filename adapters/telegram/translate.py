"""Telegram updates as PeerCircle events: who did it, where, and what.

Only what PeerCircle needs is read: the person (id and name), the chat (private or
shared, and the forum topic), the text of a message or the data of a pressed button.
Everything else (media, edits, bots, channels) is left alone. A command addressed to
another bot (``/join@OtherBot``) is not for us; one addressed to us, or to nobody, is.
"""

from __future__ import annotations

from dataclasses import dataclass

from telegram import Chat, Message, Update, User
from telegram.constants import ChatType

from adapters.telegram.forms import FormPress, form_press
from bot.commands import parse_command_text
from bot.events import ActionPressed, Actor, MessageRef, Place, TextReceived

PLATFORM = "telegram"
_SHARED_CHATS = (ChatType.GROUP, ChatType.SUPERGROUP)


@dataclass(frozen=True, slots=True)
class Received:
    """One update, as the adapter acts on it.

    ``message_id``: the person's own message, to answer a pointer to (None for a press).
    ``form_reply``: the tag of the form whose question this message replies to, if any.
    """

    incoming: TextReceived | ActionPressed
    message_id: int | None = None
    form_reply: str | None = None

    @property
    def actor(self) -> Actor:
        return self.incoming.actor

    @property
    def place(self) -> Place:
        return self.incoming.place

    @property
    def form_press(self) -> FormPress | None:
        if isinstance(self.incoming, ActionPressed):
            return form_press(self.incoming.action)
        return None


def actor_of(user: User) -> Actor:
    return Actor(PLATFORM, str(user.id), user.full_name)


def place_of(chat: Chat, message: Message | None) -> Place | None:
    """The place for ``chat`` (None for chats PeerCircle does not serve, like channels);
    in a forum, the topic ``message`` is in."""
    if chat.type == ChatType.PRIVATE:
        return Place(PLATFORM, str(chat.id), private=True)
    if chat.type not in _SHARED_CHATS:
        return None
    thread = None
    if message is not None and message.is_topic_message and message.message_thread_id:
        thread = str(message.message_thread_id)
    return Place(PLATFORM, str(chat.id), private=False, thread_id=thread)


def translate(update: Update, bot_username: str | None) -> Received | None:
    """The event in ``update``, or None when it is nothing for PeerCircle."""
    if update.callback_query is not None:
        return _pressed(update)
    if update.message is not None:
        return _message(update.message, bot_username)
    return None


def addressed_elsewhere(text: str, bot_username: str | None) -> bool:
    """Whether ``text`` is a command for another bot (``/join@OtherBot``)."""
    parsed = parse_command_text(text)
    if parsed is None or parsed.bot is None:
        return False
    return bot_username is None or parsed.bot.casefold() != bot_username.casefold()


def _message(message: Message, bot_username: str | None) -> Received | None:
    user = message.from_user
    if user is None or user.is_bot:
        return None
    place = place_of(message.chat, message)
    if place is None:
        return None
    text = message.text
    if text is None:
        if not place.private:
            return None
        text = ""  # a sticker or a photo in the private chat: "I didn't catch anything"
    if addressed_elsewhere(text, bot_username):
        return None
    form_reply = _form_replied_to(message) if place.private else None
    return Received(TextReceived(actor_of(user), place, text), message.message_id, form_reply)


def _pressed(update: Update) -> Received | None:
    query = update.callback_query
    if query is None or query.data is None or query.message is None:
        return None  # a game, or a button on an inline message: not ours
    on = query.message
    place = place_of(on.chat, on if isinstance(on, Message) else None)
    if place is None:
        return None
    origin = MessageRef(PLATFORM, str(on.chat.id), (str(on.message_id),))
    return Received(ActionPressed(actor_of(query.from_user), place, query.data, origin=origin))


def _form_replied_to(message: Message) -> str | None:
    """The form tag on the buttons of the bot's message that ``message`` replies to."""
    replied = message.reply_to_message
    if replied is None or replied.reply_markup is None:
        return None
    for row in replied.reply_markup.inline_keyboard:
        for button in row:
            data = button.callback_data
            press = form_press(data) if isinstance(data, str) else None
            if press is not None:
                return press.tag
    return None
