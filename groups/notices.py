"""Private messages the bot sends on its own about membership changes."""

from __future__ import annotations

from collections.abc import Sequence

from bot.catalog import Catalog
from bot.events import Actor
from bot.messenger import DeliveryOutcome, Messenger
from bot.replies import Audience, Reply
from groups.models import Group, Membership
from groups.schedule import describe_group_schedule


class MembershipNotices:
    def __init__(self, messenger: Messenger, catalog: Catalog) -> None:
        self._messenger = messenger
        self._catalog = catalog

    async def seat_offered(self, group: Group, membership: Membership) -> DeliveryOutcome:
        text = self._catalog.text(
            "groups.notice.promoted",
            group=group.name,
            schedule=describe_group_schedule(group, self._catalog),
            slug=group.slug,
        )
        return await self._messenger.send_private(
            membership.member, Reply(text, audience=Audience.PRIVATE_MESSAGE)
        )

    async def seats_given(self, group: Group, promoted: Sequence[Membership]) -> None:
        for membership in promoted:
            await self.seat_offered(group, membership)

    async def removed(self, group: Group, member: Actor) -> DeliveryOutcome:
        text = self._catalog.text("groups.notice.removed", group=group.name)
        return await self._messenger.send_private(
            member, Reply(text, audience=Audience.PRIVATE_MESSAGE)
        )
