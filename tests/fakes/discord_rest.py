"""The fake's REST routes for the bot's own calls: who it is, its commands, the messages
it posts in channels and private chats, servers and their members.

Each handler takes the path's parameters and the request's ``Body`` and returns the JSON
to answer (None: 204 No Content), or raises ``ApiError``.
"""

from __future__ import annotations

import json
import re
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any

from aiohttp import BodyPartReader, web

from tests.fakes.discord_checks import ApiError, check_commands, check_message
from tests.fakes.discord_faults import Admission, Bucket, RateLimits
from tests.fakes.discord_state import DiscordState
from tests.fakes.discord_world import DM_CHANNEL, JSON, DcChannel, DcFile, DcGuild, DcMessage

Params = dict[str, str]


@dataclass
class Body:
    payload: Any = None  # the JSON body, or a multipart request's payload_json
    files: list[DcFile] = field(default_factory=list)


Handler = Callable[[Params, Body], Awaitable[Any]]


@dataclass(frozen=True)
class Route:
    method: str
    template: str  # "/channels/{channel_id}/messages"
    handler: Handler
    needs_auth: bool = True

    @property
    def key(self) -> str:
        return f"{self.method} {self.template}"

    def match(self, method: str, path: str) -> Params | None:
        if method != self.method:
            return None
        pattern = re.sub(r"\{(\w+)\}", r"(?P<\1>[^/]+)", self.template)
        found = re.fullmatch(pattern, path)
        return None if found is None else found.groupdict()


async def read_body(request: web.Request) -> Body:
    if not request.can_read_body:
        return Body()
    if request.content_type.startswith("multipart/"):
        return await _multipart(request)
    return Body(json.loads(await request.text() or "null"))


async def _multipart(request: web.Request) -> Body:
    body = Body()
    reader = await request.multipart()
    while (part := await reader.next()) is not None:
        if not isinstance(part, BodyPartReader):
            continue
        data = await part.read()
        if part.name == "payload_json":
            body.payload = json.loads(data)
        elif part.filename:
            kind = part.headers.get("Content-Type", "application/octet-stream")
            body.files.append(DcFile(part.filename, kind, bytes(data)))
    return body


def unknown(what: str, code: int) -> ApiError:
    return ApiError(404, code, f"Unknown {what}")


