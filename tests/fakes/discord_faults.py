"""Faults the fake Discord API injects on request: a 429 with Discord's headers, a 500,
or any error code, for the next calls to a route; a dropped connection (``DROP``: closed
before the fake acts, ``DROP_AFTER``: after it acted); faults drawn at random rates
(``RandomFaults``), for a soak; and Discord's rate limits, enforced when asked
(``RateLimits``)."""

from __future__ import annotations

import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass

from aiohttp import web

from tests.fakes.discord_checks import ApiError, json_answer
from tests.fakes.fault_rates import FaultRates

DROP = 0  # a Fault's status: the connection closes without an answer, nothing done
DROP_AFTER = -1  # the route is carried out, then the connection closes unanswered
STATUSES = {"429": 429, "500": 500, "drop": DROP, "drop_after": DROP_AFTER}  # by drawn kind


@dataclass
class Fault:
    route: str  # "POST /channels/{channel_id}/messages"
    status: int  # or DROP, DROP_AFTER
    times: int = 1
    retry_after: float = 1.0  # for a 429
    code: int = 0
    is_global: bool = False


@dataclass
class RandomFaults(FaultRates):
    """``FaultRates`` for the calls to ``routes`` (every route if None)."""

    routes: frozenset[str] | None = None

    def draw(self, route: str) -> Fault | None:
        drawn = self.roll(route, self.routes)
        if drawn is None:
            return None
        kind, wait = drawn
        return Fault(route, STATUSES[kind], 0, retry_after=wait)


class FaultBook:
    def __init__(self) -> None:
        self._faults: list[Fault] = []
        self.random: RandomFaults | None = None  # drawn when no fault set up matches

    def add(self, fault: Fault) -> None:
        self._faults.append(fault)

    def take(self, route: str) -> Fault | None:
        for fault in self._faults:
            if fault.route == route and fault.times > 0:
                fault.times -= 1
                return fault
        return None if self.random is None else self.random.draw(route)

    @property
    def pending(self) -> int:
        return sum(fault.times for fault in self._faults)


def fault_response(fault: Fault) -> tuple[web.Response, int | None]:
    """The answer for ``fault``, and the Discord error code it carries."""
    if fault.status == 429:
        return too_many_requests(fault.retry_after, is_global=fault.is_global), None
    if fault.status >= 500:
        body = {"message": f"{fault.status}: Internal Server Error", "code": 0}
        return json_answer(body, status=fault.status), 0
    error = ApiError(fault.status, fault.code, "injected error")
    return json_answer(error.json(), status=fault.status), fault.code


def too_many_requests(
    retry_after: float, *, is_global: bool = False, limit: int = 5, bucket: str = "fakebucket"
) -> web.Response:
    """A 429 as Discord sends it: the wait in the body and the headers, and the
    ``Via`` header that tells it from a Cloudflare ban (discord.py checks for it)."""
    retry_after = round(max(retry_after, 0.001), 3)
    body = {
        "message": "You are being rate limited.",
        "retry_after": retry_after,
        "global": is_global,
    }
    headers = {
        "Retry-After": str(max(1, round(retry_after))),
        "X-RateLimit-Limit": str(limit),
        "X-RateLimit-Remaining": "0",
        "X-RateLimit-Reset-After": f"{retry_after:.3f}",
        "X-RateLimit-Bucket": bucket,
        "X-RateLimit-Scope": "global" if is_global else "user",
        "Via": "1.1 google",
    }
    if is_global:
        headers["X-RateLimit-Global"] = "true"
    return json_answer(body, status=429, headers=headers)


# -- Discord's rate limits, enforced on request (``FakeDiscordApi.enforce_rate_limits``) --

GLOBAL_PER_SECOND = 50
MESSAGES_IN_CHANNEL = (5, 5.0)  # 5 messages per 5 seconds in a channel
MAJOR_PARAMETERS = ("channel_id", "guild_id", "webhook_id", "token")


@dataclass(frozen=True, slots=True)
class Bucket:
    """A per-route limit: ``limit`` calls per ``per`` seconds, counted separately for
    each value of the route's major parameter (its channel, server, webhook or
    interaction token)."""

    name: str  # X-RateLimit-Bucket
    limit: int
    per: float


