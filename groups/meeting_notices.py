"""What members are told about meetings, put in the outbox: reminders, and a facilitator's
cancel or move. Each says what it is about and carries the *current* time and place."""

from __future__ import annotations

from datetime import datetime, timedelta

from bot.catalog import Catalog
from bot.events import Actor, Place
from bot.instants import to_epoch_ms
from bot.outbox import Outbox, OutboxMessage
from bot.replies import Button
from bot.storage.database import Executor
from groups.meeting_text import describe_when, describe_where
from groups.models import Group
from groups.recurrence import Occurrence

REMINDER_KIND = "reminder"
CHANGE_KIND = "meeting-change"
CHANGE_LIFETIME = timedelta(days=7)


class MeetingNotices:
    def __init__(self, outbox: Outbox, catalog: Catalog) -> None:
        self._outbox = outbox
        self._catalog = catalog

    async def reminder(
        self,
        tx: Executor,
        group: Group,
        occurrence: Occurrence,
        offset: timedelta,
        to: Actor | Place,
    ) -> bool:
        """One reminder: keyed (group, occurrence start, offset, recipient), so it exists
        once; too late once the meeting has started (its not-after)."""
        who = to.key if isinstance(to, Actor) else f"{to.platform}:{to.chat_id}"
        key = f"{reminder_key(occurrence, offset)}{who}"
        text = self._catalog.text(
            "meetings.reminder",
            group=group.name,
            when=describe_when(occurrence, self._catalog),
            where=describe_where(occurrence, self._catalog),
            slug=group.slug,
        )
        buttons = tuple(
            Button(self._catalog.text(f"buttons.rsvp_{answer}"), f"rsvp:{group.slug} {answer}")
            for answer in ("yes", "no", "maybe")
        )
        message = OutboxMessage(key, REMINDER_KIND, to, text, buttons, not_after=occurrence.start)
        return await self._outbox.enqueue(tx, message)

    async def meeting_changed(
        self,
        tx: Executor,
        group: Group,
        before: Occurrence,
        after: Occurrence,
        member: Actor,
        now: datetime,
    ) -> int:
        if after.cancelled:
            text = self._catalog.text(
                "meetings.notice.cancelled",
                group=group.name,
                when=describe_when(before, self._catalog),
                reason=after.reason or self._catalog.text("meetings.no_reason"),
            )
        else:
            text = self._catalog.text(
                "meetings.notice.moved",
                group=group.name,
                before=describe_when(before, self._catalog),
                when=describe_when(after, self._catalog),
                where=describe_where(after, self._catalog),
            )
        stamp = to_epoch_ms(now)
        key = f"{CHANGE_KIND}:{group.slug}:{to_epoch_ms(before.key)}:{stamp}:{member.key}"
        message = OutboxMessage(key, CHANGE_KIND, member, text, not_after=now + CHANGE_LIFETIME)
        return int(await self._outbox.enqueue(tx, message))

    async def withdraw(self, tx: Executor, key_prefix: str) -> int:
        return await self._outbox.withdraw(tx, key_prefix)

    async def not_delivered(self, db: Executor, key_prefix: str) -> int:
        return await self._outbox.undelivered(db, key_prefix)


def reminder_key(occurrence: Occurrence, offset: timedelta) -> str:
    """The start of a reminder's dedupe key, recipient not included."""
    start = to_epoch_ms(occurrence.start)
    minutes = int(offset.total_seconds() // 60)
    return f"{REMINDER_KIND}:{occurrence.group_slug}:{start}:{minutes}m:"
