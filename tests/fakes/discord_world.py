"""The world behind the fake Discord API: people, servers, channels, messages and
interactions, and their JSON as Discord sends it.

Ids are snowflakes (18–19 digits) that spread over shards like Discord's (a server's
shard is ``(id >> 22) % shard_count``). Every message the bot sends is kept as a
``DcMessage``: its raw content, what a Discord client shows (``text``, see
``discord_markdown``), whom it pings, its buttons, files and visibility. Like a Discord
client, it renders the content when someone looks (``text``, ``mentions``), with the
names of that moment, not when the message is sent: sending costs the fake no more for
a long message than for a short one, so a benchmark never charges a bot for the fake's
rendering.
"""

from __future__ import annotations

import itertools
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from tests.fakes.discord_markdown import Names, Rendered, render

JSON = dict[str, Any]
EPHEMERAL = 1 << 6
LOADING = 1 << 7
BASE_ID = 1_300_000_000_000_000_000
DISCORD_EPOCH_MS = 1_420_070_400_000  # 2015-01-01, where Discord's ids count from
TEXT_CHANNEL, DM_CHANNEL = 0, 1
ADMINISTRATOR = 1 << 3
EVERYONE_PERMISSIONS = (1 << 10) | (1 << 11) | (1 << 31)  # view, send, use commands


class Snowflakes:
    def __init__(self) -> None:
        self._count = itertools.count(1)

    def __call__(self) -> int:
        n = next(self._count)
        return BASE_ID + n * (1 << 22) + n

    def now(self) -> int:
        """An id that says it was made now, as Discord's do (an interaction's: discord.py
        reads its age from it)."""
        n = next(self._count)
        return (int(time.time() * 1000) - DISCORD_EPOCH_MS) << 22 | (n & 0x3FFFFF)


@dataclass
class DcUser:
    id: int
    username: str
    global_name: str | None = None
    bot: bool = False
    dms_closed: bool = False  # a DM to them fails with 50007

    def json(self) -> JSON:
        data: JSON = {
            "id": str(self.id),
            "username": self.username,
            "discriminator": "0",
            "global_name": self.global_name,
            "avatar": None,
        }
        if self.bot:
            data["bot"] = True
        return data


@dataclass
class DcRole:
    id: int
    name: str
    permissions: int = 0
    position: int = 1

    def json(self) -> JSON:
        return {
            "id": str(self.id),
            "name": self.name,
            "color": 0,
            "hoist": False,
            "position": self.position,
            "permissions": str(self.permissions),
            "managed": False,
            "mentionable": False,
            "flags": 0,
        }


@dataclass
class DcChannel:
    id: int
    type: int
    name: str = ""
    guild_id: int | None = None
    recipient: DcUser | None = None  # a DM's other person

    def json(self) -> JSON:
        if self.type == DM_CHANNEL:
            recipients = [self.recipient.json()] if self.recipient is not None else []
            return {
                "id": str(self.id),
                "type": 1,
                "recipients": recipients,
                "last_message_id": None,
            }
        return {
            "id": str(self.id),
            "type": self.type,
            "guild_id": str(self.guild_id),
            "name": self.name,
            "position": 0,
            "permission_overwrites": [],
            "nsfw": False,
            "parent_id": None,
            "topic": None,
            "last_message_id": None,
            "rate_limit_per_user": 0,
        }


@dataclass
class DcGuild:
    id: int
    name: str
    owner_id: int
    roles: dict[int, DcRole] = field(default_factory=dict)
    channels: list[DcChannel] = field(default_factory=list)
    members: dict[int, list[int]] = field(default_factory=dict)  # user id -> role ids

    @property
    def everyone(self) -> DcRole:
        return self.roles[self.id]  # @everyone's id is the server's

    def role(self, name: str) -> DcRole:
        return next(role for role in self.roles.values() if role.name == name)

    def permissions_of(self, user_id: int) -> int:
        value = self.everyone.permissions
        for role_id in self.members.get(user_id, []):
            value |= self.roles[role_id].permissions
        return value

    def member_json(self, user: DcUser) -> JSON:
        return {
            "user": user.json(),
            "roles": [str(role) for role in self.members.get(user.id, [])],
            "nick": None,
            "avatar": None,
            "joined_at": _iso(time.time()),
            "deaf": False,
            "mute": False,
            "flags": 0,
            "pending": False,
            "permissions": str(self.permissions_of(user.id)),
        }

    def json(self, users: dict[int, DcUser]) -> JSON:
        members = [self.member_json(users[uid]) for uid in self.members if uid in users]
        return {
            "id": str(self.id),
            "name": self.name,
            "icon": None,
            "owner_id": str(self.owner_id),
            "roles": [role.json() for role in self.roles.values()],
            "emojis": [],
            "stickers": [],
            "features": [],
            "channels": [channel.json() for channel in self.channels],
            "threads": [],
            "members": members,
            "member_count": len(self.members),
            "large": False,
            "unavailable": False,
            "verification_level": 0,
            "default_message_notifications": 0,
            "explicit_content_filter": 0,
            "mfa_level": 0,
            "nsfw_level": 0,
            "premium_tier": 0,
            "preferred_locale": "en-US",
            "joined_at": _iso(time.time()),
            "voice_states": [],
            "presences": [],
            "stage_instances": [],
            "guild_scheduled_events": [],
            "system_channel_flags": 0,
        }