DEFAULT_BUCKETS: dict[str, Bucket] = {
    "POST /channels/{channel_id}/messages": Bucket("messages-post", *MESSAGES_IN_CHANNEL),
    "PATCH /channels/{channel_id}/messages/{message_id}": Bucket(
        "messages-edit", *MESSAGES_IN_CHANNEL
    ),
    "DELETE /channels/{channel_id}/messages/{message_id}": Bucket("messages-delete", 5, 1.0),
    # an interaction's own messages, edited through its webhook (exempt from the global
    # limit, not from this one): per interaction
    "PATCH /webhooks/{app}/{token}/messages/{message_id}": Bucket(
        "webhook-edit", *MESSAGES_IN_CHANNEL
    ),
}


@dataclass
class _Window:
    started: float
    used: int = 0


@dataclass(frozen=True, slots=True)
class Admission:
    """What the limits said about one call: its 429 (None: let through) and the
    X-RateLimit headers to send with its answer."""

    refusal: web.Response | None
    headers: dict[str, str]


class RateLimits:
    """Discord's documented limits for a bot's REST calls, as Discord answers them:

    - **global**: ``per_second`` calls in any one second (a sliding window) for calls
      made with the bot's token; interaction responses and follow-ups (no token: the
      interaction's own) are exempt, as on Discord. Past it: a 429 with ``global``
      true and ``X-RateLimit-Global``, which makes discord.py hold every call;
    - **per route** (``buckets``): fixed windows of ``limit`` calls per ``per`` seconds
      for each channel (server, webhook). Every answer on such a route carries the
      ``X-RateLimit-*`` headers discord.py paces itself by; past it, a 429 naming the
      bucket, with ``retry_after`` until the window ends.

    A refused call uses up nothing.
    """

    def __init__(
        self,
        clock: Callable[[], float],
        *,
        per_second: int = GLOBAL_PER_SECOND,
        buckets: dict[str, Bucket] | None = None,
    ) -> None:
        self._clock = clock
        self.per_second = per_second
        self.buckets = dict(DEFAULT_BUCKETS if buckets is None else buckets)
        self._recent: deque[float] = deque()
        self._windows: dict[tuple[str, str], _Window] = {}
        self.refused_global = 0
        self.refused_route = 0

    def admit(self, route: str, params: dict[str, str], *, authorized: bool) -> Admission:
        now = self._clock()
        bucket = self.buckets.get(route)
        window = self._window(bucket, params, now) if bucket is not None else None
        if authorized:
            while self._recent and self._recent[0] <= now - 1.0:
                self._recent.popleft()
            if len(self._recent) >= self.per_second:
                self.refused_global += 1
                wait = self._recent[0] + 1.0 - now
                return Admission(too_many_requests(wait, is_global=True), {})
        if bucket is not None and window is not None:
            if window.used >= bucket.limit:
                self.refused_route += 1
                wait = window.started + bucket.per - now
                refusal = too_many_requests(wait, limit=bucket.limit, bucket=bucket.name)
                return Admission(refusal, {})
            window.used += 1
        if authorized:
            self._recent.append(now)
        headers = {} if bucket is None or window is None else _headers(bucket, window, now)
        return Admission(None, headers)

    def _window(self, bucket: Bucket, params: dict[str, str], now: float) -> _Window:
        major = next((params[name] for name in MAJOR_PARAMETERS if name in params), "")
        key = (bucket.name, major)
        window = self._windows.get(key)
        if window is None or now >= window.started + bucket.per:
            window = self._windows[key] = _Window(now)
        return window


def _headers(bucket: Bucket, window: _Window, now: float) -> dict[str, str]:
    reset_after = max(0.0, window.started + bucket.per - now)
    return {
        "X-RateLimit-Limit": str(bucket.limit),
        "X-RateLimit-Remaining": str(max(0, bucket.limit - window.used)),
        "X-RateLimit-Reset": f"{time.time() + reset_after:.3f}",
        "X-RateLimit-Reset-After": f"{reset_after:.3f}",
        "X-RateLimit-Bucket": bucket.name,
    }
