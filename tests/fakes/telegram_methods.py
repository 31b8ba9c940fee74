"""The Bot API methods of the fake Telegram server: typed parameters in, the ``result``
out, or an ApiError carrying Telegram's status and description."""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections.abc import Awaitable, Callable
from contextvars import ContextVar
from dataclasses import dataclass
from typing import Any

from tests.fakes.telegram_faults import (
    BLOCKED,
    CANT_INITIATE,
    CHAT_NOT_FOUND,
    CONFLICT,
    CONFLICT_WEBHOOK,
    ApiError,
    RateLimiter,
    too_many_requests,
)
from tests.fakes.telegram_html import (
    FormattedText,
)
from tests.fakes.telegram_media import as_document, as_photo, check_photo
from tests.fakes.telegram_params import (
    CHAT_ACTIONS,
    SCOPE_TYPES,
    bad_request,
    check_commands,
    check_markup,
    format_text,
)
from tests.fakes.telegram_state import TelegramState, scope_key
from tests.fakes.telegram_updates import (
    JSON,
    CallbackAnswer,
    SentDocument,
    SentMessage,
    SentPhoto,
    TgChat,
    message_json,
)

NOT_MODIFIED = (
    "Bad Request: message is not modified: specified new message content and reply markup "
    "are exactly the same as a current content and reply markup of the message"
)
MAX_CAPTION = 1024
MIGRATED = "Bad Request: group chat was upgraded to a supergroup chat"
QUERY_INVALID = "Bad Request: query is too old and response timeout expired or query ID is invalid"
Method = Callable[[JSON], Awaitable[Any]]


# Whether the client of the request being answered is still connected (set per request).
CLIENT_CONNECTED: ContextVar[Callable[[], bool]] = ContextVar(
    "client_connected", default=lambda: True
)


class ClientGone(Exception):
    """The client closed its connection while its getUpdates waited."""


@dataclass(eq=False)
class _Poll:
    wake: asyncio.Event
    connected: Callable[[], bool]
    terminated: bool = False


