"""What the fake Discord API knows and records, and the helpers tests use to set up
their world (people, servers, roles, channels) and read back what the bot did."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from tests.fakes.discord_world import (
    DM_CHANNEL,
    EVERYONE_PERMISSIONS,
    JSON,
    TEXT_CHANNEL,
    DcChannel,
    DcGuild,
    DcInteraction,
    DcMessage,
    DcRole,
    DcUser,
    Snowflakes,
)

DEFAULT_TOKEN = "MTMwMDAwMDAwMDAwMDAwMDAw.FakeGw.fake-discord-token-for-tests-0123456789"


@dataclass(frozen=True)
class Call:
    """One REST request the fake answered (the token is never kept)."""

    method: str
    route: str  # the route's template, like "POST /channels/{channel_id}/messages"
    path: str
    status: int
    at: float  # time.monotonic()
    code: int | None = None  # Discord's error code, if it was an error


class DiscordState:
    def __init__(self, *, token: str = DEFAULT_TOKEN, bot_name: str = "PeerCircle") -> None:
        self.token = token
        self.new_id = Snowflakes()
        self.bot = DcUser(self.new_id(), bot_name, bot=True)
        self.application_id = self.bot.id  # Discord gives a bot its application's id
        self.users: dict[int, DcUser] = {}
        self.guilds: dict[int, DcGuild] = {}
        self.channels: dict[int, DcChannel] = {}
        self.messages: list[DcMessage] = []
        self.interactions: dict[int, DcInteraction] = {}
        self.interactions_by_token: dict[str, DcInteraction] = {}
        self.sent_by_nonce: dict[tuple[int, str], DcMessage] = {}  # enforce_nonce
        self.global_commands: list[JSON] = []
        self.guild_commands: dict[int, list[JSON]] = {}
        self.command_syncs: list[tuple[int | None, float]] = []  # (guild or None, when)
        self.calls: list[Call] = []
        self.internal_errors: list[BaseException] = []
        self._changed = asyncio.Event()

    # -- setting up the world --------------------------------------------------------------

    def user(self, name: str, *, global_name: str | None = None) -> DcUser:
        user = DcUser(self.new_id(), name.lower().replace(" ", "_")[:32], global_name or name)
        self.users[user.id] = user
        return user

    def guild(self, name: str, *, roles: tuple[str, ...] = ("Facilitator",)) -> DcGuild:
        """A server with an @everyone role, the given roles and a #general channel; the
        bot is a member (as if invited)."""
        guild = DcGuild(self.new_id(), name, owner_id=self.new_id())
        guild.roles[guild.id] = DcRole(guild.id, "@everyone", EVERYONE_PERMISSIONS, position=0)
        for position, role_name in enumerate(roles, start=1):
            role = DcRole(self.new_id(), role_name, position=position)
            guild.roles[role.id] = role
        guild.members[self.bot.id] = []
        self.guilds[guild.id] = guild
        self.channel(guild, "general")
        return guild

    def channel(self, guild: DcGuild, name: str) -> DcChannel:
        channel = DcChannel(self.new_id(), TEXT_CHANNEL, name, guild_id=guild.id)
        guild.channels.append(channel)
        self.channels[channel.id] = channel
        return channel

    def join(self, guild: DcGuild, user: DcUser, *, roles: tuple[str, ...] = ()) -> None:
        guild.members[user.id] = [guild.role(name).id for name in roles]

    def grant(self, guild: DcGuild, role: str, permissions: int) -> None:
        guild.role(role).permissions |= permissions

    def dm_channel(self, user: DcUser) -> DcChannel:
        for channel in self.channels.values():
            if channel.type == DM_CHANNEL and channel.recipient is user:
                return channel
        channel = DcChannel(self.new_id(), DM_CHANNEL, recipient=user)
        self.channels[channel.id] = channel
        return channel

    def block_dms(self, user: DcUser) -> None:
        """``user`` closes their private messages: a DM to them fails with 50007."""
        user.dms_closed = True

    # -- reading back ----------------------------------------------------------------------

    def sent(self, channel: DcChannel | None = None) -> list[DcMessage]:
        """Every message the bot sent (in ``channel``), in order, deleted ones left out."""
        return [
            m
            for m in self.messages
            if not m.deleted and (channel is None or m.channel_id == channel.id)
        ]

    def commands(self, guild: DcGuild | None = None) -> list[JSON]:
        return self.global_commands if guild is None else self.guild_commands.get(guild.id, [])

    def calls_to(self, route: str) -> list[Call]:
        return [call for call in self.calls if call.route == route]

    @property
    def invalid_requests(self) -> int:
        """Requests Discord counts towards its ban (401, 403 and 429 answers)."""
        return sum(1 for call in self.calls if call.status in (401, 403, 429))

    def name_of(self, kind: str, ident: str) -> str:
        """The name a client shows for a mention (``kind`` "@", "@&" or "#")."""
        number = int(ident)
        if kind == "@&":
            for guild in self.guilds.values():
                if number in guild.roles:
                    return guild.roles[number].name
        elif kind == "#" and number in self.channels:
            return self.channels[number].name
        elif number in self.users:
            return self.users[number].username
        return "unknown"

    # -- waiting ---------------------------------------------------------------------------

    def changed(self) -> None:
        self._changed.set()
        self._changed = asyncio.Event()

    async def wait_for(
        self, check: Callable[[], Any], *, within: float = 10.0, what: str = "a change"
    ) -> Any:
        """Wait until ``check()`` is truthy (re-checked on every change); its value."""
        try:
            async with asyncio.timeout(within):
                while not (result := check()):
                    changed = self._changed
                    await changed.wait()
                return result
        except TimeoutError:
            raise AssertionError(f"not within {within} s: {what}") from None

    def record(self, message: DcMessage) -> DcMessage:
        message.rerender(self.name_of)
        self.messages.append(message)
        self.changed()
        return message

    def new_message(self, channel: DcChannel, content: str, **extra: Any) -> DcMessage:
        return DcMessage(
            self.new_id(), channel.id, channel.guild_id, content, time.monotonic(), **extra
        )
