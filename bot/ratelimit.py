"""Pacing what the bot sends, so that a platform never has to refuse it.

Telegram allows a bot about 30 messages a second in all, about one a second in a chat
(short bursts are tolerated) and 20 a minute in a group chat; Discord allows 50
requests a second in all and about 5 messages per 5 seconds in a channel, and bans a
bot that keeps making requests it refuses. A reminder or an announcement may fan out
to hundreds of people, so the bot paces itself instead of finding the limits by
being refused.

``PlatformLimiter`` holds one platform's limiters, all of them aiolimiter's
``AsyncLimiter`` (a leaky bucket):

- **all chats together**: evenly spaced, ``1 / messages_per_second`` apart. No burst:
  a platform counting over a sliding second never sees more than its limit. At 100 a
  second or more, a wake-up that came late is made up for: up to ``CATCH_UP`` of a
  second's worth may go at once, and the pace is lower by twice as many, so no second
  holds more than the limit either, with room to spare for the network's jitter.
  (Without it a fast rate is out of reach: the event loop wakes in whole milliseconds,
  so 3.3 ms between messages became 4 ms: 250 a second for a limit of 300.);
- **one chat**: ``per_chat_per_second`` on average, letting ``per_chat_burst``
  messages out at once first (a reply in several parts, a form's first question);
- **one group chat**, on top: evenly spaced, ``60 / per_group_chat_per_minute``
  seconds apart, so no minute ever holds more than the limit.

A chat's limiters are made on its first message and forgotten once they have drained
(a drained bucket is the same as a new one, so forgetting it loses nothing); memory
grows with the chats written to recently, not with every chat ever written to.

**Who goes first.** A reply to a person's own command goes first: a fan-out never
delays it by more than one send slot. Replies (``interactive``) queue for the shared
limiter directly; the bot's own messages (``proactive``) first pass one at a time
through a single *proactive lane*, and only the one holding the lane queues for the
shared limiter. That limiter serves its queue in order, so however many notices are
waiting, at most one of them is ever ahead of a reply. Each message takes its chat's
turn before the shared one (as python-telegram-bot's AIORateLimiter does), so a chat
that must wait never holds up the lane.
"""

from __future__ import annotations

import asyncio
import math
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from functools import partial

from aiolimiter import AsyncLimiter

__all__ = ["PlatformLimiter", "RateLimiters", "RateLimits"]

FORGET_EVERY = 60.0  # seconds between sweeps for drained chat limiters
CATCH_UP = 0.02  # of a second's worth of messages in all, made up after a late wake-up


@dataclass(frozen=True, slots=True)
class RateLimits:
    """One platform's limits for sending messages; None means no such limit, so
    ``RateLimits()`` is unlimited (the console)."""

    messages_per_second: float | None = None  # all chats together
    per_chat_per_second: float | None = None  # one chat, on average...
    per_chat_burst: int = 1  # ...after letting this many out at once
    per_group_chat_per_minute: float | None = None  # one group chat, on top

    def __post_init__(self) -> None:
        for name in ("messages_per_second", "per_chat_per_second", "per_group_chat_per_minute"):
            rate = getattr(self, name)
            if rate is not None and not (rate > 0 and math.isfinite(rate)):
                raise ValueError(f"{name} must be a positive number or None, not {rate!r}")
        if self.per_chat_burst < 1:
            raise ValueError(f"per_chat_burst must be at least 1, not {self.per_chat_burst!r}")

    @property
    def unlimited(self) -> bool:
        return (
            self.messages_per_second is None
            and self.per_chat_per_second is None
            and self.per_group_chat_per_minute is None
        )


def _evenly(count: float, seconds: float) -> AsyncLimiter:
    """``count`` per ``seconds``, evenly spaced: no burst (aiolimiter's own recipe)."""
    return AsyncLimiter(1, seconds / count)


def _all_chats(per_second: float) -> AsyncLimiter:
    """``per_second`` in all, evenly spaced, making up for late wake-ups at high rates
    (see the module docstring): at most ``per_second - catch_up`` in any sliding second."""
    catch_up = int(per_second * CATCH_UP)
    if catch_up < 2:
        return _evenly(per_second, 1.0)
    return AsyncLimiter(catch_up, catch_up / (per_second - 2 * catch_up))


