"""The world behind the fake Telegram Bot API: users, chats, memberships, messages,
the update queue, and the helpers tests use to make users act (inject updates)."""

from __future__ import annotations

import asyncio
import itertools
import json
import time
from collections.abc import Iterator
from typing import Any

from tests.fakes.telegram_updates import (
    JSON,
    CallbackAnswer,
    RecordedCall,
    SentMessage,
    TgChat,
    TgUser,
    detect_entities,
    message_json,
    private_chat_of,
)

# Update types Telegram leaves out unless allowed_updates names them.
OPT_IN_UPDATES = frozenset({"chat_member", "message_reaction", "message_reaction_count"})
MEMBER_STATUSES = ("creator", "administrator", "member", "restricted", "left", "kicked")

_ADMIN_RIGHTS = (
    "can_manage_chat",
    "can_delete_messages",
    "can_manage_video_chats",
    "can_restrict_members",
    "can_change_info",
    "can_invite_users",
    "can_post_stories",
    "can_edit_stories",
    "can_delete_stories",
    "can_pin_messages",
    "can_manage_topics",
)
_RESTRICTIONS = (
    "can_send_messages",
    "can_send_audios",
    "can_send_documents",
    "can_send_photos",
    "can_send_videos",
    "can_send_video_notes",
    "can_send_voice_notes",
    "can_send_polls",
    "can_send_other_messages",
    "can_add_web_page_previews",
    "can_change_info",
    "can_invite_users",
    "can_pin_messages",
    "can_manage_topics",
    "can_edit_tag",
    "can_react_to_messages",
)


def member_json(status: str, user: JSON, extra: JSON | None = None) -> JSON:
    """A ChatMember of the given status with every field the Bot API marks required."""
    member: JSON = {"status": status, "user": user}
    if status == "creator":
        member["is_anonymous"] = False
    elif status == "administrator":
        member.update({"can_be_edited": False, "is_anonymous": False, "can_promote_members": False})
        member.update(dict.fromkeys(_ADMIN_RIGHTS, True))
    elif status == "restricted":
        member.update({"is_member": True, "until_date": 0})
        member.update(dict.fromkeys(_RESTRICTIONS, False))
    elif status == "kicked":
        member["until_date"] = 0
    member.update(extra or {})
    return member


