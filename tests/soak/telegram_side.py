"""Telegram members of the soak: each in their private chat with the bot, typing commands
and text and pressing buttons, one at a time, waiting for each answer.

``WatchedTelegram`` is the loopback fake with every delivered message filed by chat as
it arrives (an answer, or a notice the bot sent on its own), so 250 members can wait for
their own chat without scanning everyone's messages.
"""

from __future__ import annotations

import asyncio
import random
import time
from collections import defaultdict
from typing import Any

from tests.fakes.telegram_api import FakeTelegramApi
from tests.fakes.telegram_updates import SentMessage, TgUser
from tests.soak.model import is_notice
from tests.soak.script import SETTINGS_TOGGLES, TYPED, Step, Tally, choose


class WatchedTelegram(FakeTelegramApi):
    def __init__(self, **options: Any) -> None:
        super().__init__(**options)
        self.answers: dict[int, list[SentMessage]] = defaultdict(list)
        self.notices: dict[int, list[SentMessage]] = defaultdict(list)
        self._arrived: dict[int, asyncio.Event] = defaultdict(asyncio.Event)

    def _deliver(self, chat: Any, params: Any, formatted: Any, raw: str, **more: Any) -> Any:
        message = super()._deliver(chat, params, formatted, raw, **more)
        sent = self._sent[(chat.id, message["message_id"])]
        (self.notices if is_notice(sent.text) else self.answers)[chat.id].append(sent)
        self._arrived[chat.id].set()
        return message

    async def until_answers(self, chat_id: int, count: int, within: float) -> bool:
        """Whether ``chat_id`` has ``count`` answers within ``within`` seconds."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + within
        while len(self.answers[chat_id]) < count:
            left = deadline - loop.time()
            if left <= 0:
                return False
            arrived = self._arrived[chat_id]
            arrived.clear()
            try:
                await asyncio.wait_for(arrived.wait(), left)
            except TimeoutError:
                return False
        return True


class TelegramMember:
    def __init__(self, fake: WatchedTelegram, user: TgUser, rng: random.Random) -> None:
        self.fake = fake
        self.user = user
        self.key = f"telegram:{user.id}"
        self.rng = rng
        self.expected = 0  # answers this chat should have had
        self._groups: SentMessage | None = None
        self._settings: SentMessage | None = None

    async def run(self, steps: int, tally: Tally, within: float) -> None:
        for _ in range(steps):
            await self.one(self._ready(choose(self.rng)), tally, within)

    def _ready(self, step: Step) -> Step:
        """A press needs the message its button is on: ask for it first."""
        if step.kind == "press_join" and self._groups is None:
            return Step("groups")
        if step.kind == "press_settings" and self._settings is None:
            return Step("settings")
        return step

    async def one(self, step: Step, tally: Tally, within: float) -> None:
        chat = self.user.id
        before = len(self.fake.answers[chat])
        self.expected += 1
        began = time.monotonic()
        self._act(step)
        if not await self.fake.until_answers(chat, before + 1, within):
            tally.unanswered(self.key, step, len(self.fake.answers[chat]) - before)
            return
        latency = time.monotonic() - began
        [answer] = self.fake.answers[chat][before : before + 1]
        labels = " ".join(label for label, _ in answer.buttons)
        if step.kind == "groups" and "Join" in labels:
            self._groups = answer
        elif step.kind == "settings" and "Turn" in labels:
            self._settings = answer
        tally.answered(self.key, step, latency, [answer.text])

    def _act(self, step: Step) -> None:
        fake, user = self.fake, self.user
        if step.kind == "press_join" and self._groups is not None:
            fake.press_button(user, self._groups, f"join:{step.slug}")
        elif step.kind == "press_settings" and self._settings is not None:
            labels = [label for label, _ in self._settings.buttons]
            wanted = [label for label in SETTINGS_TOGGLES if label in labels]
            fake.press_button(user, self._settings, text=self.rng.choice(wanted))
        elif step.kind == "text":
            fake.inject_message(user, TYPED)
        else:
            fake.inject_command(user, command_text(step))

    def surplus(self) -> int:
        """Answers beyond one per command (a doubled answer), or fewer (a lost one)."""
        return len(self.fake.answers[self.user.id]) - self.expected


def command_text(step: Step) -> str:
    if step.kind in ("join", "leave", "next"):
        return f"/{step.kind} {step.slug}"
    if step.kind == "rsvp":
        return f"/rsvp {step.slug} {step.answer}"
    return f"/{step.kind}"
