"""The project's loopback Telegram Bot API fake (``tests.fakes.telegram_api``), with a
record of when each message arrived, for timing a bot from outside.

``SendLog`` wraps the fake's ``sendMessage``: every message the bot sends successfully
is noted with the moment the fake accepted it, by chat, and anyone may wait for a
number of them. The fake itself is unchanged: same parsing, same checks, same limits.
"""

from __future__ import annotations

import asyncio
import time
from collections import defaultdict
from collections.abc import Callable
from typing import Any

from tests.fakes.telegram_api import FakeTelegramApi


class SendLog:
    def __init__(self, fake: FakeTelegramApi, clock: Callable[[], float] = time.perf_counter):
        self._clock = clock
        self.times: list[float] = []  # every message accepted, in order
        self.by_chat: dict[int, list[float]] = defaultdict(list)
        self._changed = asyncio.Event()
        self._awaited: dict[int, asyncio.Future[float]] = {}
        original = fake.methods["sendMessage"]

        async def recorded(params: dict[str, Any]) -> Any:
            result = await original(params)
            now = self._clock()
            self.times.append(now)
            chat = int(result["chat"]["id"])
            self.by_chat[chat].append(now)
            awaited = self._awaited.pop(chat, None)
            if awaited is not None and not awaited.done():
                awaited.set_result(now)
            self._changed.set()
            return result

        fake.methods["sendMessage"] = recorded

    async def first_in(self, chat_id: int, within: float) -> float:
        """When the first message to ``chat_id`` arrived (waiting for it if need be)."""
        if self.by_chat.get(chat_id):
            return self.by_chat[chat_id][0]
        awaited = self._awaited.setdefault(chat_id, asyncio.get_running_loop().create_future())
        try:
            return await asyncio.wait_for(asyncio.shield(awaited), within)
        except TimeoutError:
            raise TimeoutError(f"no message to chat {chat_id} within {within:g} s") from None

    @property
    def count(self) -> int:
        return len(self.times)

    async def wait_for(self, done: Callable[[], bool], within: float, what: str) -> None:
        """Until ``done()`` holds, looked at after each message; TimeoutError after
        ``within`` seconds."""
        try:
            async with asyncio.timeout(within):
                while not done():
                    self._changed.clear()
                    await self._changed.wait()
        except TimeoutError:
            raise TimeoutError(f"not within {within:g} s: {what} ({self.count} sent)") from None

    async def wait_for_count(self, count: int, within: float) -> None:
        await self.wait_for(lambda: self.count >= count, within, f"{count} messages")
