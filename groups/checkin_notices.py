"""The private messages check-ins cause: the "check-in is open" prompt to members, the
release to facilitators, and a member's request to be contacted.

A release names no one and carries only what ``compute_release`` allowed. A contact
request carries the member's name and nothing of any check-in.
"""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from bot.catalog import Catalog
from bot.events import Actor
from bot.outbox import Outbox, OutboxMessage
from bot.replies import Button
from bot.storage.database import Executor
from groups.checkin_periods import Period
from groups.checkin_release import release_notes, release_summary
from groups.checkin_store import Release
from groups.facilitator_notices import FacilitatorNotices
from groups.models import Group

KIND = "checkin"


class CheckinNotices:
    def __init__(self, outbox: Outbox, catalog: Catalog) -> None:
        self._outbox = outbox
        self._catalog = catalog
        self._facilitators = FacilitatorNotices(outbox)

    async def prompt(
        self,
        tx: Executor,
        group: Group,
        period: Period,
        member: Actor,
        *,
        not_before: datetime | None = None,
    ) -> bool:
        """One "check-in is open" message per member and period, gone at close."""
        closes = period.closes.astimezone(ZoneInfo(group.timezone))
        text = self._catalog.text(
            "checkins.prompt", group=group.name, closes=f"{closes:%A %-d %B, %H:%M}"
        )
        button = Button(self._catalog.text("checkins.buttons.check_in"), f"checkin:{group.slug}")
        message = OutboxMessage(
            dedupe_key=f"checkin-prompt:{group.slug}:{period.name}:{member.key}",
            kind=KIND,
            target=member,
            text=text,
            buttons=(button,),
            not_before=not_before,
            not_after=period.closes,
        )
        return await self._outbox.enqueue(tx, message)

    async def release(self, tx: Executor, group: Group, release: Release, now: datetime) -> int:
        zone = ZoneInfo(group.timezone)
        text = release_summary(group, release, self._catalog, zone)
        notes = release_notes(release, self._catalog)
        if notes:
            text = f"{text}\n\n{notes}"
        text = f"{text}\n\n{self._catalog.text('checkins.release.footer', slug=group.slug)}"
        key = f"checkin-release:{group.slug}:{release.period}"
        return await self._facilitators.tell(tx, group, key, text, when=now)

    async def contact_request(
        self, tx: Executor, group: Group, member: Actor, day: str, now: datetime
    ) -> int:
        text = self._catalog.text(
            "checkins.contact.to_facilitators",
            name=member.display_name,
            platform=member.platform,
            group=group.name,
        )
        key = f"contact:{group.slug}:{member.key}:{day}"
        return await self._facilitators.tell(tx, group, key, text, when=now)
