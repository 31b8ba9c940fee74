"""What Telegram grants a person in a group chat: its owner and administrators may count
as facilitators there (``[telegram] admins_are_facilitators``).

The grant is never more than FACILITATOR, and the core applies it only to groups that
live in that very chat. Answers are kept for a minute per (chat, person), so a busy
chat does not ask Telegram on every message; any failure grants nothing (and is logged).
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable

from telegram import ChatMember
from telegram.constants import ChatMemberStatus

from adapters.telegram.sender import Sender
from bot.errors import log_incident, new_incident_id
from bot.roles import Role

logger = logging.getLogger(__name__)

ADMIN_STATUSES = frozenset({ChatMemberStatus.OWNER, ChatMemberStatus.ADMINISTRATOR})
MAX_REMEMBERED = 10_000


class ChatAdmins:
    def __init__(
        self, sender: Sender, *, ttl: float = 60.0, clock: Callable[[], float] = time.monotonic
    ) -> None:
        self._sender = sender
        self._ttl = ttl
        self._clock = clock
        self._known: dict[tuple[int, int], tuple[float, Role]] = {}

    async def role(self, chat_id: int, user_id: int) -> Role:
        now = self._clock()
        known = self._known.get((chat_id, user_id))
        if known is not None and known[0] > now:
            return known[1]
        try:
            member = await self._ask(chat_id, user_id)
        except Exception as error:
            log_incident(logger, new_incident_id(), "telegram chat member", error)
            return Role.MEMBER
        role = Role.FACILITATOR if member.status in ADMIN_STATUSES else Role.MEMBER
        self._remember((chat_id, user_id), now, role)
        return role

    async def _ask(self, chat_id: int, user_id: int) -> ChatMember:
        """One try only: a person waiting for an answer should not wait out retries."""
        bot = await self._sender.ready()
        return await bot.get_chat_member(chat_id, user_id)

    def _remember(self, key: tuple[int, int], now: float, role: Role) -> None:
        if len(self._known) >= MAX_REMEMBERED:
            self._known = {k: v for k, v in self._known.items() if v[0] > now}
            if len(self._known) >= MAX_REMEMBERED:
                self._known.clear()
        self._known[key] = (now + self._ttl, role)
