"""Plays people on Telegram for the conformance suite, through the fake Bot API server.

The adapter runs for real: python-telegram-bot polls the fake on loopback, and the
adapter renders, splits, runs forms and carries out audiences as it would against
Telegram. This driver makes fake users write and press buttons, then waits until the
adapter reports that it has finished with that very update (its ``on_handled`` hook,
called once the replies are delivered), and reads back what the fake recorded: messages
in the group chat are seen by the chat, messages in a person's private chat by that
person, with their text as Telegram shows it (HTML parsed) and their buttons' labels.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Sequence
from functools import partial
from typing import Any

from adapters.telegram import TelegramAdapter
from adapters.telegram.intake import Receiving
from adapters.telegram.render import MAX_MESSAGE
from adapters.telegram.sender import RetryPolicy
from bot.catalog import Catalog
from bot.clock import SystemClock
from bot.commands import CommandSpec
from bot.dispatcher import Dispatcher
from bot.events import Actor, Place
from bot.platforms import Platforms
from tests.adapters.conformance import (
    Seen,
    conformance_commands,
    conformance_dispatcher,
)
from tests.fakes.authority import EveryoneIsAMember
from tests.fakes.telegram_api import FakeTelegramApi
from tests.fakes.telegram_updates import JSON, SentMessage, TgUser
from tests.fakes.telegram_webhook import WebhookDelivery

QUICK_RETRIES = RetryPolicy(attempts=4, network_pause=0.01, longest_wait=5.0, answer_patience=2.0)
_Snapshot = dict[tuple[int, int], tuple[str, bool]]


def dispatcher_with(platforms: Platforms, *extra: CommandSpec) -> Dispatcher:
    """The real dispatcher with the conformance suite's commands and ``extra`` ones."""
    registry = conformance_commands(MAX_MESSAGE)
    for spec in extra:
        registry.add(spec)
    return Dispatcher(registry, EveryoneIsAMember(), platforms, Catalog.load(), SystemClock())


