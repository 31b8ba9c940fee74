"""What members are told about meetings, put in the outbox: reminders, and a facilitator's
cancel or move. Each says what it is about and carries the *current* time and place."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from bot.catalog import Catalog
from bot.events import Actor, Place
from bot.instants import to_epoch_ms
from bot.outbox import Outbox, OutboxMessage
from bot.storage.database import Executor
from groups.meeting_text import describe_when, describe_where, rsvp_buttons
from groups.models import Group
from groups.recurrence import Occurrence

REMINDER_KIND = "reminder"
CHANGE_KIND = "meeting-change"
CHANGE_LIFETIME = timedelta(days=7)


class MeetingNotices:
    def __init__(self, outbox: Outbox, catalog: Catalog) -> None:
        self._outbox = outbox
        self._catalog = catalog

    async def reminders(self, tx: Executor, messages: Sequence[OutboxMessage]) -> int:
        """Queue ``reminder`` messages, many at once; how many were new."""
        return await self._outbox.enqueue_many(tx, messages)

    def reminder(
        self,
        group: Group,
        occurrence: Occurrence,
        offset: timedelta,
        to: Actor | Place,
        *,
        zone: ZoneInfo | None = None,
        not_before: datetime | None = None,
    ) -> OutboxMessage:
        """One reminder: keyed (group, occurrence start, offset, recipient), so it exists
        once; too late once the meeting has started (its not-after). ``zone``: the
        member's own, for the time in the text. ``not_before``: held back until then (the
        end of their quiet hours); if that is after the start, it waits for the start and
        expires there, recorded as not delivered (the outbox takes no window that ends
        before it begins)."""
        key = reminder_for(occurrence, offset, to)
        text = self._catalog.text(
            "meetings.reminder",
            group=group.name,
            when=describe_when(occurrence, self._catalog, zone),
            where=describe_where(occurrence, self._catalog),
            slug=group.slug,
        )
        buttons = rsvp_buttons(self._catalog, group.slug)
        held = None if not_before is None else min(not_before, occurrence.start)
        return OutboxMessage(
            key, REMINDER_KIND, to, text, buttons, not_before=held, not_after=occurrence.start
        )

    async def meeting_changed(
        self,
        tx: Executor,
        group: Group,
        before: Occurrence,
        after: Occurrence,
        member: Actor,
        now: datetime,
        zone: ZoneInfo | None = None,
    ) -> int:
        """``zone``: the member's own, for the times in the text."""
        if after.cancelled:
            text = self._catalog.text(
                "meetings.notice.cancelled",
                group=group.name,
                when=describe_when(before, self._catalog, zone),
                reason=after.reason or self._catalog.text("meetings.no_reason"),
            )
        else:
            text = self._catalog.text(
                "meetings.notice.moved",
                group=group.name,
                before=describe_when(before, self._catalog, zone),
                when=describe_when(after, self._catalog, zone),
                where=describe_where(after, self._catalog),
            )
        stamp = to_epoch_ms(now)
        key = f"{CHANGE_KIND}:{group.slug}:{to_epoch_ms(before.key)}:{stamp}:{member.key}"
        message = OutboxMessage(key, CHANGE_KIND, member, text, not_after=now + CHANGE_LIFETIME)
        return int(await self._outbox.enqueue(tx, message))

    async def reminded(self, db: Executor, occurrence: Occurrence, offset: timedelta) -> set[str]:
        """Keys of the reminders already queued for ``occurrence`` at ``offset``."""
        return await self._outbox.keys_under(db, reminder_key(occurrence, offset))

    async def reminded_each(
        self, db: Executor, due: Sequence[tuple[Occurrence, timedelta]]
    ) -> list[set[str]]:
        """``reminded`` for many (occurrence, offset) pairs at once."""
        return await self._outbox.keys_under_each(db, [reminder_key(o, off) for o, off in due])

    async def withdraw_reminders(self, tx: Executor, occurrence: Occurrence) -> int:
        """Inside ``tx``: reminders of ``occurrence`` still waiting are not sent (it was
        cancelled or moved)."""
        return await self._outbox.withdraw(tx, reminders_of(occurrence))

    async def missed_reminders(self, db: Executor, occurrence: Occurrence) -> int:
        """How many reminders of ``occurrence`` could not reach someone in time."""
        return await self._outbox.undelivered(db, reminders_of(occurrence))


def reminder_for(occurrence: Occurrence, offset: timedelta, to: Actor | Place) -> str:
    """A reminder's dedupe key: (group, occurrence start, offset, recipient)."""
    who = to.key if isinstance(to, Actor) else f"{to.platform}:{to.chat_id}"
    return f"{reminder_key(occurrence, offset)}{who}"


def reminder_key(occurrence: Occurrence, offset: timedelta) -> str:
    """The start of a reminder's dedupe key, recipient not included."""
    minutes = int(offset.total_seconds() // 60)
    return f"{reminders_of(occurrence)}{minutes}m:"


def reminders_of(occurrence: Occurrence) -> str:
    """The start of the dedupe key of every reminder of ``occurrence`` at its current
    start, whatever the offset and the recipient."""
    return f"{REMINDER_KIND}:{occurrence.group_slug}:{to_epoch_ms(occurrence.start)}:"
