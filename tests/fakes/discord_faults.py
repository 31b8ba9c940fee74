"""Faults the fake Discord API injects on request: a 429 with Discord's headers, a 500,
or any error code, for the next calls to a route."""

from __future__ import annotations

from dataclasses import dataclass

from aiohttp import web

from tests.fakes.discord_checks import ApiError, json_answer


@dataclass
class Fault:
    route: str  # "POST /channels/{channel_id}/messages"
    status: int
    times: int = 1
    retry_after: float = 1.0  # for a 429
    code: int = 0
    is_global: bool = False


class FaultBook:
    def __init__(self) -> None:
        self._faults: list[Fault] = []

    def add(self, fault: Fault) -> None:
        self._faults.append(fault)

    def take(self, route: str) -> Fault | None:
        for fault in self._faults:
            if fault.route == route and fault.times > 0:
                fault.times -= 1
                return fault
        return None

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
