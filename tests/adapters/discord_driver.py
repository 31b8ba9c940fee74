"""Plays people on Discord for the conformance suite, through the fake Discord API.

The adapter runs for real: discord.py logs in to the fake, publishes the slash commands
and keeps a gateway connection; the adapter renders, splits, escapes, defers and
carries out audiences as it would against Discord. This driver makes fake members run
slash commands (in a server channel, or in their private chat with the bot), press
buttons and submit modals, waits until the adapter reports that it has finished with
that interaction (``on_handled``), and reads back what the fake recorded: a message in
the server channel is seen by the channel, an ephemeral one only by its person, one in
a private chat by that person, each with its text as a Discord client shows it.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Sequence
from typing import Any

from adapters.discord import DiscordAdapter, DiscordOptions
from adapters.discord.render import MAX_MESSAGE
from bot.args import split_text
from bot.catalog import Catalog
from bot.clock import SystemClock
from bot.commands import CommandRegistry, CommandSpec, parse_command_text
from bot.dispatcher import Dispatcher
from bot.events import Actor, Place
from bot.platforms import Platforms
from tests.adapters.conformance import Seen, conformance_commands
from tests.fakes.authority import EveryoneIsAMember
from tests.fakes.discord_api import FakeDiscordApi
from tests.fakes.discord_world import (
    DM_CHANNEL,
    DcChannel,
    DcGuild,
    DcInteraction,
    DcMessage,
    DcUser,
)

_Snapshot = dict[int, tuple[str, bool, bool]]


def registry_with(*extra: CommandSpec) -> CommandRegistry:
    registry = conformance_commands(MAX_MESSAGE)
    for spec in extra:
        registry.add(spec)
    return registry


class DiscordDriver:
    def __init__(
        self,
        fake: FakeDiscordApi,
        *,
        registry: CommandRegistry | None = None,
        options: DiscordOptions | None = None,
        option_changes: dict[str, Any] | None = None,
        server: DcGuild | None = None,
        users: dict[str, DcUser] | None = None,
        **adapter_options: Any,
    ) -> None:
        """``server`` and ``users``: the world an earlier driver (an earlier process)
        played in."""
        self.fake = fake
        self.server = server or fake.guild("Circle")
        self.channel = self.server.channels[0]
        self.registry = registry or registry_with()
        self.catalog = Catalog.load()
        self.platforms = Platforms()
        self.adapter = DiscordAdapter(
            self.catalog,
            token=fake.token,
            options=options or self.options(**(option_changes or {})),
            on_handled=self._mark_handled,
            **adapter_options,
        )
        self.platforms.attach(self.adapter)
        self.users: dict[str, DcUser] = users if users is not None else {}
        self._handled: set[int] = set()
        self._progress = asyncio.Event()
        self._task: asyncio.Task[None] | None = None

    def options(self, **changes: Any) -> DiscordOptions:
        """Options pointing at the fake (global commands, so they work in private chats)."""
        return DiscordOptions(
            api_base_url=self.fake.api_base_url, gateway_url=self.fake.gateway_url(), **changes
        )

    async def start(self, dispatcher: Dispatcher | None = None) -> None:
        inbox = dispatcher or Dispatcher(
            self.registry, EveryoneIsAMember(), self.platforms, self.catalog, SystemClock()
        )
        await self.adapter.register_commands(self.registry.listed())
        self._task = asyncio.create_task(self.adapter.start(inbox))
        await self.fake.wait_until_connected()

    async def close(self) -> None:
        await self.adapter.stop()
        if self._task is not None:
            await asyncio.wait_for(self._task, timeout=15)

    # -- the cast ------------------------------------------------------------------------

    def user(self, person: str) -> DcUser:
        """A member of the server, with a private chat with the bot."""
        if person not in self.users:
            user = self.fake.user(person)
            self.fake.join(self.server, user)
            self.users[person] = user
        return self.users[person]

    def person(self, user_id: int | None) -> str | None:
        return next((name for name, user in self.users.items() if user.id == user_id), None)

    def where(self, person: str, *, shared: bool) -> DcChannel:
        return self.channel if shared else self.fake.dm_channel(self.user(person))

    # -- the Driver protocol -------------------------------------------------------------

    def actor(self, person: str) -> Actor:
        return Actor("discord", str(self.user(person).id), person)

    def shared_place(self) -> Place:
        return Place("discord", str(self.channel.id), private=False, guild_id=str(self.server.id))

    async def say(self, person: str, text: str, *, shared: bool) -> list[Seen]:
        """A command is run as a slash command (its options split as the core would);
        anything else is written in the private chat."""
        parsed = parse_command_text(text)
        user, channel = self.user(person), self.where(person, shared=shared)
        if parsed is None:
            return await self.acting(lambda: self.fake.dm(user, text))
        spec = self.registry.get(parsed.name)
        options = split_text(spec.params, parsed.rest) if spec is not None else {}
        name = parsed.name
        return await self.acting(lambda: self.fake.slash(user, name, options, channel=channel).id)

    async def press(self, person: str, label: str, *, shared: bool) -> list[Seen]:
        message = self.last_with_button(person, label, shared=shared)
        return await self.acting(lambda: self.fake.press(self.user(person), message, label).id)

    async def fill_form(self, person: str, answers: Sequence[str], *, shared: bool) -> list[Seen]:
        """Press the button of the form last offered, then submit its modal: a number
        picks that choice of a select; anything else is typed."""
        opened = await self.open_form(person, shared=shared)
        assert opened.modal is not None, "the button opened no modal"
        values: dict[str, str | list[str]] = {}
        fields = [c["component"] for c in opened.modal["components"] if c["type"] == 18]
        for field, answer in zip(fields, answers, strict=False):
            if field["type"] == 3:
                options = field["options"]
                index = int(answer) - 1 if answer.isdecimal() else -1
                chosen = options[index]["value"] if 0 <= index < len(options) else answer
                values[field["custom_id"]] = [chosen]
            else:
                values[field["custom_id"]] = answer
        user = self.user(person)
        return await self.acting(lambda: self.fake.submit_modal(user, opened, values).id)

    async def open_form(self, person: str, *, shared: bool) -> DcInteraction:
        form_button = None
        for message in reversed(self.visible(person, shared=shared)):
            form_button = next((b for b in message.buttons if b[1].startswith("~form:")), None)
            if form_button is not None:
                break
        assert form_button is not None, "no form was offered"
        pressed = self.fake.press(self.user(person), message, form_button[0])
        await self.handled(pressed.id)
        return pressed

    async def block(self, person: str) -> None:
        self.fake.block_dms(self.user(person))

    async def seen_since(self, action: Awaitable[object]) -> list[Seen]:
        before = self._snapshot()
        await action
        return self._seen(before)

    # -- helpers -------------------------------------------------------------------------

    async def acting(self, act: Callable[[], int]) -> list[Seen]:
        """Run ``act`` (one interaction or message, by id), wait until the adapter has
        finished with it, and return what anyone saw meanwhile."""
        before = self._snapshot()
        await self.handled(act())
        return self._seen(before)

    async def handled(self, ref: int, *, within: float = 10.0) -> None:
        async with asyncio.timeout(within):
            while ref not in self._handled:
                progress = self._progress
                await progress.wait()

    def visible(self, person: str, *, shared: bool) -> list[DcMessage]:
        channel = self.where(person, shared=shared)
        user_id = self.user(person).id
        return [
            m for m in self.fake.sent(channel) if m.visible_to in (None, user_id) and not m.loading
        ]

    def last_with_button(self, person: str, label: str, *, shared: bool) -> DcMessage:
        for message in reversed(self.visible(person, shared=shared)):
            if any(text == label for text, _ in message.buttons):
                return message
        raise AssertionError(f"{person} sees no message with a button {label!r}")

    def _mark_handled(self, ref: int) -> None:
        self._handled.add(ref)
        self._progress.set()
        self._progress = asyncio.Event()

    def _snapshot(self) -> _Snapshot:
        return {m.id: (m.text, m.deleted, m.loading) for m in self.fake.messages}

    def _seen(self, before: _Snapshot) -> list[Seen]:
        """Messages sent since ``before``, and messages edited since."""
        seen: list[Seen] = []
        for message in self.fake.messages:
            if message.deleted or message.loading:
                continue
            earlier = before.get(message.id)
            if earlier is not None and earlier[0] == message.text and not earlier[2]:
                continue
            seen.append(self.as_seen(message))
        return seen

    def as_seen(self, message: DcMessage) -> Seen:
        labels = tuple(label for label, _ in message.buttons)
        file = message.files[0] if message.files else None
        name, image = (file.filename, file.is_image) if file is not None else (None, False)
        channel = self.fake.channels[message.channel_id]
        if channel.type == DM_CHANNEL:
            person = channel.recipient.username if channel.recipient else None
            return Seen(
                "private",
                self.person(channel.recipient.id if channel.recipient else None) or person,
                message.text,
                labels,
                name,
                image,
            )
        if message.visible_to is not None:
            return Seen("only", self.person(message.visible_to), message.text, labels, name, image)
        return Seen("chat", None, message.text, labels, name, image)
