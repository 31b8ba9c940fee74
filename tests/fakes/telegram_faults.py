"""Errors, injected faults and rate limits of the fake Telegram Bot API server."""

from __future__ import annotations

import math
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Literal

from tests.fakes.fault_rates import FaultRates

# Telegram's error texts, as its Bot API answers them.
UNAUTHORIZED = "Unauthorized"
METHOD_NOT_FOUND = "Not Found: method not found"
BLOCKED = "Forbidden: bot was blocked by the user"
CANT_INITIATE = "Forbidden: bot can't initiate conversation with a user"
CHAT_NOT_FOUND = "Bad Request: chat not found"
SERVER_ERROR = "Internal Server Error"
CONFLICT = (
    "Conflict: terminated by other getUpdates request; "
    "make sure that only one bot instance is running"
)
CONFLICT_WEBHOOK = (
    "Conflict: can't use getUpdates method while webhook is active; "
    "use deleteWebhook to delete the webhook first"
)

# The calls that count as sending a message, for the rate limits.
SENDING_METHODS = frozenset(
    {"sendMessage", "sendPhoto", "sendDocument", "copyMessage", "forwardMessage", "sendPoll"}
)


class ApiError(Exception):
    """Answered as {"ok": false, "error_code": status, "description": ...}."""

    def __init__(self, status: int, description: str, parameters: dict[str, Any] | None = None):
        super().__init__(description)
        self.status = status
        self.description = description
        self.parameters = parameters

    def payload(self) -> dict[str, Any]:
        body: dict[str, Any] = {
            "ok": False,
            "error_code": self.status,
            "description": self.description,
        }
        if self.parameters:
            body["parameters"] = self.parameters
        return body


def too_many_requests(retry_after: float) -> ApiError:
    """Telegram names whole seconds; a fraction (for short soak runs) is read by PTB too."""
    return ApiError(
        429, f"Too Many Requests: retry after {retry_after:g}", {"retry_after": retry_after}
    )


# "drop": the connection closes before the fake carries the call out (safe to retry);
# "drop_after": it closes after the call was carried out (the ambiguous case: a retry
# may do it twice).
FaultKind = Literal["error", "drop", "drop_after", "delay"]


@dataclass
class Fault:
    """Applies to the next ``remaining`` calls of ``method`` (any method if None) whose
    chat_id is ``chat_id`` (any chat if None)."""

    kind: FaultKind
    method: str | None
    chat_id: int | str | None
    remaining: int
    error: ApiError | None = None
    delay: float = 0.0

    def matches(self, method: str, chat_id: object) -> bool:
        if self.remaining <= 0:
            return False
        if self.method is not None and self.method.lower() != method.lower():
            return False
        return self.chat_id is None or self.chat_id == chat_id


@dataclass
class RandomFaults(FaultRates):
    """``FaultRates`` for the calls of ``methods`` (every method if None)."""

    methods: frozenset[str] | None = None

    def draw(self, method: str) -> Fault | None:
        drawn = self.roll(method, self.methods)
        if drawn is None:
            return None
        kind, wait = drawn
        if kind == "429":
            return Fault("error", method, None, 1, error=too_many_requests(wait))
        if kind == "500":
            return Fault("error", method, None, 1, error=ApiError(500, SERVER_ERROR))
        return Fault("drop" if kind == "drop" else "drop_after", method, None, 1)


class FaultBook:
    def __init__(self) -> None:
        self.faults: list[Fault] = []
        self.random: RandomFaults | None = None  # drawn when no fault set up matches

    def add(self, fault: Fault) -> Fault:
        if fault.remaining < 1:
            raise ValueError("a fault must apply to at least one call")
        self.faults.append(fault)
        return fault

    def take_delay(self, method: str, chat_id: object) -> float:
        """Consumes every matching slow-response fault; returns the seconds to wait."""
        total = 0.0
        for fault in self.faults:
            if fault.kind == "delay" and fault.matches(method, chat_id):
                fault.remaining -= 1
                total += fault.delay
        return total

    def take_failure(self, method: str, chat_id: object) -> Fault | None:
        """Consumes and returns the first matching error or dropped-connection fault; or
        one drawn at random, if random faults are on."""
        for fault in self.faults:
            if fault.kind != "delay" and fault.matches(method, chat_id):
                fault.remaining -= 1
                return fault
        if self.random is not None:
            drawn = self.random.draw(method)
            if drawn is not None:
                drawn.remaining = 0
            return drawn
        return None

    def pending(self) -> list[Fault]:
        return [fault for fault in self.faults if fault.remaining > 0]


class RateLimiter:
    """Telegram's documented limits for sending messages (bots FAQ):

    * about 30 messages per second overall — a sliding one-second window;
    * one message per second in a chat, allowing short bursts — a token bucket per
      chat holding ``burst`` messages (3 by default) that refills at one per second;
    * at most 20 messages per minute in a group — a sliding 60-second window.

    A refused message consumes nothing. ``retry_after`` is the whole number of seconds
    (at least 1) until the limit would let that message through.
    """

    def __init__(
        self,
        clock: Callable[[], float],
        *,
        per_second_overall: int = 30,
        per_second_in_chat: float = 1.0,
        burst_in_chat: int = 3,
        per_minute_in_group: int = 20,
    ) -> None:
        self._clock = clock
        self.per_second_overall = per_second_overall
        self.per_second_in_chat = per_second_in_chat
        self.burst_in_chat = burst_in_chat
        self.per_minute_in_group = per_minute_in_group
        self._overall: deque[float] = deque()
        self._buckets: dict[int, tuple[float, float]] = {}  # chat -> (tokens, at)
        self._groups: dict[int, deque[float]] = {}

    def admit(self, chat_id: int, is_group: bool) -> int | None:
        """Records the message and returns None, or returns the retry_after to answer."""
        now = self._clock()
        waits: list[float] = []
        _expire(self._overall, now - 1.0)
        if len(self._overall) >= self.per_second_overall:
            waits.append(self._overall[0] + 1.0 - now)
        tokens, at = self._buckets.get(chat_id, (float(self.burst_in_chat), now))
        tokens = min(float(self.burst_in_chat), tokens + (now - at) * self.per_second_in_chat)
        if tokens < 1.0:
            waits.append((1.0 - tokens) / self.per_second_in_chat)
        window = self._groups.setdefault(chat_id, deque()) if is_group else None
        if window is not None:
            _expire(window, now - 60.0)
            if len(window) >= self.per_minute_in_group:
                waits.append(window[0] + 60.0 - now)
        if waits:
            self._buckets[chat_id] = (tokens, now)
            return max(1, math.ceil(max(waits)))
        self._overall.append(now)
        self._buckets[chat_id] = (tokens - 1.0, now)
        if window is not None:
            window.append(now)
        return None


def _expire(window: deque[float], before: float) -> None:
    while window and window[0] <= before:
        window.popleft()