class BotApiMethods(TelegramState):
    def __init__(
        self,
        *,
        strict_ampersand: bool,
        rate_limiter: RateLimiter | None,
        **state: Any,
    ) -> None:
        super().__init__(**state)
        self.strict_ampersand = strict_ampersand
        self.rate_limiter = rate_limiter
        self.webhook_url = ""
        self.webhook_secret: str | None = None
        self.webhook_last_error: tuple[int, str] | None = None  # (unix time, description)
        self._polls: set[_Poll] = set()
        self._closing = False
        # Bot API method name -> implementation; a test may add one (params in, result out).
        self.methods: dict[str, Method] = {
            "getMe": self._get_me,
            "getUpdates": self._get_updates,
            "setWebhook": self._set_webhook,
            "deleteWebhook": self._delete_webhook,
            "getWebhookInfo": self._get_webhook_info,
            "sendMessage": self._send_message,
            "sendDocument": self._send_document,
            "sendPhoto": self._send_photo,
            "editMessageText": self._edit_message_text,
            "editMessageReplyMarkup": self._edit_message_reply_markup,
            "deleteMessage": self._delete_message,
            "answerCallbackQuery": self._answer_callback_query,
            "setMyCommands": self._set_my_commands,
            "getMyCommands": self._get_my_commands,
            "deleteMyCommands": self._delete_my_commands,
            "getChat": self._get_chat,
            "getChatMember": self._get_chat_member,
            "sendChatAction": self._send_chat_action,
            "close": self._true,
            "logOut": self._true,
        }

    # --- updates ----------------------------------------------------------------

    async def _get_me(self, params: JSON) -> JSON:
        return self.bot.to_json() | {
            "can_join_groups": True,
            "can_read_all_group_messages": not self.group_privacy,
            "supports_inline_queries": False,
            "can_connect_to_business": False,
            "has_main_web_app": False,
        }

    async def _get_updates(self, params: JSON) -> list[JSON]:
        if self.webhook_url:
            raise ApiError(409, CONFLICT_WEBHOOK)
        offset = params.get("offset", 0)
        limit = min(max(params.get("limit", 100), 1), 100)
        timeout = max(float(params.get("timeout", 0)), 0.0)
        if "allowed_updates" in params:
            self._allowed_updates = [str(kind) for kind in params["allowed_updates"] or []]
        if offset > 0:
            self._updates = [u for u in self._updates if u["update_id"] >= offset]
        elif offset < 0:
            self._updates = self._updates[offset:]
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        poll = _Poll(asyncio.Event(), CLIENT_CONNECTED.get())
        for earlier in self._polls:  # Telegram ends an older request still waiting with 409
            earlier.terminated = earlier.connected()
            earlier.wake.set()
        self._polls.add(poll)
        self._notify()
        try:
            while True:
                if poll.terminated:
                    raise ApiError(409, CONFLICT)
                if not poll.connected():
                    raise ClientGone  # e.g. PTB cancelled its poll on stopping
                left = deadline - loop.time()
                if self._updates or left <= 0 or self._closing:
                    return self._updates[:limit]
                poll.wake.clear()
                with contextlib.suppress(TimeoutError):  # a glance at the client each second
                    await asyncio.wait_for(poll.wake.wait(), min(left, 1.0))
        finally:
            self._polls.discard(poll)

    def _notify(self) -> None:
        super()._notify()
        for poll in self._polls:
            poll.wake.set()

    @property
    def polling(self) -> bool:
        """Whether a getUpdates call is waiting for updates right now."""
        return bool(self._polls)

    async def _set_webhook(self, params: JSON) -> bool:
        url = params.get("url", "")
        if url and not url.startswith("https://"):
            raise bad_request("bad webhook: An HTTPS URL must be provided for webhook")
        if params.get("drop_pending_updates"):
            self._updates.clear()
        if "allowed_updates" in params:
            self._allowed_updates = [str(kind) for kind in params["allowed_updates"] or []]
        self.webhook_url = url
        secret = params.get("secret_token")
        self.webhook_secret = str(secret) if secret else None
        return True

    def webhook_failed(self, description: str) -> None:
        """A webhook delivery failed: getWebhookInfo tells it, as Telegram does."""
        self.webhook_last_error = (int(time.time()), description)

    async def _delete_webhook(self, params: JSON) -> bool:
        if params.get("drop_pending_updates"):
            self._updates.clear()
        self.webhook_url = ""
        self.webhook_secret = None
        return True

    async def _get_webhook_info(self, params: JSON) -> JSON:
        info: JSON = {
            "url": self.webhook_url,
            "has_custom_certificate": False,
            "pending_update_count": len(self._updates),
        }
        if self.webhook_url:
            info["max_connections"] = 40
        if self.webhook_last_error is not None:
            info["last_error_date"], info["last_error_message"] = self.webhook_last_error
        if self._allowed_updates:
            info["allowed_updates"] = list(self._allowed_updates)
        return info

    # --- messages -----------------------------------------------------------------

    async def _send_message(self, params: JSON) -> JSON:
        chat = self._chat(params)
        self._check_reachable(chat)
        raw = params.get("text")
        if not raw or not isinstance(raw, str):
            raise bad_request("message text is empty")
        formatted = format_text(raw, params, strict_ampersand=self.strict_ampersand)
        return self._deliver(chat, params, formatted, raw)

    async def _send_document(self, params: JSON) -> JSON:
        """A document uploaded as multipart/form-data, with an optional caption."""
        chat, upload, formatted, raw = self._upload(params, "document")
        document = SentDocument(upload["file"], upload["content"], upload["content_type"])
        return self._deliver(chat, params, formatted, raw, document=document)

    async def _send_photo(self, params: JSON) -> JSON:
        """A photo uploaded as multipart/form-data, with an optional caption: an image
        within Telegram's limits (``telegram_media.check_photo``)."""
        chat, upload, formatted, raw = self._upload(params, "photo")
        width, height = check_photo(upload["content"])
        photo = SentPhoto(upload["file"], upload["content"], upload["content_type"], width, height)
        return self._deliver(chat, params, formatted, raw, photo=photo)

    def _upload(self, params: JSON, name: str) -> tuple[TgChat, JSON, FormattedText, str]:
        """The chat, the file uploaded as ``name`` (a file_id or URL is refused: the fake
        keeps no files) and the caption of at most 1024 characters, formatted and raw."""
        chat = self._chat(params)
        self._check_reachable(chat)
        upload = params.get(name)
        if not isinstance(upload, dict) or not isinstance(upload.get("content"), bytes):
            raise bad_request(f"the fake Telegram API takes {name}s as uploads only")
        if not upload["content"]:
            raise bad_request("file must be non-empty")
        raw = params.get("caption") or ""
        formatted = FormattedText("", [])
        if raw:
            formatted = format_text(raw, params, strict_ampersand=self.strict_ampersand)
            if len(formatted.text) > MAX_CAPTION:
                raise bad_request("message caption is too long")
        return chat, upload, formatted, raw

    def _deliver(
        self,
        chat: TgChat,
        params: JSON,
        formatted: FormattedText,
        raw: str,
        *,
        document: SentDocument | None = None,
        photo: SentPhoto | None = None,
    ) -> JSON:
        """Records a message (or document, or photo) the bot sends to ``chat``; its JSON."""
        markup = check_markup(params.get("reply_markup"))
        reply_parameters = params.get("reply_parameters")
        if reply_parameters is None and "reply_to_message_id" in params:
            reply_parameters = {"message_id": params["reply_to_message_id"]}
        reply_to = None
        if isinstance(reply_parameters, dict):
            reply_to = self._messages.get((chat.id, reply_parameters.get("message_id", 0)))
            if reply_to is None and not reply_parameters.get("allow_sending_without_reply"):
                raise bad_request("message to be replied not found")
        self._admit(chat)
        thread_id = params.get("message_thread_id")
        message_id = self._next_message_id(chat.id)
        inline = markup if markup and "inline_keyboard" in markup else None
        message = self._bot_message(chat, message_id, formatted, inline, thread_id, reply_to)
        if document is not None:
            message = as_document(message, document)
        if photo is not None:
            message = as_photo(message, photo)
        self._messages[(chat.id, message_id)] = message
        self._sent[(chat.id, message_id)] = SentMessage(
            chat_id=chat.id,
            message_id=message_id,
            text=formatted.text,
            raw_text=raw,
            parse_mode=params.get("parse_mode"),
            entities=formatted.entities,
            reply_markup=markup,
            thread_id=thread_id,
            link_preview_options=params.get("link_preview_options"),
            reply_parameters=reply_parameters,
            disable_notification=bool(params.get("disable_notification")),
            sent_at=time.time(),
            json=message,
            document=document,
            photo=photo,
        )
        return message

    async def _edit_message_text(self, params: JSON) -> JSON:
        sent = self._editable(params)
        raw = params.get("text")
        if not raw or not isinstance(raw, str):
            raise bad_request("message text is empty")
        formatted = format_text(raw, params, strict_ampersand=self.strict_ampersand)
        markup = check_markup(params.get("reply_markup"))  # none removes the keyboard
        if (formatted.text, formatted.entities, markup) == (
            sent.text,
            sent.entities,
            sent.reply_markup,
        ):
            raise ApiError(400, NOT_MODIFIED)
        sent.edits.append(sent.text)
        sent.text, sent.raw_text, sent.entities = formatted.text, raw, formatted.entities
        sent.parse_mode = params.get("parse_mode")
        return self._apply_edit(sent, markup)

    async def _edit_message_reply_markup(self, params: JSON) -> JSON:
        sent = self._editable(params)
        markup = check_markup(params.get("reply_markup"))
        if markup == sent.reply_markup:
            raise ApiError(400, NOT_MODIFIED)
        return self._apply_edit(sent, markup)

    async def _delete_message(self, params: JSON) -> bool:
        chat = self._chat(params)
        key = (chat.id, params.get("message_id", 0))
        if self._messages.pop(key, None) is None:
            raise bad_request("message to delete not found")
        if key in self._sent:
            self._sent[key].deleted = True
        return True

    async def _answer_callback_query(self, params: JSON) -> bool:
        query = self._callback_queries.pop(str(params.get("callback_query_id", "")), None)
        if query is None:
            raise ApiError(400, QUERY_INVALID)
        self._answers.append(
            CallbackAnswer(
                callback_query_id=query["id"],
                data=query.get("data"),
                chat_id=query["message"]["chat"]["id"],
                message_id=query["message"]["message_id"],
                user_id=query["from"]["id"],
                text=params.get("text"),
                show_alert=bool(params.get("show_alert")),
                url=params.get("url"),
                cache_time=params.get("cache_time"),
            )
        )
        return True

    # --- commands, chats ------------------------------------------------------------

    async def _set_my_commands(self, params: JSON) -> bool:
        commands = params.get("commands")
        check_commands(commands)
        key = self._commands_key(params)
        if commands:
            self._commands[key] = [
                {"command": c["command"], "description": c["description"]} for c in commands
            ]
        else:
            self._commands.pop(key, None)
        return True

    async def _get_my_commands(self, params: JSON) -> list[JSON]:
        return list(self._commands.get(self._commands_key(params), []))

    async def _delete_my_commands(self, params: JSON) -> bool:
        self._commands.pop(self._commands_key(params), None)
        return True

    async def _get_chat(self, params: JSON) -> JSON:
        chat = self._chat(params)
        return chat.to_json() | {
            "accent_color_id": 0,
            "max_reaction_count": 11,
            "accepted_gift_types": {
                "unlimited_gifts": True,
                "limited_gifts": True,
                "unique_gifts": True,
                "premium_subscription": True,
                "gifts_from_channels": True,
            },
        }

    async def _get_chat_member(self, params: JSON) -> JSON:
        chat = self._chat(params)
        user_id = params.get("user_id")
        if not isinstance(user_id, int):
            raise bad_request(
                "user_id is empty" if user_id is None else "invalid user_id specified"
            )
        return self._member(chat.id, user_id)

    async def _send_chat_action(self, params: JSON) -> bool:
        chat = self._chat(params)
        self._check_reachable(chat)
        action = params.get("action")
        if action not in CHAT_ACTIONS:
            raise bad_request("wrong parameter action in request")
        self._chat_actions.append((chat.id, action, params.get("message_thread_id")))
        return True

    async def _true(self, params: JSON) -> bool:
        return True

    # --- helpers ----------------------------------------------------------------

    def _chat(self, params: JSON) -> TgChat:
        chat_id = params.get("chat_id")
        if chat_id is None or chat_id == "":
            raise bad_request("chat_id is empty")
        if isinstance(chat_id, str):
            for chat in self._chats.values():
                if chat.username and f"@{chat.username}".lower() == chat_id.lower():
                    return chat
            raise ApiError(400, CHAT_NOT_FOUND)
        if chat_id in self.migrated:
            raise ApiError(400, MIGRATED, {"migrate_to_chat_id": self.migrated[chat_id]})
        found = self._chats.get(chat_id)
        if found is None:
            if chat_id in self._users:
                raise ApiError(403, CANT_INITIATE)
            raise ApiError(400, CHAT_NOT_FOUND)
        return found

    def _check_reachable(self, chat: TgChat) -> None:
        if chat.type == "private" and chat.id in self._blocked:
            raise ApiError(403, BLOCKED)

    def _admit(self, chat: TgChat) -> None:
        if self.rate_limiter is None:
            return
        retry_after = self.rate_limiter.admit(chat.id, chat.is_group)
        if retry_after is not None:
            raise too_many_requests(retry_after)

    def _editable(self, params: JSON) -> SentMessage:
        if "inline_message_id" in params:
            raise bad_request("the fake Telegram API has no inline messages")
        chat = self._chat(params)
        key = (chat.id, params.get("message_id", 0))
        sent = self._sent.get(key)
        if sent is None or sent.deleted:
            if key in self._messages:
                raise bad_request("message can't be edited")
            raise bad_request("message to edit not found")
        return sent

    def _apply_edit(self, sent: SentMessage, markup: JSON | None) -> JSON:
        sent.reply_markup = markup
        message = dict(sent.json)
        message["text"] = sent.text
        message.pop("entities", None)
        if sent.entities:
            message["entities"] = sent.entities
        message.pop("reply_markup", None)
        if markup and "inline_keyboard" in markup:
            message["reply_markup"] = markup
        message["edit_date"] = int(time.time())
        sent.json = message
        self._messages[(sent.chat_id, sent.message_id)] = message
        return message

    def _bot_message(
        self,
        chat: TgChat,
        message_id: int,
        formatted: FormattedText,
        inline: JSON | None,
        thread_id: int | None,
        reply_to: JSON | None,
    ) -> JSON:
        return message_json(
            message_id=message_id,
            date=int(time.time()),
            chat=chat,
            sender=self.bot,
            text=formatted.text,
            entities=formatted.entities,
            thread_id=thread_id,
            reply_to=reply_to,
            reply_markup=inline,
        )

    def _commands_key(self, params: JSON) -> tuple[str, str]:
        scope = params.get("scope") or {"type": "default"}
        if not isinstance(scope, dict) or scope.get("type") not in SCOPE_TYPES:
            raise bad_request("can't parse BotCommandScope JSON object")
        return scope_key(scope), str(params.get("language_code") or "")
