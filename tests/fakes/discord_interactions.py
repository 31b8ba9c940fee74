"""Interactions in the fake Discord API: what people do (a slash command, typing in an
option with autocomplete, pressing a button, submitting a modal) and how the bot must
answer, with Discord's rules:

- the first response (``POST /interactions/{id}/{token}/callback``) must come within
  3 seconds, else 10062 "Unknown interaction"; a second one gets 40060;
- a deferred response (type 5) shows "thinking…" (ephemeral if flag 64 was given) and
  the first follow-up *fills that message in*, keeping its ephemerality; later follow-ups
  are new messages, each ephemeral or not as its flags say;
- ``/webhooks/{app}/{token}`` takes follow-ups and edits for 15 minutes;
- a modal (type 9) answers a command or a button, never a modal submit; an autocomplete
  answer (type 8) only an autocomplete interaction.
"""

from __future__ import annotations

import secrets
import time
from typing import Any

from tests.fakes.discord_checks import ApiError, check_choices, check_message, check_modal
from tests.fakes.discord_gateway import Gateway
from tests.fakes.discord_rest import Body, Params, RestRoutes, Route, unknown
from tests.fakes.discord_world import (
    EPHEMERAL,
    JSON,
    LOADING,
    DcChannel,
    DcInteraction,
    DcMessage,
    DcUser,
)

ACK_WINDOW = 3.0
TOKEN_LIFETIME = 15 * 60.0
COMMAND, COMPONENT, AUTOCOMPLETE, MODAL_SUBMIT = 2, 3, 4, 5
_STRING = 3


