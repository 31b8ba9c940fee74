"""Bot API objects for the fake Telegram server: users, chats, messages and what the
bot sent, as the JSON Telegram sends and as typed records for tests to assert on."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from tests.fakes.telegram_html import utf16_len

JSON = dict[str, Any]


@dataclass(frozen=True)
class TgUser:
    id: int
    first_name: str
    last_name: str | None = None
    username: str | None = None
    language_code: str | None = None
    is_bot: bool = False

    def to_json(self) -> JSON:
        data: JSON = {"id": self.id, "is_bot": self.is_bot, "first_name": self.first_name}
        for key in ("last_name", "username", "language_code"):
            value = getattr(self, key)
            if value is not None:
                data[key] = value
        return data


@dataclass(frozen=True)
class TgChat:
    """A chat. Private chats have the user's id; groups negative ids (supergroups
    -100…); ``is_forum`` supergroups have topics (message_thread_id)."""

    id: int
    type: str
    title: str | None = None
    username: str | None = None
    first_name: str | None = None
    last_name: str | None = None
    is_forum: bool = False

    @property
    def is_group(self) -> bool:
        return self.type in ("group", "supergroup")

    def to_json(self) -> JSON:
        data: JSON = {"id": self.id, "type": self.type}
        for key in ("title", "username", "first_name", "last_name"):
            value = getattr(self, key)
            if value is not None:
                data[key] = value
        if self.is_forum:
            data["is_forum"] = True
        return data


def private_chat_of(user: TgUser) -> TgChat:
    return TgChat(
        id=user.id,
        type="private",
        username=user.username,
        first_name=user.first_name,
        last_name=user.last_name,
    )


# What Telegram marks up by itself in a text: "/cmd" or "/cmd@SomeBot", "@username", links.
_AUTO_ENTITIES = (
    ("bot_command", re.compile(r"(?<![\w/])/[A-Za-z0-9_]{1,64}(?:@[A-Za-z0-9_]{3,32})?(?![\w/@])")),
    ("mention", re.compile(r"(?<![\w@/])@[A-Za-z0-9_]{5,32}(?![\w@])")),
    ("url", re.compile(r"(?<!\S)https?://[^\s<>\"]+")),
)


def detect_entities(text: str) -> list[JSON]:
    """The entities Telegram adds to a user's text: bot_command, mention and url."""
    found: list[JSON] = []
    for kind, pattern in _AUTO_ENTITIES:
        for match in pattern.finditer(text):
            offset = utf16_len(text[: match.start()])
            found.append({"type": kind, "offset": offset, "length": utf16_len(match.group())})
    found.sort(key=lambda e: e["offset"])
    return found


def message_json(
    *,
    message_id: int,
    date: int,
    chat: TgChat,
    sender: TgUser,
    text: str,
    entities: list[JSON],
    thread_id: int | None = None,
    reply_to: JSON | None = None,
    reply_markup: JSON | None = None,
) -> JSON:
    message: JSON = {
        "message_id": message_id,
        "from": sender.to_json(),
        "chat": chat.to_json(),
        "date": date,
    }
    if thread_id is not None:
        message["message_thread_id"] = thread_id
        if chat.is_forum:
            message["is_topic_message"] = True
    if reply_to is not None:
        message["reply_to_message"] = {k: v for k, v in reply_to.items() if k != "reply_to_message"}
    message["text"] = text
    if entities:
        message["entities"] = entities
    if reply_markup is not None:
        message["reply_markup"] = reply_markup
    return message


def inline_buttons(reply_markup: JSON | None) -> list[list[JSON]]:
    if not reply_markup:
        return []
    rows = reply_markup.get("inline_keyboard")
    return rows if isinstance(rows, list) else []


@dataclass(frozen=True)
class SentDocument:
    """A file the bot uploaded with sendDocument: its name, bytes and declared type."""

    filename: str
    content: bytes = field(repr=False)
    content_type: str


@dataclass(frozen=True)
class SentPhoto:
    """An image the bot uploaded with sendPhoto: its name, bytes, declared type and the
    dimensions the fake read from it."""

    filename: str
    content: bytes = field(repr=False)
    content_type: str
    width: int
    height: int


@dataclass
class SentMessage:
    """A message the bot sent, as it stands now (edits applied; ``edits`` holds the
    texts it had before, ``deleted`` whether the bot deleted it)."""

    chat_id: int
    message_id: int
    text: str  # what the user sees (HTML parsed, trimmed)
    raw_text: str  # exactly what the bot sent
    parse_mode: str | None
    entities: list[JSON]
    reply_markup: JSON | None
    thread_id: int | None
    link_preview_options: JSON | None
    reply_parameters: JSON | None
    disable_notification: bool
    sent_at: float
    json: JSON = field(repr=False)
    edits: list[str] = field(default_factory=list)
    deleted: bool = False
    document: SentDocument | None = None  # sendDocument: ``text`` is then the caption
    photo: SentPhoto | None = None  # sendPhoto: ``text`` is then the caption

    @property
    def buttons(self) -> list[tuple[str, str | None]]:
        """Inline buttons row by row, flattened: (text, callback_data or None)."""
        return [
            (b.get("text", ""), b.get("callback_data")) for row in self.button_rows for b in row
        ]

    @property
    def button_rows(self) -> list[list[JSON]]:
        return inline_buttons(self.reply_markup)


@dataclass(frozen=True)
class CallbackAnswer:
    """An answerCallbackQuery call for a button press the fake injected."""

    callback_query_id: str
    data: str | None  # the pressed button's callback_data
    chat_id: int
    message_id: int
    user_id: int
    text: str | None
    show_alert: bool
    url: str | None
    cache_time: int | None


@dataclass
class RecordedCall:
    """One HTTP call to the fake. ``status`` stays None while it is being answered."""

    method: str
    params: JSON
    received_at: float
    http_method: str
    token: str = field(repr=False)
    status: int | None = None
    description: str | None = None
    result: Any = field(default=None, repr=False)

    @property
    def ok(self) -> bool:
        return self.status == 200