@dataclass
class DcFile:
    filename: str
    content_type: str
    data: bytes

    @property
    def is_image(self) -> bool:
        """Discord shows a PNG or JPEG attachment as a picture in the chat."""
        return self.content_type in ("image/png", "image/jpeg") or self.filename.lower().endswith(
            (".png", ".jpg", ".jpeg")
        )


@dataclass
class DcMessage:
    """A message the bot sent, as Discord keeps it."""

    id: int
    channel_id: int
    guild_id: int | None
    content: str
    created_at: float
    flags: int = 0
    components: list[JSON] = field(default_factory=list)
    files: list[DcFile] = field(default_factory=list)
    allowed_mentions: JSON | None = None
    visible_to: int | None = None  # ephemeral: only this person sees it
    interaction_id: int | None = None
    edited_at: float | None = None
    deleted: bool = False
    _names: Names | None = field(default=None, repr=False, compare=False)
    _shown: Rendered | None = field(default=None, repr=False, compare=False)

    def rerender(self, names: Names | None = None) -> None:
        """Its content changed (or it is new): shown afresh when next looked at."""
        self._names, self._shown = names, None

    @property
    def text(self) -> str:
        """What a Discord client shows."""
        return self._rendered().text

    @property
    def mentions(self) -> list[str]:
        """The mention syntax in it that rendered as a mention."""
        return self._rendered().mentions

    def _rendered(self) -> Rendered:
        if self._shown is None:
            self._shown = render(self.content, self._names)
        return self._shown

    @property
    def loading(self) -> bool:
        return bool(self.flags & LOADING)

    @property
    def ephemeral(self) -> bool:
        return bool(self.flags & EPHEMERAL)

    @property
    def buttons(self) -> list[tuple[str, str]]:
        """(label, custom_id) of every button, row by row."""
        found = []
        for row in self.components:
            for item in row.get("components", []):
                if item.get("type") == 2:
                    found.append((item.get("label", ""), item.get("custom_id", "")))
        return found

    @property
    def pings(self) -> list[str]:
        """The mentions in it that notify someone, given its allowed_mentions."""
        allowed = self.allowed_mentions
        if allowed is None:  # Discord's default: every mention written pings
            return list(self.mentions)
        parse = set(allowed.get("parse", []))
        pings = []
        for mention in self.mentions:
            if mention.startswith("@"):
                kind = "everyone"
            elif mention.startswith("<@&"):
                kind = "roles"
            elif mention.startswith("<@"):
                kind = "users"
            else:
                continue
            if kind in parse or (kind != "everyone" and allowed.get(kind)):
                pings.append(mention)
        return pings

    def json(self, bot: DcUser) -> JSON:
        data: JSON = {
            "id": str(self.id),
            "channel_id": str(self.channel_id),
            "author": bot.json(),
            "content": self.content,
            "timestamp": _iso(time.time()),  # created_at is monotonic, for measuring
            "edited_timestamp": _iso(time.time()) if self.edited_at else None,
            "tts": False,
            "mention_everyone": False,
            "mentions": [],
            "mention_roles": [],
            "attachments": [_attachment_json(n, f) for n, f in enumerate(self.files)],
            "embeds": [],
            "pinned": False,
            "type": 0 if self.interaction_id is None else 20,
            "flags": self.flags,
            "components": self.components,
        }
        if self.guild_id is not None:
            data["guild_id"] = str(self.guild_id)
        return data


@dataclass
class DcInteraction:
    """One interaction the fake sent the bot, and how the bot answered it."""

    id: int
    token: str
    type: int  # 2 command, 3 component, 4 autocomplete, 5 modal submit
    user: DcUser
    channel: DcChannel
    data: JSON
    created_at: float
    message: DcMessage | None = None  # a component's message
    responded_at: float | None = None
    response_type: int | None = None
    original: DcMessage | None = None  # the message its response created
    modal: JSON | None = None  # the modal it opened
    choices: list[JSON] | None = None  # autocomplete's answer
    followups: list[DcMessage] = field(default_factory=list)

    @property
    def guild_id(self) -> int | None:
        return self.channel.guild_id

    @property
    def response_delay(self) -> float | None:
        """Seconds from the interaction to its (first) response."""
        return None if self.responded_at is None else self.responded_at - self.created_at


def _attachment_json(index: int, file: DcFile) -> JSON:
    return {
        "id": str(BASE_ID + index),
        "filename": file.filename,
        "size": len(file.data),
        "url": f"https://cdn.example/{file.filename}",
        "proxy_url": f"https://cdn.example/{file.filename}",
        "content_type": file.content_type,
    }


def _iso(at: float) -> str:
    return datetime.fromtimestamp(at, UTC).isoformat()
