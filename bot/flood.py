"""Abuse limits: at most so many of something per key (a member, a group) in a window.

``WindowLimit`` counts events by the clock it is given (so tests drive it with a fake
one) and keeps them in memory only: nothing about who did what is written anywhere,
which matters where the thing counted is private (an anonymous alert, a check-in). A
restart forgets the counts, which is fine for a limit meant to stop floods.

``CommandFlood`` is the dispatcher's: a member's commands beyond the limit are refused,
the first refusal answered and the rest dropped silently until the member has room
again, so a flood costs neither the member's lane, nor the platforms' sending budget
everyone else's replies and reminders share. Urgent commands (``/crisis``) are never
counted nor refused.
"""

from __future__ import annotations

from collections import OrderedDict, deque
from dataclasses import dataclass
from datetime import datetime, timedelta


class WindowLimit:
    """At most ``limit`` events per key in any ``window``.

    Keys are kept in the order of their latest event, so the ones with nothing left in
    the window are always at the front: each ``take`` forgets those, at a cost that
    does not grow with how many keys are remembered (a busy server's thousands of
    members, each counted once, are forgotten a minute later, a few at a time)."""

    def __init__(self, limit: int, window: timedelta) -> None:
        if limit < 1 or window <= timedelta(0):
            raise ValueError("a limit needs at least one event in a window longer than zero")
        self.limit = limit
        self.window = window
        self._events: OrderedDict[str, deque[datetime]] = OrderedDict()

    def take(self, key: str, now: datetime) -> bool:
        """Count one event for ``key`` if it is within the limit; False (and nothing
        counted) if it is not."""
        self._forget_quiet(now)
        events = self._recent(key, now)
        if len(events) >= self.limit:
            return False
        events.append(now)
        self._events.move_to_end(key)
        return True

    def used(self, key: str, now: datetime) -> int:
        """How many events ``key`` has in the window ending ``now``."""
        return len(self._recent(key, now)) if key in self._events else 0

    def free_at(self, key: str, now: datetime) -> datetime:
        """When ``key`` may next have an event (``now`` if it may now)."""
        events = self._recent(key, now) if key in self._events else deque()
        if len(events) < self.limit:
            return now
        return events[len(events) - self.limit] + self.window

    def keys(self) -> int:
        """How many keys are remembered (for tests of memory)."""
        return len(self._events)

    def _recent(self, key: str, now: datetime) -> deque[datetime]:
        events = self._events.setdefault(key, deque())
        start = now - self.window
        while events and events[0] <= start:
            events.popleft()
        return events

    def _forget_quiet(self, now: datetime) -> None:
        """Forget the keys with nothing in the window ending ``now``: all at the front."""
        start = now - self.window
        remembered = self._events
        while remembered:
            key, events = next(iter(remembered.items()))
            if events and events[-1] > start:
                return
            del remembered[key]


@dataclass(frozen=True, slots=True)
class FloodVerdict:
    """``allowed``: run the command. Otherwise ``answer``: say "slow down" (the first
    refusal), or stay silent (the ones after it)."""

    allowed: bool
    answer: bool = False


DEFAULT_COMMANDS_PER_MINUTE = 30


class CommandFlood:
    """How many commands a member may send: ``per_minute`` in any minute."""

    def __init__(self, per_minute: int = DEFAULT_COMMANDS_PER_MINUTE) -> None:
        self._limit = WindowLimit(per_minute, timedelta(minutes=1))
        self._told: set[str] = set()

    def check(self, member: str, now: datetime) -> FloodVerdict:
        if self._limit.take(member, now):
            self._told.discard(member)
            return FloodVerdict(allowed=True)
        if member in self._told:
            return FloodVerdict(allowed=False)
        self._told.add(member)
        return FloodVerdict(allowed=False, answer=True)


__all__ = ("DEFAULT_COMMANDS_PER_MINUTE", "CommandFlood", "FloodVerdict", "WindowLimit")
