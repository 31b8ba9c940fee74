"""Private messages the bot sends on its own about membership changes.

Each is put in the outbox inside the transaction that made the change, so a committed
seat offer always has its message, sent once, even across a crash or a restart.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from bot.catalog import Catalog
from bot.events import Actor
from bot.instants import to_epoch_ms
from bot.outbox import Outbox, OutboxMessage
from bot.storage.database import Executor
from groups.models import Group
from groups.schedule import describe_group_schedule

KIND = "membership"
NOTICE_LIFETIME = timedelta(days=7)  # a week-old seat offer is better not sent at all


class MembershipNotices:
    def __init__(self, outbox: Outbox, catalog: Catalog) -> None:
        self._outbox = outbox
        self._catalog = catalog

    async def seat_offered(
        self, tx: Executor, group: Group, member: Actor, seated_at: datetime
    ) -> bool:
        """Tell ``member`` they have a seat; one message per seat given, however often
        this runs (the key names the seat by when it was given)."""
        text = self._catalog.text(
            "groups.notice.promoted",
            group=group.name,
            schedule=describe_group_schedule(group, self._catalog),
            slug=group.slug,
        )
        key = f"seat-offer:{group.slug}:{member.key}:{to_epoch_ms(seated_at)}"
        return await self._enqueue(tx, key, member, text, seated_at)

    async def removed(self, tx: Executor, group: Group, member: Actor, when: datetime) -> bool:
        text = self._catalog.text("groups.notice.removed", group=group.name)
        key = f"removed:{group.slug}:{member.key}:{to_epoch_ms(when)}"
        return await self._enqueue(tx, key, member, text, when)

    async def unreachable_among(self, db: Executor, people: list[Actor]) -> set[str]:
        return await self._outbox.unreachable_among(db, people)

    async def _enqueue(
        self, tx: Executor, key: str, member: Actor, text: str, when: datetime
    ) -> bool:
        message = OutboxMessage(
            dedupe_key=key,
            kind=KIND,
            target=member,
            text=text,
            not_after=when + NOTICE_LIFETIME,
        )
        return await self._outbox.enqueue(tx, message)
