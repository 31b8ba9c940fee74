"""Faults the fake Discord API injects on request: a 429 with Discord's headers, a 500,
or any error code, for the next calls to a route; a dropped connection (``DROP``: closed
before the fake acts, ``DROP_AFTER``: after it acted); and faults drawn at random rates
(``RandomFaults``), for a soak."""

from __future__ import annotations

import random
from collections import Counter
from dataclasses import dataclass, field

from aiohttp import web

from tests.fakes.discord_checks import ApiError, json_answer

DROP = 0  # a Fault's status: the connection closes without an answer, nothing done
DROP_AFTER = -1  # the route is carried out, then the connection closes unanswered


@dataclass
class Fault:
    route: str  # "POST /channels/{channel_id}/messages"
    status: int  # or DROP, DROP_AFTER
    times: int = 1
    retry_after: float = 1.0  # for a 429
    code: int = 0
    is_global: bool = False


@dataclass
class RandomFaults:
    """Faults drawn at random, call by call, for ``routes`` (every route if None), each
    kind at its own rate (0.05 is 5 %). ``counts`` tallies them ("429 POST /...")."""

    seed: int = 0
    too_many: float = 0.0
    server_error: float = 0.0
    drop: float = 0.0
    drop_after: float = 0.0
    retry_after: tuple[float, float] = (0.05, 0.2)
    routes: frozenset[str] | None = None
    counts: Counter[str] = field(default_factory=Counter)
    enabled: bool = True

    def __post_init__(self) -> None:
        self._rng = random.Random(self.seed)

    def draw(self, route: str) -> Fault | None:
        if not self.enabled or (self.routes is not None and route not in self.routes):
            return None
        roll = self._rng.random()
        for status, name, rate in (
            (429, "429", self.too_many),
            (500, "500", self.server_error),
            (DROP, "drop", self.drop),
            (DROP_AFTER, "drop_after", self.drop_after),
        ):
            if roll < rate:
                self.counts[f"{name} {route}"] += 1
                wait = round(self._rng.uniform(*self.retry_after), 3)
                return Fault(route, status, 0, retry_after=wait)
            roll -= rate
        return None

    def total(self, kind: str) -> int:
        """Faults of ``kind`` ("429", "500", "drop", "drop_after") injected so far."""
        return sum(n for key, n in self.counts.items() if key.split(" ")[0] == kind)


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


def too_many_requests(retry_after: float, *, is_global: bool = False) -> web.Response:
    """A 429 as Discord sends it: the wait in the body and the headers, and the
    ``Via`` header that tells it from a Cloudflare ban (discord.py checks for it)."""
    body = {
        "message": "You are being rate limited.",
        "retry_after": retry_after,
        "global": is_global,
    }
    headers = {
        "Retry-After": str(max(1, round(retry_after))),
        "X-RateLimit-Limit": "5",
        "X-RateLimit-Remaining": "0",
        "X-RateLimit-Reset-After": f"{retry_after:.3f}",
        "X-RateLimit-Bucket": "fakebucket",
        "X-RateLimit-Scope": "global" if is_global else "user",
        "Via": "1.1 google",
    }
    if is_global:
        headers["X-RateLimit-Global"] = "true"
    return json_answer(body, status=429, headers=headers)
