"""What the fake Discord API refuses, as Discord does (400 with code 50035 "Invalid Form
Body", or the specific code): messages, buttons, modals, slash commands and
autocomplete answers over Discord's documented limits. A refused payload fails the
adapter's call, so a test sees the mistake."""

from __future__ import annotations

import json
import re
from typing import Any

from aiohttp import web

from tests.fakes.discord_world import EPHEMERAL, JSON

MAX_CONTENT = 2000
_NAME = re.compile(r"^[-_'\w]{1,32}$")
_SENDABLE_FLAGS = EPHEMERAL | (1 << 2) | (1 << 12)  # ephemeral, no embeds, silent


class ApiError(Exception):
    """An error answer: HTTP ``status``, Discord's JSON ``code`` and ``message``."""

    def __init__(self, status: int, code: int, message: str) -> None:
        super().__init__(f"{status} ({code}) {message}")
        self.status = status
        self.code = code
        self.message = message

    def json(self) -> JSON:
        return {"message": self.message, "code": self.code}


def json_answer(
    data: Any, *, status: int = 200, headers: dict[str, str] | None = None
) -> web.Response:
    """A JSON answer with Discord's exact content type (discord.py reads the body as JSON
    only when the header is exactly ``application/json``, without a charset)."""
    return web.Response(
        body=json.dumps(data).encode(),
        status=status,
        headers={**(headers or {}), "Content-Type": "application/json"},
    )


def invalid(what: str) -> ApiError:
    return ApiError(400, 50035, f"Invalid Form Body: {what}")


def check_message(payload: JSON, files: int, *, interaction: bool) -> None:
    content = payload.get("content") or ""
    if not isinstance(content, str) or len(content) > MAX_CONTENT:
        raise invalid(f"content must be 2000 or fewer in length (got {len(str(content))})")
    components = payload.get("components") or []
    check_components(components)
    flags = int(payload.get("flags") or 0)
    if flags & ~_SENDABLE_FLAGS:
        raise invalid("flags")
    if flags & EPHEMERAL and not interaction:
        raise invalid("only an interaction's messages can be ephemeral")
    if files > 10:
        raise invalid("at most 10 files")
    if not content and not components and not files and not payload.get("embeds"):
        raise ApiError(400, 50006, "Cannot send an empty message")


def check_components(rows: list[Any]) -> None:
    if len(rows) > 5:
        raise invalid("at most 5 action rows")
    for row in rows:
        if row.get("type") != 1:
            raise invalid("a message's top-level components are action rows")
        buttons = row.get("components") or []
        if not 1 <= len(buttons) <= 5:
            raise invalid("an action row holds 1 to 5 buttons")
        for button in buttons:
            _check_button(button)


def _check_button(button: JSON) -> None:
    if button.get("type") != 2:
        raise invalid("only buttons are expected in a message's rows")
    label = button.get("label") or ""
    if len(label) > 80:
        raise invalid("button label must be 80 or fewer in length")
    if button.get("style") == 5:
        if not button.get("url"):
            raise invalid("a link button needs a url")
        return
    custom_id = button.get("custom_id") or ""
    if not 1 <= len(custom_id) <= 100:
        raise invalid("button custom_id must be 1 to 100 in length")


def check_modal(modal: JSON) -> None:
    if not 1 <= len(modal.get("custom_id") or "") <= 100:
        raise invalid("modal custom_id must be 1 to 100 in length")
    if not 1 <= len(modal.get("title") or "") <= 45:
        raise invalid("modal title must be 1 to 45 in length")
    components = modal.get("components") or []
    if not 1 <= len(components) <= 5:
        raise invalid("a modal holds 1 to 5 components")
    for component in components:
        kind = component.get("type")
        if kind == 18:
            if not 1 <= len(component.get("label") or "") <= 45:
                raise invalid("a label's text must be 1 to 45 in length")
            if len(component.get("description") or "") > 100:
                raise invalid("a label's description must be 100 or fewer in length")
            _check_field(component.get("component") or {})
        elif kind == 10:
            if not 1 <= len(component.get("content") or "") <= 4000:
                raise invalid("a text display must be 1 to 4000 in length")
        else:
            raise invalid(f"component type {kind} in a modal (use labels)")


def _check_field(field: JSON) -> None:
    if not 1 <= len(field.get("custom_id") or "") <= 100:
        raise invalid("custom_id must be 1 to 100 in length")
    if field.get("type") == 4:
        if field.get("style") not in (1, 2):
            raise invalid("text input style")
        if not 1 <= int(field.get("max_length") or 4000) <= 4000:
            raise invalid("text input max_length must be 1 to 4000")
        return
    if field.get("type") == 3:
        options = field.get("options") or []
        if not 1 <= len(options) <= 25:
            raise invalid("a select offers 1 to 25 options")
        for option in options:
            if not 1 <= len(option.get("label") or "") <= 100:
                raise invalid("an option's label must be 1 to 100 in length")
            if not 1 <= len(option.get("value") or "") <= 100:
                raise invalid("an option's value must be 1 to 100 in length")
        return
    raise invalid(f"component type {field.get('type')} inside a label")


def check_commands(commands: list[JSON]) -> None:
    if len(commands) > 100:
        raise invalid("at most 100 slash commands")
    names = [command.get("name") for command in commands]
    if len(set(names)) != len(names):
        raise invalid("command names must be unique")
    for command in commands:
        _check_command(command)


def _check_command(command: JSON) -> None:
    name = command.get("name") or ""
    if not _NAME.match(name) or name != name.lower():
        raise invalid(f"command name {name!r}")
    if int(command.get("type") or 1) == 1 and not 1 <= len(command.get("description") or "") <= 100:
        raise invalid(f"/{name}: description must be 1 to 100 in length")
    perms = command.get("default_member_permissions")
    if perms is not None and not str(perms).isdecimal():
        raise invalid(f"/{name}: default_member_permissions")
    options = command.get("options") or []
    if len(options) > 25:
        raise invalid(f"/{name}: at most 25 options")
    optional_seen = False
    for option in options:
        if not _NAME.match(option.get("name") or ""):
            raise invalid(f"/{name}: option name")
        if not 1 <= len(option.get("description") or "") <= 100:
            raise invalid(f"/{name}: option description must be 1 to 100 in length")
        if option.get("required"):
            if optional_seen:
                raise invalid(f"/{name}: required options must be placed before optional ones")
        else:
            optional_seen = True
        if option.get("autocomplete") and option.get("choices"):
            raise invalid(f"/{name}: autocomplete and choices cannot both be set")
        if int(option.get("max_length") or 0) > 6000:
            raise invalid(f"/{name}: max_length must be 6000 or less")


def check_choices(choices: list[JSON]) -> None:
    if len(choices) > 25:
        raise invalid("at most 25 autocomplete choices")
    for choice in choices:
        if not 1 <= len(str(choice.get("name") or "")) <= 100:
            raise invalid("a choice's name must be 1 to 100 in length")
        if len(str(choice.get("value"))) > 100:
            raise invalid("a choice's value must be 100 or fewer in length")
