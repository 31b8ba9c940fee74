"""Private messages to a group's facilitators: contact requests, support alerts and
check-in releases.

Only the facilitators named in the group's config can be reached: a platform grant (a
Telegram chat admin) makes someone a facilitator while they speak in the group's chat,
but gives the bot no private chat to write to. Each message goes into the outbox inside
the caller's transaction, one per facilitator, keyed so that replaying the cause never
sends it twice.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from bot.events import Actor
from bot.outbox import Outbox, OutboxMessage
from bot.replies import Button
from bot.storage.database import Executor
from groups.models import Group

KIND = "facilitator"
NOTICE_LIFETIME = timedelta(days=7)


def facilitators_of(group: Group) -> tuple[Actor, ...]:
    """The group's configured facilitators as people the bot can write to, in a fixed
    order (their keys are ``platform:user_id``)."""
    people = []
    for key in sorted(group.facilitators):
        platform, _, user_id = key.partition(":")
        people.append(Actor(platform, user_id, user_id))
    return tuple(people)


class FacilitatorNotices:
    def __init__(self, outbox: Outbox) -> None:
        self._outbox = outbox

    async def tell(
        self,
        tx: Executor,
        group: Group,
        key: str,
        text: str,
        *,
        when: datetime,
        not_before: datetime | None = None,
        buttons: tuple[Button, ...] = (),
    ) -> int:
        """Queue ``text`` for each facilitator of ``group``; ``key`` names the message
        (the facilitator's key is appended). Returns how many were newly queued (0 when
        the group names no facilitator, or every copy was queued before)."""
        queued = 0
        start = not_before or when
        for facilitator in facilitators_of(group):
            message = OutboxMessage(
                dedupe_key=f"{key}:{facilitator.key}",
                kind=KIND,
                target=facilitator,
                text=text,
                buttons=buttons,
                not_before=not_before,
                not_after=start + NOTICE_LIFETIME,
            )
            queued += await self._outbox.enqueue(tx, message)
        return queued
