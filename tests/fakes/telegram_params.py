"""Reading Bot API parameters as Telegram reads them, and the checks Telegram makes on
a message's text, its reply_markup and a bot's command list."""

from __future__ import annotations

import json
import re
from typing import Any

from aiohttp import web

from tests.fakes.telegram_faults import ApiError
from tests.fakes.telegram_html import (
    FormattedText,
    TextRejected,
    finish_text,
    parse_html,
    plain_text,
)
from tests.fakes.telegram_updates import JSON

CHAT_ACTIONS = frozenset(
    {
        "typing",
        "upload_photo",
        "record_video",
        "upload_video",
        "record_voice",
        "upload_voice",
        "upload_document",
        "choose_sticker",
        "find_location",
        "record_video_note",
        "upload_video_note",
    }
)
SCOPE_TYPES = frozenset(
    {
        "default",
        "all_private_chats",
        "all_group_chats",
        "all_chat_administrators",
        "chat",
        "chat_administrators",
        "chat_member",
    }
)
_BUTTON_ACTIONS = (
    "url",
    "callback_data",
    "web_app",
    "login_url",
    "switch_inline_query",
    "switch_inline_query_current_chat",
    "switch_inline_query_chosen_chat",
    "copy_text",
    "callback_game",
    "pay",
)
_COMMAND = re.compile(r"[a-z0-9_]{1,32}")

_INT_PARAMS = frozenset(
    {
        "offset",
        "limit",
        "timeout",
        "message_id",
        "message_thread_id",
        "user_id",
        "cache_time",
        "max_connections",
        "reply_to_message_id",
        "until_date",
    }
)
_BOOL_PARAMS = frozenset(
    {
        "disable_notification",
        "protect_content",
        "show_alert",
        "drop_pending_updates",
        "allow_sending_without_reply",
        "disable_web_page_preview",
        "allow_paid_broadcast",
        "revoke_messages",
    }
)
_JSON_PARAMS = frozenset(
    {
        "reply_markup",
        "entities",
        "link_preview_options",
        "reply_parameters",
        "allowed_updates",
        "commands",
        "scope",
        "caption_entities",
    }
)
_JSON_NAMES = {"reply_markup": "reply keyboard markup"}
_NUMBER = re.compile(r"-?\d+")


def bad_request(description: str) -> ApiError:
    return ApiError(400, f"Bad Request: {description}")


async def read_params(request: web.Request) -> JSON:
    """A call's parameters from its query string and its form, multipart or JSON body."""
    raw: dict[str, Any] = dict(request.query)
    if request.method == "POST" and request.body_exists:
        if request.content_type == "application/json":
            try:
                body = json.loads(await request.read())
            except ValueError:
                raise bad_request("can't parse JSON object") from None
            if not isinstance(body, dict):
                raise bad_request("JSON object expected")
            raw.update(body)
        elif request.content_type in ("application/x-www-form-urlencoded", "multipart/form-data"):
            for key, value in (await request.post()).items():
                if isinstance(value, str):
                    raw[key] = value
                elif isinstance(value, web.FileField):  # an uploaded file, kept whole
                    raw[key] = {
                        "file": value.filename,
                        "content": value.file.read(),
                        "content_type": value.content_type,
                    }
                else:
                    raw[key] = bytes(value).decode("utf-8", "replace")
    return {key: _coerce(key, value) for key, value in raw.items()}


def _coerce(name: str, value: Any) -> Any:
    """Telegram's reading of a parameter: form values are strings, and objects within
    them (reply_markup, entities, ...) JSON text."""
    if name == "chat_id":
        if isinstance(value, int) and not isinstance(value, bool):
            return value
        text = str(value).strip()
        return int(text) if _NUMBER.fullmatch(text) else text
    if name in _INT_PARAMS:
        if isinstance(value, int) and not isinstance(value, bool):
            return value
        if isinstance(value, str) and _NUMBER.fullmatch(value.strip()):
            return int(value)
        if isinstance(value, float) and value.is_integer():
            return int(value)
        raise bad_request(f"invalid {name} specified")
    if name in _BOOL_PARAMS:
        return value if isinstance(value, bool) else str(value).lower() in ("true", "1")
    if name in _JSON_PARAMS and isinstance(value, str):
        try:
            return json.loads(value)
        except ValueError:
            raise bad_request(f"can't parse {_JSON_NAMES.get(name, name)} JSON object") from None
    if isinstance(value, int | float) and not isinstance(value, bool):
        return str(value)
    return value


def format_text(raw: str, params: JSON, *, strict_ampersand: bool) -> FormattedText:
    """The text a user sees for ``text`` with ``parse_mode`` or ``entities``."""
    entities = params.get("entities")
    mode = (params.get("parse_mode") or "").lower()
    try:
        if entities is not None:
            if not isinstance(entities, list):
                raise bad_request("can't parse entities JSON object")
            formatted = plain_text(raw, entities)
        elif mode == "html":
            formatted = parse_html(raw, strict_ampersand=strict_ampersand)
        elif mode in ("markdown", "markdownv2"):
            raise bad_request("the fake Telegram API parses only parse_mode HTML")
        elif mode:
            raise bad_request("unsupported parse_mode")
        else:
            formatted = plain_text(raw)
        return finish_text(formatted)
    except TextRejected as rejected:
        raise ApiError(400, rejected.description) from None


def check_markup(markup: object) -> JSON | None:
    """reply_markup as Telegram checks it (inline keyboards in detail)."""
    if markup is None:
        return None
    if not isinstance(markup, dict):
        raise bad_request("can't parse reply keyboard markup JSON object")
    if "inline_keyboard" not in markup:
        return markup  # a reply keyboard, ReplyKeyboardRemove or ForceReply
    rows = markup["inline_keyboard"]
    if not isinstance(rows, list) or not all(isinstance(row, list) for row in rows):
        raise bad_request(
            'can\'t parse inline keyboard button: field "inline_keyboard" must be an Array'
        )
    for button in (button for row in rows for button in row):
        if not isinstance(button, dict) or not isinstance(button.get("text"), str):
            raise bad_request("can't parse inline keyboard button: Text must be a String")
        if not any(action in button for action in _BUTTON_ACTIONS):
            raise bad_request("text buttons are unallowed in the inline keyboard")
        if "callback_data" in button:
            data = button["callback_data"]
            if not isinstance(data, str) or not 1 <= len(data.encode("utf-8")) <= 64:
                raise bad_request("BUTTON_DATA_INVALID")
    return markup


def check_commands(commands: object) -> None:
    """setMyCommands' list: at most 100 commands of 1-32 characters a-z, 0-9 and _,
    each with a description of 1-256 characters."""
    if not isinstance(commands, list):
        raise bad_request("can't parse commands JSON object")
    if len(commands) > 100:
        raise bad_request("BOT_COMMANDS_TOO_MUCH")
    for command in commands:
        if not isinstance(command, dict) or not _COMMAND.fullmatch(command.get("command", "")):
            raise bad_request("BOT_COMMAND_INVALID")
        description = command.get("description")
        if not isinstance(description, str) or not 1 <= len(description) <= 256:
            raise bad_request("BOT_COMMAND_DESCRIPTION_INVALID")
