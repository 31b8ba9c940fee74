"""/announce: a facilitator's message to everyone in the places their group lives (its
Telegram chat, its Discord channel), through the outbox, so it is sent once and paced
like every other message the bot sends on its own."""

from __future__ import annotations

from bot.args import Args, ParamSpec
from bot.clock import Clock
from bot.commands import CommandSpec
from bot.context import Context
from bot.errors import UserError
from bot.events import Place
from bot.instants import to_epoch_ms
from bot.outbox import Outbox, OutboxMessage
from bot.replies import Audience, Reply
from bot.roles import Role
from bot.storage.database import Database
from groups.directory import GroupDirectory
from groups.models import Group
from groups.roster import authorize_facilitator

KIND = "announcement"
MAX_ANNOUNCEMENT = 1000
GROUP = ParamSpec("group", "params.group", max_length=100)
TEXT = ParamSpec("text", "params.announcement", rest=True, max_length=MAX_ANNOUNCEMENT)


class Announcements:
    def __init__(
        self, db: Database, outbox: Outbox, directory: GroupDirectory, clock: Clock
    ) -> None:
        self._db = db
        self._outbox = outbox
        self._directory = directory
        self._clock = clock

    def specs(self) -> list[CommandSpec]:
        return [
            CommandSpec(
                "announce", "commands.announce", self.announce, (GROUP, TEXT), Role.FACILITATOR
            )
        ]

    async def announce(self, ctx: Context, args: Args) -> Reply:
        group = self._directory.resolve(args.text("group"))
        authorize_facilitator(ctx, group)
        places = group_places(group)
        if not places:
            raise UserError("announce.nowhere", group=group.name)
        text = ctx.text("announce.message", group=group.name, text=args.text("text").strip())
        stamp = to_epoch_ms(self._clock.now())
        async with self._db.transaction() as tx:
            for place in places:
                key = f"{KIND}:{group.slug}:{stamp}:{place.platform}:{place.chat_id}"
                await self._outbox.enqueue(tx, OutboxMessage(key, KIND, place, text))
        return ctx.reply(
            "announce.done", audience=Audience.ONLY_YOU, group=group.name, places=len(places)
        )


def group_places(group: Group) -> list[Place]:
    """The shared chats the group lives in (the console has none to post to)."""
    return [
        Place(home.platform, home.chat_id, private=False, guild_id=home.guild_id)
        for home in group.homes
        if home.chat_id is not None
    ]