def _bursting(per_second: float, burst: int) -> AsyncLimiter:
    """``burst`` at once, then ``per_second`` on average."""
    return AsyncLimiter(burst, burst / per_second)


class _Held:
    __slots__ = ("limiter", "waiting")

    def __init__(self, limiter: AsyncLimiter) -> None:
        self.limiter = limiter
        self.waiting = 0  # callers inside ``acquire``: never forgotten while > 0


class _PerChat:
    """A limiter per chat, made on first use and forgotten once drained and unused."""

    def __init__(self, make: Callable[[], AsyncLimiter]) -> None:
        self._make = make
        self._held: dict[str, _Held] = {}

    def __len__(self) -> int:
        return len(self._held)

    async def acquire(self, chat_id: str) -> None:
        held = self._held.get(chat_id)
        if held is None:
            held = self._held[chat_id] = _Held(self._make())
        held.waiting += 1
        try:
            await held.limiter.acquire()
        finally:
            held.waiting -= 1

    def forget_drained(self) -> None:
        """Drop every limiter nobody waits on whose bucket is empty (as good as new)."""
        self._held = {
            chat_id: held
            for chat_id, held in self._held.items()
            if held.waiting or not held.limiter.has_capacity(held.limiter.max_rate)
        }


class PlatformLimiter:
    """One platform's pacing: ``await interactive(...)`` before sending a reply to
    someone's command, ``await proactive(...)`` before a message the bot sends first;
    each returns when that message may go out. See the module docstring for the rule
    on who goes first."""

    def __init__(self, limits: RateLimits, *, forget_every: float = FORGET_EVERY) -> None:
        self.limits = limits
        rate = limits.messages_per_second
        self._all = _all_chats(rate) if rate is not None else None
        per_chat, per_group = limits.per_chat_per_second, limits.per_group_chat_per_minute
        self._chats = (
            None
            if per_chat is None
            else _PerChat(partial(_bursting, per_chat, limits.per_chat_burst))
        )
        self._groups = None if per_group is None else _PerChat(partial(_evenly, per_group, 60.0))
        self._lane = asyncio.Lock()  # the proactive lane: one notice at a time
        self._forget_every = forget_every
        self._swept_at: float | None = None

    @property
    def tracked_chats(self) -> int:
        """How many chat and group-chat limiters are held right now."""
        return sum(len(chats) for chats in (self._chats, self._groups) if chats is not None)

    async def interactive(self, chat_id: str, *, group_chat: bool = False) -> None:
        """Wait for a slot for a reply to a person's own command in ``chat_id``
        (``group_chat``: a chat shared by several people). Goes before every waiting
        proactive message but the one already at the front."""
        await self._chat_turn(chat_id, group_chat)
        if self._all is not None:
            await self._all.acquire()

    async def proactive(self, chat_id: str, *, group_chat: bool = False) -> None:
        """Wait for a slot for a message the bot sends on its own initiative (a notice,
        a reminder, an announcement), behind every reply that is waiting."""
        await self._chat_turn(chat_id, group_chat)
        if self._all is not None:
            async with self._lane:
                await self._all.acquire()

    async def _chat_turn(self, chat_id: str, group_chat: bool) -> None:
        self._forget_drained_when_due()
        if self._chats is not None:
            await self._chats.acquire(chat_id)
        if group_chat and self._groups is not None:
            await self._groups.acquire(chat_id)

    def _forget_drained_when_due(self) -> None:
        now = asyncio.get_running_loop().time()
        if self._swept_at is None:
            self._swept_at = now
        elif now - self._swept_at >= self._forget_every:
            self._swept_at = now
            for chats in (self._chats, self._groups):
                if chats is not None:
                    chats.forget_drained()


class RateLimiters:
    """Every platform's ``PlatformLimiter``, by platform name. A platform with no
    limits given (the console) gets an unlimited one."""

    def __init__(
        self, limits: Mapping[str, RateLimits] | None = None, *, forget_every: float = FORGET_EVERY
    ) -> None:
        self._forget_every = forget_every
        self._limiters = {
            platform: PlatformLimiter(platform_limits, forget_every=forget_every)
            for platform, platform_limits in (limits or {}).items()
        }

    def for_platform(self, platform: str) -> PlatformLimiter:
        limiter = self._limiters.get(platform)
        if limiter is None:
            limiter = PlatformLimiter(RateLimits(), forget_every=self._forget_every)
            self._limiters[platform] = limiter
        return limiter