class InteractionRoutes(RestRoutes):
    gateway: Gateway

    def interaction_routes(self) -> list[Route]:
        hook = "/webhooks/{app}/{token}"
        return [
            Route("POST", "/interactions/{interaction_id}/{token}/callback", self._callback, False),
            Route("POST", hook, self._followup, False),
            Route("GET", hook + "/messages/{message_id}", self._get_hook_message, False),
            Route("PATCH", hook + "/messages/{message_id}", self._edit_hook_message, False),
            Route("DELETE", hook + "/messages/{message_id}", self._delete_hook_message, False),
        ]

    # -- what people do --------------------------------------------------------------------

    def slash(
        self, user: DcUser, name: str, options: dict[str, str] | None = None, *, channel: DcChannel
    ) -> DcInteraction:
        """``user`` runs ``/name`` with ``options`` in ``channel``; as Discord's client
        does, only a command registered where it is used, with options it declares."""
        command = self._command_for(name, channel)
        data = {"id": command["id"], "name": name, "type": 1, "options": _options(options)}
        if channel.guild_id is not None:
            data["guild_id"] = str(channel.guild_id)
        self._check_options(command, options or {})
        return self._interact(COMMAND, user, channel, data)

    def autocomplete(
        self, user: DcUser, name: str, options: dict[str, str], focused: str, *, channel: DcChannel
    ) -> DcInteraction:
        command = self._command_for(name, channel)
        data = {"id": command["id"], "name": name, "type": 1, "options": _options(options)}
        for option in data["options"]:
            if option["name"] == focused:
                option["focused"] = True
        if channel.guild_id is not None:
            data["guild_id"] = str(channel.guild_id)
        return self._interact(AUTOCOMPLETE, user, channel, data)

    def press(self, user: DcUser, message: DcMessage, label: str) -> DcInteraction:
        """``user`` presses the button labelled ``label`` under ``message``."""
        if message.visible_to is not None and message.visible_to != user.id:
            raise AssertionError("only the person an ephemeral message is for can press on it")
        custom_id = next((cid for text, cid in message.buttons if text == label), None)
        if custom_id is None:
            raise AssertionError(f"no button {label!r} on the message")
        channel = self.channels[message.channel_id]
        data = {"custom_id": custom_id, "component_type": 2}
        return self._interact(COMPONENT, user, channel, data, message=message)

    def submit_modal(
        self, user: DcUser, opened: DcInteraction, values: dict[str, str | list[str]]
    ) -> DcInteraction:
        """``user`` fills in the modal ``opened`` showed (by field custom_id) and submits."""
        modal = opened.modal
        if modal is None or opened.user is not user:
            raise AssertionError("that interaction showed this person no modal")
        components = []
        for component in modal["components"]:
            inner = component.get("component") if component["type"] == 18 else None
            if inner is None:
                components.append({"type": component["type"], "id": component.get("id", 0)})
                continue
            value = values.get(inner["custom_id"], "" if inner["type"] == 4 else [])
            key = "value" if inner["type"] == 4 else "values"
            answered = {"type": inner["type"], "custom_id": inner["custom_id"], key: value}
            components.append({"type": 18, "id": component.get("id", 0), "component": answered})
        data = {"custom_id": modal["custom_id"], "components": components}
        return self._interact(MODAL_SUBMIT, user, opened.channel, data, message=opened.message)

    def dm(self, user: DcUser, text: str) -> int:
        """``user`` writes ``text`` in their private chat with the bot; the message's id."""
        channel = self.dm_channel(user)
        message_id = self.new_id()
        data: JSON = {
            "id": str(message_id),
            "channel_id": str(channel.id),
            "author": user.json(),
            "content": text,
            "timestamp": "2026-01-01T00:00:00+00:00",
            "edited_timestamp": None,
            "tts": False,
            "mention_everyone": False,
            "mentions": [],
            "mention_roles": [],
            "attachments": [],
            "embeds": [],
            "pinned": False,
            "type": 0,
            "flags": 0,
        }
        self.gateway.dispatch("MESSAGE_CREATE", data, guild_id=None)
        self.changed()
        return message_id

    def _interact(
        self,
        kind: int,
        user: DcUser,
        channel: DcChannel,
        data: JSON,
        *,
        message: DcMessage | None = None,
    ) -> DcInteraction:
        interaction = DcInteraction(
            self.new_id.now(),
            secrets.token_urlsafe(24),
            kind,
            user,
            channel,
            data,
            time.monotonic(),
        )
        interaction.message = message
        self.interactions[interaction.id] = interaction
        self.interactions_by_token[interaction.token] = interaction
        self.gateway.dispatch(
            "INTERACTION_CREATE", self._interaction_json(interaction), guild_id=channel.guild_id
        )
        self.changed()
        return interaction

    def _interaction_json(self, interaction: DcInteraction) -> JSON:
        channel = interaction.channel
        data: JSON = {
            "id": str(interaction.id),
            "application_id": str(self.application_id),
            "type": interaction.type,
            "token": interaction.token,
            "version": 1,
            "data": interaction.data,
            "channel_id": str(channel.id),
            "channel": channel.json(),
            "locale": "en-GB",
            "app_permissions": str((1 << 11) | (1 << 10)),
            "entitlements": [],
            "attachment_size_limit": 10 * 1024 * 1024,
        }
        guild = self.guilds.get(channel.guild_id or 0)
        if guild is not None:
            data.update(guild_id=str(guild.id), guild_locale="en-US", context=0)
            data["member"] = guild.member_json(interaction.user)
            data["authorizing_integration_owners"] = {"0": str(guild.id)}
        else:
            data.update(user=interaction.user.json(), context=1)
        if interaction.message is not None:
            data["message"] = interaction.message.json(self.bot)
        return data

    def _command_for(self, name: str, channel: DcChannel) -> JSON:
        registered = list(self.global_commands)
        if channel.guild_id is not None:
            registered = self.guild_commands.get(channel.guild_id, []) + registered
        for command in registered:
            if command["name"] == name:
                return command
        raise AssertionError(f"/{name} is not registered where it was used")

    @staticmethod
    def _check_options(command: JSON, options: dict[str, str]) -> None:
        declared = {option["name"]: option for option in command.get("options") or []}
        if set(options) - set(declared):
            raise AssertionError(
                f"/{command['name']} has no option {sorted(set(options) - set(declared))}"
            )
        for name, option in declared.items():
            if option.get("required") and name not in options:
                raise AssertionError(f"/{command['name']} needs {name} (Discord asks for it)")

    # -- the bot's answers -----------------------------------------------------------------

    async def _callback(self, params: Params, body: Body) -> JSON:
        interaction = self.interactions.get(int(params["interaction_id"]))
        if interaction is None or interaction.token != params["token"]:
            raise unknown("interaction", 10062)
        now = time.monotonic()
        if now - interaction.created_at > ACK_WINDOW:
            raise unknown("interaction", 10062)
        if interaction.response_type is not None:
            raise ApiError(400, 40060, "Interaction has already been acknowledged.")
        payload = body.payload or {}
        kind, data = int(payload.get("type") or 0), payload.get("data") or {}
        self._respond(interaction, kind, data, body)
        interaction.responded_at, interaction.response_type = now, kind
        self.changed()
        return self._callback_json(interaction)

    def _respond(self, interaction: DcInteraction, kind: int, data: JSON, body: Body) -> None:
        if kind == 4:
            check_message(data, len(body.files), interaction=True)
            interaction.original = self._interaction_message(interaction, data, body)
        elif kind == 5:
            flags = LOADING | (int(data.get("flags") or 0) & EPHEMERAL)
            interaction.original = self._interaction_message(interaction, {"flags": flags}, body)
        elif kind in (6, 7) and interaction.type in (COMPONENT, MODAL_SUBMIT):
            if kind == 7 and interaction.message is not None:
                self.edit(interaction.message, data, body.files)
        elif kind == 8 and interaction.type == AUTOCOMPLETE:
            check_choices(data.get("choices") or [])
            interaction.choices = list(data.get("choices") or [])
        elif kind == 9 and interaction.type in (COMMAND, COMPONENT):
            check_modal(data)
            interaction.modal = data
        else:
            raise ApiError(400, 40004, f"response type {kind} cannot answer this interaction")

    def _interaction_message(self, interaction: DcInteraction, data: JSON, body: Body) -> DcMessage:
        message = self.message_from(interaction.channel, data, body.files)
        message.interaction_id = interaction.id
        if message.flags & EPHEMERAL:
            message.visible_to = interaction.user.id
        return self.record(message)

    def _callback_json(self, interaction: DcInteraction) -> JSON:
        original = interaction.original
        data: JSON = {
            "interaction": {
                "id": str(interaction.id),
                "type": interaction.type,
                "response_message_id": str(original.id) if original else None,
                "response_message_loading": bool(original and original.loading),
                "response_message_ephemeral": bool(original and original.ephemeral),
            }
        }
        if original is not None:
            data["resource"] = {
                "type": interaction.response_type,
                "message": original.json(self.bot),
            }
        return data

    async def _followup(self, params: Params, body: Body) -> JSON:
        interaction = self._by_token(params)
        payload = body.payload or {}
        check_message(payload, len(body.files), interaction=True)
        original = interaction.original
        if original is not None and original.loading and not original.deleted:
            self.edit(original, payload, body.files)  # the first follow-up fills "thinking…"
            interaction.followups.append(original)
            return original.json(self.bot)
        message = self._interaction_message(interaction, payload, body)
        interaction.followups.append(message)
        return message.json(self.bot)

    async def _get_hook_message(self, params: Params, body: Body) -> JSON:
        return self._hook_message(params).json(self.bot)

    async def _edit_hook_message(self, params: Params, body: Body) -> JSON:
        message = self._hook_message(params)
        self.edit(message, body.payload or {}, body.files)
        return message.json(self.bot)

    async def _delete_hook_message(self, params: Params, body: Body) -> None:
        self._hook_message(params).deleted = True
        self.changed()

    def _by_token(self, params: Params) -> DcInteraction:
        if params["app"] != str(self.application_id):
            raise unknown("Webhook", 10015)
        interaction = self.interactions_by_token.get(params["token"])
        if interaction is None:
            raise unknown("Webhook", 10015)
        if time.monotonic() - interaction.created_at > TOKEN_LIFETIME:
            raise ApiError(401, 50027, "Invalid Webhook Token")
        if interaction.response_type is None:
            raise unknown("Webhook", 10015)
        return interaction

    def _hook_message(self, params: Params) -> DcMessage:
        interaction = self._by_token(params)
        wanted = params["message_id"]
        candidates = [interaction.original, *interaction.followups]
        for message in candidates:
            if message is None or message.deleted:
                continue
            if wanted == "@original" and message is interaction.original:
                return message
            if wanted == str(message.id):
                return message
        raise unknown("Message", 10008)


def _options(options: dict[str, str] | None) -> list[JSON]:
    return [{"name": k, "type": _STRING, "value": v} for k, v in (options or {}).items()]


def interaction_seen(interaction: DcInteraction) -> list[DcMessage]:
    """Messages the interaction's answer created, in order (edits included)."""
    found: list[Any] = [interaction.original, *interaction.followups]
    unique: list[DcMessage] = []
    for message in found:
        if message is not None and message not in unique:
            unique.append(message)
    return unique
