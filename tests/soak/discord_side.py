"""Discord members of the soak: each runs slash commands in the server's channel, presses
buttons on the answers, and types text in their private chat with the bot, one thing at
a time, waiting for each answer.

Every interaction must get exactly one response (Discord refuses a second with 40060),
and its answer must be there: the finished messages it created (a deferred "thinking…"
filled in counts once) — or, when Discord no longer took a response (10062), a line
saying why and the answer in the private chat. ``WatchedDiscord`` files the messages
sent in private chats as they arrive, answers apart from the notices the bot sends on
its own.
"""

from __future__ import annotations

import asyncio
import random
import time
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from tests.fakes.discord_api import FakeDiscordApi
from tests.fakes.discord_interactions import interaction_seen
from tests.fakes.discord_world import DcChannel, DcInteraction, DcMessage, DcUser
from tests.soak.model import is_notice
from tests.soak.script import SETTINGS_TOGGLES, TYPED, Step, Tally, choose, group_name

POLL = 0.025
EXPECTED = {"help": 2}  # finished messages per answer; 1 for every other kind


class WatchedDiscord(FakeDiscordApi):
    def __init__(self, **options: Any) -> None:
        super().__init__(**options)
        self.dm_answers: dict[int, list[DcMessage]] = defaultdict(list)
        self.dm_notices: dict[int, list[DcMessage]] = defaultdict(list)

    def record(self, message: DcMessage) -> DcMessage:
        recorded = super().record(message)
        if message.guild_id is None and message.interaction_id is None:
            shelf = self.dm_notices if is_notice(message.text) else self.dm_answers
            shelf[message.channel_id].append(message)
        return recorded


@dataclass(frozen=True, slots=True)
class Asked:
    """An interaction and the answer it should have, for the check at the end."""

    interaction: DcInteraction
    expected: int
    who: str
    kind: str


def finished(interaction: DcInteraction) -> list[DcMessage]:
    return [m for m in interaction_seen(interaction) if not m.loading and not m.deleted]


class DiscordMember:
    def __init__(
        self, fake: WatchedDiscord, user: DcUser, channel: DcChannel, rng: random.Random
    ) -> None:
        self.fake = fake
        self.user = user
        self.channel = channel
        self.key = f"discord:{user.id}"
        self.rng = rng
        self.asked: list[Asked] = []
        self.dm = fake.dm_channel(user)
        self.dm_expected = 0
        self._groups: DcMessage | None = None
        self._settings: DcMessage | None = None

    async def run(self, steps: int, tally: Tally, within: float) -> None:
        for _ in range(steps):
            step = choose(self.rng)
            if step.kind == "press_join" and self._groups is None:
                step = Step("groups")
            if step.kind == "press_settings" and self._settings is None:
                step = Step("settings")
            if step.kind == "text":
                await self._typed(step, tally, within)
            else:
                await self._interact(step, tally, within)

    async def _interact(self, step: Step, tally: Tally, within: float) -> None:
        began = time.monotonic()
        interaction = self._act(step)
        expected = EXPECTED.get(step.kind, 1)
        shelf = self.fake.dm_answers[self.dm.id]
        before = len(shelf)

        def answered() -> bool:
            return len(finished(interaction)) >= expected or len(shelf) > before + expected

        await until(answered, began + within)
        answers = [m.text for m in finished(interaction)]
        privately = len(answers) < expected and len(shelf) > before + expected
        self.asked.append(Asked(interaction, 0 if privately else expected, self.key, step.kind))
        if privately:  # expired: "why", then the answer, in the private chat
            self.dm_expected += 1 + expected
            tally.privately += 1
            answers = [m.text for m in shelf[before + 1 : before + 1 + expected]]
        if len(answers) < expected:
            tally.unanswered(self.key, step, len(answers))
            return
        shown = finished(interaction)[0] if not privately else None
        labels = " ".join(label for label, _ in shown.buttons) if shown else ""
        if step.kind == "groups" and "Join" in labels:
            self._groups = shown
        elif step.kind == "settings" and "Turn" in labels:
            self._settings = shown
        tally.answered(self.key, step, time.monotonic() - began, answers)

    def _act(self, step: Step) -> DcInteraction:
        fake, user = self.fake, self.user
        if step.kind == "press_join" and self._groups is not None:
            label = f"Join {group_name(step.slug or '')}"
            return fake.press(user, self._groups, label)
        if step.kind == "press_settings" and self._settings is not None:
            labels = [label for label, _ in self._settings.buttons]
            wanted = [label for label in SETTINGS_TOGGLES if label in labels]
            return fake.press(user, self._settings, self.rng.choice(wanted))
        return fake.slash(user, step.kind, options(step), channel=self.channel)

    async def _typed(self, step: Step, tally: Tally, within: float) -> None:
        shelf = self.fake.dm_answers[self.dm.id]
        before = len(shelf)
        self.dm_expected += 1
        began = time.monotonic()
        self.fake.dm(self.user, TYPED)
        await until(lambda: len(shelf) > before, began + within)
        if len(shelf) <= before:
            tally.unanswered(self.key, step, 0)
            return
        tally.answered(self.key, step, time.monotonic() - began, [shelf[before].text])

    def miscounted(self) -> list[str]:
        """Interactions not answered exactly once, and a private chat with more or fewer
        answers than the text typed there."""
        found = []
        for asked in self.asked:
            got = len(finished(asked.interaction))
            unanswered = asked.expected and asked.interaction.response_type is None
            if unanswered or got != asked.expected:
                found.append(f"{asked.who} {asked.kind}: {got} of {asked.expected} answer(s)")
        extra = len(self.fake.dm_answers[self.dm.id]) - self.dm_expected
        if extra:
            found.append(f"{self.key} private chat: {extra:+d} answer(s)")
        return found


async def until(check: Callable[[], bool], deadline: float) -> bool:
    """Whether ``check()`` holds by ``deadline`` (looked at every ``POLL`` seconds: one
    member's answer, cheaper than waking 250 members at every change of the fake)."""
    while time.monotonic() < deadline:
        if check():
            return True
        await asyncio.sleep(POLL)
    return check()


def options(step: Step) -> dict[str, str]:
    """``/next`` goes without a group here: with one, in a server channel, it posts the
    meeting card, a message of the channel's that answers no interaction (the card under
    load is bench part 3's and tests/adapters/test_discord_card.py's)."""
    if step.kind in ("join", "leave"):
        return {"group": step.slug or ""}
    if step.kind == "rsvp":
        return {"group": step.slug or "", "answer": step.answer or ""}
    return {}