class TelegramState:
    def __init__(
        self,
        *,
        bot_id: int,
        bot_username: str,
        bot_first_name: str,
        group_privacy: bool,
    ) -> None:
        self.bot = TgUser(id=bot_id, first_name=bot_first_name, username=bot_username, is_bot=True)
        self.group_privacy = group_privacy
        self.calls: list[RecordedCall] = []
        self.dropped_updates: list[JSON] = []  # injected, but Telegram would not deliver them
        self.migrated: dict[int, int] = {}  # a group's old id -> its supergroup's id
        self._users: dict[int, TgUser] = {}
        self._chats: dict[int, TgChat] = {}
        self._members: dict[tuple[int, int], tuple[str, JSON]] = {}
        self._blocked: set[int] = set()
        self._messages: dict[tuple[int, int], JSON] = {}  # every live message, by (chat, id)
        self._sent: dict[tuple[int, int], SentMessage] = {}
        self._message_ids: dict[int, Iterator[int]] = {}
        self._updates: list[JSON] = []
        self._update_ids = itertools.count(100_000_001)
        self._allowed_updates: list[str] = []
        self._callback_queries: dict[str, JSON] = {}
        self._callback_ids = itertools.count(4_382_000_000_000_000_001)
        self._answers: list[CallbackAnswer] = []
        self._commands: dict[tuple[str, str], list[JSON]] = {}
        self._chat_actions: list[tuple[int, str, int | None]] = []
        self._user_ids = itertools.count(100_000_001)
        self._supergroup_ids = itertools.count(1_001_000_000_001)
        self._group_ids = itertools.count(400_000_001)
        self._changed = asyncio.Event()

    # --- the cast -------------------------------------------------------------

    def user(
        self,
        first_name: str = "Alex",
        *,
        id: int | None = None,
        last_name: str | None = None,
        username: str | None = None,
        language_code: str | None = "en",
    ) -> TgUser:
        """A Telegram user (not yet in a private chat with the bot)."""
        made = TgUser(
            id=id if id is not None else next(self._user_ids),
            first_name=first_name,
            last_name=last_name,
            username=username,
            language_code=language_code,
        )
        self._users[made.id] = made
        return made

    def private_chat(self, user: TgUser) -> TgChat:
        """The user's private chat with the bot: the user has pressed Start. Until then,
        sending to the user answers 403 "bot can't initiate conversation with a user"."""
        self._users[user.id] = user
        return self._chats.setdefault(user.id, private_chat_of(user))

    def group(
        self,
        title: str = "Peer Circle",
        *,
        id: int | None = None,
        type: str = "supergroup",
        is_forum: bool = False,
        username: str | None = None,
    ) -> TgChat:
        """A group the bot is in: a supergroup (id -100…) unless ``type="group"``."""
        if type not in ("group", "supergroup"):
            raise ValueError(f"not a group type: {type}")
        if id is None:
            id = -next(self._supergroup_ids if type == "supergroup" else self._group_ids)
        chat = TgChat(id=id, type=type, title=title, username=username, is_forum=is_forum)
        self._chats[chat.id] = chat
        return chat

    def set_chat_member(
        self, chat: TgChat | int, user: TgUser | int, status: str, **fields: Any
    ) -> None:
        """What getChatMember answers for this user (or the bot) in this chat; the
        default is "member". ``fields`` override fields of the ChatMember JSON."""
        if status not in MEMBER_STATUSES:
            raise ValueError(f"unknown chat member status: {status}")
        self._members[(_id(chat), _id(user))] = (status, fields)

    def migrate_to_supergroup(self, chat: TgChat, *, announce: bool = True) -> TgChat:
        """The group ``chat`` is upgraded to a supergroup with a new id: from now on a
        call naming the old id answers 400 with ``migrate_to_chat_id``. With
        ``announce``, the bot gets Telegram's service message in the old chat
        (``migrate_to_chat_id``), as it does when it is running at the time."""
        if chat.type != "group":
            raise ValueError("only a basic group is upgraded to a supergroup")
        upgraded = self.group(chat.title or "Peer Circle", type="supergroup")
        service = {
            "message_id": self._next_message_id(chat.id),
            "from": self.bot.to_json(),
            "chat": chat.to_json(),
            "date": int(time.time()),
            "migrate_to_chat_id": upgraded.id,
        }
        self.migrated[chat.id] = upgraded.id
        if announce:
            self.inject_update("message", service)
        return upgraded

    def set_blocked(self, user: TgUser | int, blocked: bool = True) -> None:
        """The user blocked the bot: sends to them answer 403 until they write again."""
        (self._blocked.add if blocked else self._blocked.discard)(_id(user))

    # --- users act --------------------------------------------------------------

    def inject_message(
        self,
        user: TgUser,
        text: str,
        *,
        chat: TgChat | None = None,
        thread_id: int | None = None,
        reply_to_message_id: int | None = None,
        entities: list[JSON] | None = None,
    ) -> JSON:
        """The user writes ``text`` in ``chat`` (their private chat with the bot if None).
        Commands, mentions and links get their entities as Telegram adds them."""
        self._users[user.id] = user
        if chat is None or chat.type == "private":
            if chat is not None and chat.id != user.id:
                raise ValueError("in a private chat only its own user can write")
            chat = self.private_chat(user)
            self._blocked.discard(user.id)  # writing to the bot means they unblocked it
        self._chats.setdefault(chat.id, chat)
        reply_to = None
        if reply_to_message_id is not None:
            reply_to = self._messages.get((chat.id, reply_to_message_id))
            if reply_to is None:
                raise ValueError(f"no message {reply_to_message_id} in chat {chat.id}")
        message = message_json(
            message_id=self._next_message_id(chat.id),
            date=int(time.time()),
            chat=chat,
            sender=user,
            text=text,
            entities=detect_entities(text) if entities is None else entities,
            thread_id=thread_id,
            reply_to=reply_to,
        )
        self._messages[(chat.id, message["message_id"])] = message
        if chat.is_group and not self._bot_sees(chat, message):
            update = {"update_id": next(self._update_ids), "message": message}
            self.dropped_updates.append(update)
            return update
        return self.inject_update("message", message)

    def inject_command(
        self,
        user: TgUser,
        command: str,
        *,
        chat: TgChat | None = None,
        thread_id: int | None = None,
    ) -> JSON:
        """``command`` is the whole text, e.g. "/join circle" or "/join@OtherBot circle"."""
        if not command.startswith("/"):
            raise ValueError("a command starts with /")
        return self.inject_message(user, command, chat=chat, thread_id=thread_id)

    def inject_reply_to_bot(self, user: TgUser, sent: SentMessage, text: str) -> JSON:
        """The user replies to a message the bot sent."""
        return self.inject_message(
            user,
            text,
            chat=self._chats[sent.chat_id],
            thread_id=sent.thread_id,
            reply_to_message_id=sent.message_id,
        )

    def press_button(
        self, user: TgUser, sent: SentMessage, data: str | None = None, *, text: str | None = None
    ) -> JSON:
        """The user presses the inline button with this callback_data (or label) on a
        message the bot sent; the update is a callback_query carrying that message."""
        if sent.deleted:
            raise ValueError("that message was deleted")
        chat = self._chats[sent.chat_id]
        if chat.type == "private" and chat.id != user.id:
            raise ValueError("only the chat's own user sees that message")
        for label, button_data in sent.buttons:
            wanted_data = button_data is not None and data in (None, button_data)
            if wanted_data and text in (None, label):
                break
        else:
            raise ValueError(f"no inline button with data={data!r} text={text!r}: {sent.buttons}")
        self._users[user.id] = user
        query_id = str(next(self._callback_ids))
        query: JSON = {
            "id": query_id,
            "from": user.to_json(),
            "message": sent.json,
            "chat_instance": str((chat.id * 2_654_435_761) % 2**63),
            "data": button_data,
        }
        self._callback_queries[query_id] = query
        return self.inject_update("callback_query", query)

    def inject_update(self, kind: str, payload: JSON) -> JSON:
        """Queues any update (``kind`` is its field, e.g. "edited_message") with the next
        update_id, unless the bot's allowed_updates leave that kind out."""
        update = {"update_id": next(self._update_ids), kind: payload}
        if not self._allowed(kind):
            self.dropped_updates.append(update)
            return update
        self._updates.append(update)
        self._notify()
        return update

    # --- what happened ----------------------------------------------------------

    def calls_to(self, method: str) -> list[RecordedCall]:
        return [call for call in self.calls if call.method == method]

    def sent_messages(self, chat_id: TgChat | TgUser | int | None = None) -> list[SentMessage]:
        """What the bot sent (and did not fail to send), oldest first."""
        wanted = None if chat_id is None else _id(chat_id)
        return [m for m in self._sent.values() if wanted is None or m.chat_id == wanted]

    def answered_callbacks(self) -> list[CallbackAnswer]:
        return list(self._answers)

    def commands(self, scope: str | JSON = "default", language_code: str = "") -> list[JSON]:
        """The command list setMyCommands left for exactly this scope and language."""
        scope_json = {"type": scope} if isinstance(scope, str) else scope
        return list(self._commands.get((scope_key(scope_json), language_code), []))

    def chat_actions(self, chat_id: TgChat | TgUser | int | None = None) -> list[str]:
        wanted = None if chat_id is None else _id(chat_id)
        return [action for chat, action, _ in self._chat_actions if wanted in (None, chat)]

    def pending_updates(self) -> list[JSON]:
        """Updates the bot has not confirmed yet (with a later getUpdates offset, or by
        answering their webhook delivery)."""
        return list(self._updates)

    def confirm_update(self, update_id: int) -> None:
        """The bot took ``update_id`` (its webhook delivery was answered 2xx)."""
        self._updates = [u for u in self._updates if u["update_id"] != update_id]
        self._notify()

    # --- internals ----------------------------------------------------------------

    def _notify(self) -> None:
        """Something happened: wake whoever waits for the fake to change."""
        self._changed.set()
        self._changed = asyncio.Event()

    def _next_message_id(self, chat_id: int) -> int:
        return next(self._message_ids.setdefault(chat_id, itertools.count(1)))

    def _allowed(self, kind: str) -> bool:
        if self._allowed_updates:
            return kind in self._allowed_updates
        return kind not in OPT_IN_UPDATES

    def _bot_sees(self, chat: TgChat, message: JSON) -> bool:
        """Privacy mode: in groups a bot that is no admin sees only commands meant for
        it, replies to its messages and mentions of it."""
        if not self.group_privacy or self._status(chat.id, self.bot.id) in (
            "administrator",
            "creator",
        ):
            return True
        replied = message.get("reply_to_message", {}).get("from", {}).get("id")
        if replied == self.bot.id:
            return True
        text: str = message.get("text", "")
        for entity in message.get("entities", []):
            word = text[entity["offset"] : entity["offset"] + entity["length"]]
            if (
                entity["type"] == "mention"
                and word[1:].lower() == (self.bot.username or "").lower()
            ):
                return True
            if entity["type"] == "bot_command":
                addressed = word.partition("@")[2].lower()
                if addressed in ("", (self.bot.username or "").lower()):
                    return True
        return False

    def _status(self, chat_id: int, user_id: int) -> str:
        return self._members.get((chat_id, user_id), ("member", {}))[0]

    def _member(self, chat_id: int, user_id: int) -> JSON:
        status, extra = self._members.get((chat_id, user_id), ("member", {}))
        if user_id == self.bot.id:
            user = self.bot.to_json()
        elif user_id in self._users:
            user = self._users[user_id].to_json()
        else:
            user = {"id": user_id, "is_bot": False, "first_name": f"User {user_id}"}
        return member_json(status, user, extra)


def scope_key(scope: JSON) -> str:
    return json.dumps(scope, sort_keys=True)


def _id(thing: TgChat | TgUser | int) -> int:
    return thing if isinstance(thing, int) else thing.id
