"""/announce: a facilitator's message to everyone in the places their group lives (its
Telegram chat, its Discord channel) and, privately, to seated members who asked for
copies (``/settings announcements on``), through the outbox, so it is sent once and
paced like every other message the bot sends on its own."""

from __future__ import annotations

from datetime import timedelta
from zoneinfo import ZoneInfo

from bot.args import Args, ParamSpec
from bot.clock import Clock
from bot.commands import CommandSpec
from bot.context import Context
from bot.errors import UserError
from bot.events import Actor, Place
from bot.flood import WindowLimit
from bot.instants import to_epoch_ms
from bot.outbox import Outbox, OutboxMessage, Target
from bot.replies import Audience, Reply
from bot.roles import Role
from bot.storage.database import Database, Executor
from groups.directory import GroupDirectory
from groups.member_settings import MemberSettingsService
from groups.membership_repo import MembershipRepository
from groups.models import Group, SeatStatus
from groups.roster import authorize_facilitator

KIND = "announcement"
MAX_ANNOUNCEMENT = 1000
PER_GROUP_PER_HOUR = 5  # however many facilitators a group has
GROUP = ParamSpec("group", "params.group", max_length=100)
TEXT = ParamSpec("text", "params.announcement", rest=True, max_length=MAX_ANNOUNCEMENT)


class Announcements:
    def __init__(
        self,
        db: Database,
        outbox: Outbox,
        directory: GroupDirectory,
        clock: Clock,
        settings: MemberSettingsService,
    ) -> None:
        self._db = db
        self._outbox = outbox
        self._directory = directory
        self._clock = clock
        self._settings = settings
        self._members = MembershipRepository()
        self._sent = WindowLimit(PER_GROUP_PER_HOUR, timedelta(hours=1))

    def specs(self) -> list[CommandSpec]:
        return [
            CommandSpec(
                "announce", "commands.announce", self.announce, (GROUP, TEXT), Role.FACILITATOR
            )
        ]

    async def announce(self, ctx: Context, args: Args) -> Reply:
        group = self._directory.resolve(args.text("group"))
        authorize_facilitator(ctx, group)
        text = ctx.text("announce.message", group=group.name, text=args.text("text").strip())
        self._check_limit(group)
        stamp = to_epoch_ms(self._clock.now())
        async with self._db.transaction() as tx:
            targets: list[Target] = [*group_places(group), *await self._opted_in(tx, group)]
            if not targets:
                raise UserError("announce.nowhere", group=group.name)
            for target in targets:
                key = f"{KIND}:{group.slug}:{stamp}:{_who(target)}"
                await self._outbox.enqueue(tx, OutboxMessage(key, KIND, target, text))
        self._sent.take(group.slug, self._clock.now())  # counted once it is queued
        places = sum(isinstance(target, Place) for target in targets)
        return ctx.reply(
            "announce.done",
            audience=Audience.ONLY_YOU,
            group=group.name,
            places=places,
            people=len(targets) - places,
        )

    def _check_limit(self, group: Group) -> None:
        """Refuse another announcement for ``group`` beyond the hour's limit."""
        now = self._clock.now()
        if self._sent.used(group.slug, now) < PER_GROUP_PER_HOUR:
            return
        zone = ZoneInfo(group.timezone)
        free = self._sent.free_at(group.slug, now).astimezone(zone)
        raise UserError(
            "limits.announce.too_many",
            group=group.name,
            count=PER_GROUP_PER_HOUR,
            time=f"{free:%H:%M}",
            zone=zone.key,
        )

    async def _opted_in(self, tx: Executor, group: Group) -> list[Actor]:
        """Seated members who asked for private copies of announcements."""
        found = await self._settings.of_group(tx, group.slug)
        return [
            m.member
            for m in await self._members.of_group(tx, group.slug)
            if m.status is SeatStatus.SEATED
            and self._settings.for_member(found, m.member).announcements
        ]


def _who(target: Target) -> str:
    return target.key if isinstance(target, Actor) else f"{target.platform}:{target.chat_id}"


def group_places(group: Group) -> list[Place]:
    """The shared chats the group lives in (the console has none to post to)."""
    return [
        Place(home.platform, home.chat_id, private=False, guild_id=home.guild_id)
        for home in group.homes
        if home.chat_id is not None
    ]