class TelegramDriver:
    def __init__(
        self, fake: FakeTelegramApi, *, users: dict[str, TgUser] | None = None, **options: Any
    ) -> None:
        """``users``: people another driver (an earlier process) already played."""
        self.fake = fake
        self.group = fake.group("Circle")
        self.catalog = Catalog.load()
        self.platforms = Platforms()
        options.setdefault("retry", QUICK_RETRIES)
        receiving: Receiving | None = options.get("receiving")
        self.webhook = receiving.webhook if receiving is not None else None
        self.delivery: WebhookDelivery | None = None  # the fake's, in webhook mode
        self.adapter = TelegramAdapter(
            self.catalog,
            token=fake.token,
            bot_name="PeerCircle",
            base_url=fake.base_url,
            base_file_url=fake.base_file_url,
            on_handled=self._mark_handled,
            **options,
        )
        self.platforms.attach(self.adapter)
        self.users: dict[str, TgUser] = users if users is not None else {}
        self._handled: set[int] = set()
        self._progress = asyncio.Event()
        self.task: asyncio.Task[None] | None = None  # the adapter's start()

    async def start(self, dispatcher: Dispatcher | None = None) -> None:
        """Start the adapter and wait until it receives updates: polling, or (with a
        ``receiving`` webhook) listening, with the fake delivering to it."""
        inbox = dispatcher or conformance_dispatcher(self.platforms, MAX_MESSAGE)
        self.task = asyncio.create_task(self.adapter.start(inbox))
        if self.webhook is None:
            await self.fake.wait_until_polling()
            return
        adapter, fake = self.adapter, self.fake
        await fake.wait_for(lambda: bool(fake.webhook_url) and adapter.webhook_port is not None)
        self.delivery = fake.deliver_webhook_to(self.webhook_address())

    def webhook_address(self) -> str:
        """Where the adapter listens for webhook deliveries (as a reverse proxy sees it)."""
        if self.webhook is None or self.adapter.webhook_port is None:
            raise AssertionError("the adapter has no webhook listening")
        return f"http://127.0.0.1:{self.adapter.webhook_port}{self.webhook.path}"

    async def close(self) -> None:
        await self.adapter.stop()
        if self.task is not None:
            await asyncio.wait_for(self.task, timeout=10)

    # -- the cast ------------------------------------------------------------------------

    def user(self, person: str) -> TgUser:
        """A fake Telegram user who has pressed Start in the private chat with the bot."""
        if person not in self.users:
            user = self.fake.user(person)
            self.fake.private_chat(user)
            self.users[person] = user
        return self.users[person]

    def person_in(self, chat_id: int) -> str | None:
        return next((name for name, user in self.users.items() if user.id == chat_id), None)

    # -- the Driver protocol -------------------------------------------------------------

    def actor(self, person: str) -> Actor:
        return Actor("telegram", str(self.user(person).id), person)

    def shared_place(self) -> Place:
        return Place("telegram", str(self.group.id), private=False)

    async def say(self, person: str, text: str, *, shared: bool) -> list[Seen]:
        chat = self.group if shared else None
        return await self.acting(
            lambda: self.fake.inject_message(self.user(person), text, chat=chat)
        )

    async def press(self, person: str, label: str, *, shared: bool) -> list[Seen]:
        chat_id = self.group.id if shared else self.user(person).id
        sent = self.last_with_button(chat_id, label)
        return await self.acting(
            lambda: self.fake.press_button(self.user(person), sent, text=label)
        )

    async def fill_form(self, person: str, answers: Sequence[str], *, shared: bool) -> list[Seen]:
        """Each answer to the question last asked in the person's private chat (where a
        form's conversation is): a number presses that choice, anything else is typed."""
        seen: list[Seen] = []
        for answer in answers:
            question = self.fake.sent_messages(self.user(person))[-1]
            choices = [label for label, _ in question.buttons if label not in self._controls()]
            if answer.isdecimal() and 1 <= int(answer) <= len(choices):
                label = choices[int(answer) - 1]
                user = self.user(person)
                seen += await self.acting(
                    partial(self.fake.press_button, user, question, text=label)
                )
            else:
                seen += await self.say(person, answer, shared=False)
        return seen

    async def block(self, person: str) -> None:
        self.fake.set_blocked(self.user(person))

    async def seen_since(self, action: Awaitable[object]) -> list[Seen]:
        before = self._snapshot()
        await action
        return self._seen(before)

    # -- helpers -------------------------------------------------------------------------

    async def acting(self, act: Callable[[], JSON]) -> list[Seen]:
        """Run ``act`` (which injects one update), wait until the adapter has finished
        with that update, and return what anyone saw meanwhile."""
        before = self._snapshot()
        update: JSON = act()
        await self.handled(update["update_id"])
        return self._seen(before)

    async def handled(self, update_id: int, *, within: float = 10.0) -> None:
        async with asyncio.timeout(within):
            while update_id not in self._handled:
                progress = self._progress
                await progress.wait()

    def last_with_button(self, chat_id: int, label: str) -> SentMessage:
        for sent in reversed(self.fake.sent_messages(chat_id)):
            if any(text == label for text, _ in sent.buttons):
                return sent
        raise AssertionError(f"no message in chat {chat_id} has a button {label!r}")

    def _mark_handled(self, update_id: int) -> None:
        self._handled.add(update_id)
        self._progress.set()
        self._progress = asyncio.Event()

    def _controls(self) -> set[str]:
        return {self.catalog.text("buttons.cancel"), self.catalog.text("buttons.skip")}

    def _snapshot(self) -> _Snapshot:
        return {(m.chat_id, m.message_id): (m.text, m.deleted) for m in self.fake.sent_messages()}

    def _seen(self, before: _Snapshot) -> list[Seen]:
        """Messages sent since ``before``, and messages whose text was edited since: in
        a group chat seen by the chat, in a private chat by its person."""
        seen: list[Seen] = []
        for sent in self.fake.sent_messages():
            earlier = before.get((sent.chat_id, sent.message_id))
            if sent.deleted or (earlier is not None and earlier[0] == sent.text):
                continue
            labels = tuple(label for label, _ in sent.buttons)
            upload = sent.photo or sent.document
            file = upload.filename if upload is not None else None
            image = sent.photo is not None
            if sent.chat_id < 0:  # a group: Telegram's group ids are negative, users' not
                seen.append(Seen("chat", None, sent.text, labels, file, image))
            else:
                person = self.person_in(sent.chat_id)
                seen.append(Seen("private", person, sent.text, labels, file, image))
        return seen