class RestRoutes(DiscordState):
    def rest_routes(self) -> list[Route]:
        return [
            Route("GET", "/users/@me", self._me),
            Route("GET", "/oauth2/applications/@me", self._application),
            Route("GET", "/applications/@me", self._application),
            Route("GET", "/gateway", self._gateway),
            Route("GET", "/gateway/bot", self._gateway_bot),
            Route("PUT", "/applications/{app}/commands", self._put_global),
            Route("GET", "/applications/{app}/commands", self._get_global),
            Route("PUT", "/applications/{app}/guilds/{guild_id}/commands", self._put_guild),
            Route("GET", "/applications/{app}/guilds/{guild_id}/commands", self._get_guild),
            Route("POST", "/users/@me/channels", self._open_dm),
            Route("GET", "/channels/{channel_id}", self._get_channel),
            Route("POST", "/channels/{channel_id}/messages", self._post_message),
            Route("PATCH", "/channels/{channel_id}/messages/{message_id}", self._edit_message),
            Route("DELETE", "/channels/{channel_id}/messages/{message_id}", self._delete_message),
            Route("GET", "/guilds/{guild_id}", self._get_guild_info),
            Route("GET", "/guilds/{guild_id}/roles", self._get_roles),
            Route("GET", "/guilds/{guild_id}/members/{user_id}", self._get_member),
        ]

    # the shard count /gateway/bot recommends; tests may change it
    recommended_shards: int = 1
    # Discord's rate limits, when enforced (``enforce_rate_limits``)
    rate_limits: RateLimits | None = None

    def enforce_rate_limits(
        self, *, per_second: int = 50, buckets: dict[str, Bucket] | None = None
    ) -> RateLimits:
        """From now on, answer 429 past Discord's limits (``RateLimits``): ``per_second``
        calls a second with the bot's token, and the per-route ``buckets`` (by default
        5 messages posted, and 5 edited, per 5 seconds in a channel)."""
        self.rate_limits = RateLimits(time.monotonic, per_second=per_second, buckets=buckets)
        return self.rate_limits

    def admit(self, route: Route, params: Params) -> Admission:
        """Whether the rate limits let this call through, and the headers for its answer."""
        if self.rate_limits is None:
            return Admission(None, {})
        return self.rate_limits.admit(route.key, params, authorized=route.needs_auth)

    def gateway_url(self) -> str:
        raise NotImplementedError  # the server knows its address

    async def _me(self, params: Params, body: Body) -> JSON:
        return self.bot.json()

    async def _application(self, params: Params, body: Body) -> JSON:
        return {
            "id": str(self.application_id),
            "name": self.bot.username,
            "icon": None,
            "description": "",
            "rpc_origins": [],
            "bot_public": True,
            "bot_require_code_grant": False,
            "owner": {
                "id": str(self.new_id()),
                "username": "owner",
                "discriminator": "0",
                "avatar": None,
            },
            "summary": "",
            "verify_key": "0" * 64,
            "team": None,
            "flags": 0,
        }

    async def _gateway(self, params: Params, body: Body) -> JSON:
        return {"url": self.gateway_url()}

    async def _gateway_bot(self, params: Params, body: Body) -> JSON:
        limit = {"total": 1000, "remaining": 999, "reset_after": 0, "max_concurrency": 1}
        shards = self.recommended_shards
        return {"url": self.gateway_url(), "shards": shards, "session_start_limit": limit}

    # -- commands --------------------------------------------------------------------------

    async def _put_global(self, params: Params, body: Body) -> list[JSON]:
        self._check_app(params)
        self.global_commands = self._registered(body.payload, None)
        return self.global_commands

    async def _get_global(self, params: Params, body: Body) -> list[JSON]:
        self._check_app(params)
        return self.global_commands

    async def _put_guild(self, params: Params, body: Body) -> list[JSON]:
        self._check_app(params)
        guild_id = self._guild(params).id
        self.guild_commands[guild_id] = self._registered(body.payload, guild_id)
        return self.guild_commands[guild_id]

    async def _get_guild(self, params: Params, body: Body) -> list[JSON]:
        self._check_app(params)
        return self.guild_commands.get(self._guild(params).id, [])

    def _registered(self, payload: Any, guild_id: int | None) -> list[JSON]:
        if not isinstance(payload, list):
            raise ApiError(400, 50035, "Invalid Form Body: a list of commands")
        check_commands(payload)
        self.command_syncs.append((guild_id, time.monotonic()))
        self.changed()
        registered = []
        for command in payload:
            saved = dict(command, id=str(self.new_id()), application_id=str(self.application_id))
            saved.setdefault("type", 1)
            perms = saved.get("default_member_permissions")
            saved["default_member_permissions"] = None if perms is None else str(perms)
            saved["version"] = str(self.new_id())
            if guild_id is not None:
                saved["guild_id"] = str(guild_id)
            registered.append(saved)
        return registered

    def _check_app(self, params: Params) -> None:
        if params["app"] != str(self.application_id):
            raise unknown("Application", 10002)

    # -- channels and messages -------------------------------------------------------------

    async def _open_dm(self, params: Params, body: Body) -> JSON:
        user = self.users.get(int((body.payload or {}).get("recipient_id", 0)))
        if user is None:
            raise unknown("User", 10013)
        return self.dm_channel(user).json()

    async def _get_channel(self, params: Params, body: Body) -> JSON:
        return self._channel(params).json()

    async def _post_message(self, params: Params, body: Body) -> JSON:
        channel = self._channel(params)
        payload = body.payload or {}
        check_message(payload, len(body.files), interaction=False)
        recipient = channel.recipient if channel.type == DM_CHANNEL else None
        if recipient is not None and recipient.dms_closed:
            raise ApiError(403, 50007, "Cannot send messages to this user")
        nonce = (channel.id, str(payload.get("nonce"))) if payload.get("enforce_nonce") else None
        earlier = self.sent_by_nonce.get(nonce) if nonce else None
        if earlier is not None:  # Discord answers a repeated nonce with the message it made
            return earlier.json(self.bot)
        message = self.message_from(channel, payload, body.files)
        if nonce:
            self.sent_by_nonce[nonce] = message
        return self.record(message).json(self.bot)

    def message_from(self, channel: DcChannel, payload: JSON, files: list[DcFile]) -> DcMessage:
        return self.new_message(
            channel,
            payload.get("content") or "",
            flags=int(payload.get("flags") or 0),
            components=list(payload.get("components") or []),
            files=list(files),
            allowed_mentions=payload.get("allowed_mentions"),
        )

    async def _edit_message(self, params: Params, body: Body) -> JSON:
        message = self._message(params)
        self.edit(message, body.payload or {}, body.files)
        return message.json(self.bot)

    def edit(self, message: DcMessage, payload: JSON, files: list[DcFile]) -> None:
        check_message(dict(payload, flags=0), len(files), interaction=True)
        if "content" in payload:
            message.content = payload.get("content") or ""
        if "components" in payload:
            message.components = list(payload.get("components") or [])
        if "allowed_mentions" in payload:
            message.allowed_mentions = payload.get("allowed_mentions")
        if files:
            message.files = list(files)
        message.flags &= ~(1 << 7)  # no longer loading
        message.edited_at = time.monotonic()
        message.rerender(self.name_of)
        self.changed()

    async def _delete_message(self, params: Params, body: Body) -> None:
        self._message(params).deleted = True
        self.changed()

    # -- servers ---------------------------------------------------------------------------

    async def _get_guild_info(self, params: Params, body: Body) -> JSON:
        return self._guild(params).json(self.users)

    async def _get_roles(self, params: Params, body: Body) -> list[JSON]:
        return [role.json() for role in self._guild(params).roles.values()]

    async def _get_member(self, params: Params, body: Body) -> JSON:
        guild = self._guild(params)
        user = self.users.get(int(params["user_id"]))
        if user is None or user.id not in guild.members:
            raise unknown("Member", 10007)
        return guild.member_json(user)

    # -- lookups ---------------------------------------------------------------------------

    def _guild(self, params: Params) -> DcGuild:
        guild = self.guilds.get(_number(params["guild_id"]))
        if guild is None:
            raise unknown("Guild", 10004)
        return guild

    def _channel(self, params: Params) -> DcChannel:
        channel = self.channels.get(_number(params["channel_id"]))
        if channel is None:
            raise unknown("Channel", 10003)
        return channel

    def _message(self, params: Params) -> DcMessage:
        channel = self._channel(params)
        number = _number(params["message_id"])
        for message in self.messages:
            if message.id == number and message.channel_id == channel.id and not message.deleted:
                return message
        raise unknown("Message", 10008)


def _number(text: str) -> int:
    return int(text) if text.isdecimal() else -1
