"""Keyed codes for check-ins: HMAC-SHA256 under a key that lives outside the database.

Two codes per member, group and period, from different inputs so neither can be turned
into the other: the *marker* says "this person has checked in" (no second check-in, no
nudge), the *replace tag* finds their own answer to replace while the period is open.
Without the key neither can be tied to anyone: platform ids are small enumerable
numbers, so an unkeyed hash of one would be trivial to reverse.
"""

from __future__ import annotations

import hashlib
import hmac
import json

from bot.events import Actor


class CheckinKeys:
    def __init__(self, key: str) -> None:
        if not key:
            raise ValueError("a check-in key must not be empty")
        self._key = key.encode()

    def marker(self, actor: Actor, group: str, period: str) -> str:
        return self._code("marker", actor, group, period)

    def replace_tag(self, actor: Actor, group: str, period: str) -> str:
        return self._code("replace", actor, group, period)

    def _code(self, purpose: str, actor: Actor, group: str, period: str) -> str:
        # JSON keeps the parts apart whatever characters an id holds.
        message = json.dumps([purpose, actor.platform, actor.user_id, group, period])
        return hmac.new(self._key, message.encode(), hashlib.sha256).hexdigest()
