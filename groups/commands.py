"""The group sign-up commands, declared once for every platform."""

from __future__ import annotations

from collections.abc import Sequence

from bot.args import Args, ParamSpec
from bot.commands import CommandSpec
from bot.context import Context
from bot.errors import UserError
from bot.replies import Audience, Button, Reply
from bot.text import quote_back
from groups.crisis import HelplineDirectory
from groups.crisis_commands import CrisisHelp
from groups.directory import GroupDirectory
from groups.group_list import PER_PAGE, SEARCH_PARAM, GroupPage, GroupQuery, GroupSearch
from groups.member_settings import MemberSettingsService
from groups.membership import MembershipService
from groups.models import Group, JoinOutcome, Membership, Occupancy, SeatStatus
from groups.schedule import describe_group_schedule

# Optional: without it, /join and /leave offer the choices as buttons.
GROUP_PARAM = ParamSpec("group", "params.group", required=False, rest=True, max_length=100)
MAX_GROUP_BUTTONS = PER_PAGE


class GroupCommands:
    """Handlers for members: finding, joining and leaving groups, and help."""

    def __init__(
        self,
        service: MembershipService,
        directory: GroupDirectory,
        helplines: HelplineDirectory,
        settings: MemberSettingsService,
        *,
        bot_name: str,
    ) -> None:
        self._service = service
        self._directory = directory
        self._helplines = helplines
        self._crisis = CrisisHelp(helplines, settings, directory)
        self._bot_name = bot_name
        self._search = GroupSearch()

    def specs(self) -> list[CommandSpec]:
        return [
            CommandSpec("start", "commands.start", self.start),
            CommandSpec("help", "commands.help", self.help, urgent=True),
            self._crisis.spec(),
            CommandSpec("groups", "commands.groups", self.groups, (SEARCH_PARAM,)),
            CommandSpec("join", "commands.join", self.join, (GROUP_PARAM,)),
            CommandSpec("leave", "commands.leave", self.leave, (GROUP_PARAM,)),
            CommandSpec("mygroups", "commands.mygroups", self.my_groups),
        ]

    async def start(self, ctx: Context, args: Args) -> Reply:
        buttons = (
            Button(ctx.text("buttons.see_groups"), "groups:"),
            Button(ctx.text("buttons.help"), "help:"),
        )
        country = await self._crisis.country_for(ctx.actor, ctx.place)
        pointer = self._helplines.gentle_pointer(country, ctx.catalog)
        return ctx.reply(
            "groups.start",
            audience=Audience.HERE,
            bot=self._bot_name,
            crisis=pointer,
            buttons=buttons,
        )

    async def help(self, ctx: Context, args: Args) -> Reply:
        lines = [
            f"{spec.usage()} — {ctx.text(spec.summary_key)}"
            for spec in ctx.commands.available_to(ctx.role)
        ]
        return ctx.reply(
            "groups.help",
            audience=Audience.HERE,
            bot=self._bot_name,
            commands="\n".join(lines),
            crisis=await self._crisis.text_for(ctx),
        )

    async def groups(self, ctx: Context, args: Args) -> Reply:
        """A page of the groups (of those a search finds); see ``groups.group_list``.
        The first page of all is for everyone in the chat. A search goes to the asker
        alone (the words someone looks for are their own business), and so does a later
        page: one person browsing does not fill a shared chat with pages."""
        query = GroupQuery.parse(args.optional_text("search"))
        page = self._search.page(self._directory.all(), query)
        browsing = bool(query.words) or page.start > 0
        audience = Audience.ONLY_YOU if browsing else Audience.HERE
        words = quote_back(query.words, limit=40)
        if not page.groups:
            key = "groups.list.no_match" if query.words else "groups.list.none"
            return ctx.reply(key, audience=audience, words=words)
        occupancy = await self._service.occupancy_of(page.groups)
        entries = [
            self._group_entry(ctx, g, occupancy.get(g.slug, Occupancy(0, 0))) for g in page.groups
        ]
        if page.found > len(page.groups):
            entries.append(_page_line(ctx, page))
        buttons = _buttons(ctx, "join", page.groups)
        if page.more_action is not None:
            buttons += (Button(ctx.text("buttons.more_groups"), page.more_action),)
        key = "groups.list.found" if query.words else "groups.list.intro"
        return ctx.reply(
            key, audience=audience, entries="\n\n".join(entries), words=words, buttons=buttons
        )

    async def join(self, ctx: Context, args: Args) -> Reply:
        query = args.optional_text("group")
        if query is None:
            buttons = _buttons(ctx, "join", self._directory.all())
            return ctx.reply("groups.join.choose", audience=Audience.ONLY_YOU, buttons=buttons)
        group = self._directory.resolve(query)
        result = await self._service.join(ctx.actor, group)
        params: dict[str, object] = {
            "group": group.name,
            "slug": group.slug,
            "position": result.waitlist_position,
        }
        schedule = describe_group_schedule(group, ctx.catalog)
        if result.outcome is JoinOutcome.SEATED:
            return _only_you(ctx, "groups.join.seated", {**params, "schedule": schedule})
        if result.outcome is JoinOutcome.WAITLISTED:
            return _only_you(ctx, "groups.join.waitlisted", params)
        if result.outcome is JoinOutcome.ALREADY_SEATED:
            return _only_you(ctx, "groups.join.already_seated", params)
        return _only_you(ctx, "groups.join.already_waitlisted", params)

    async def leave(self, ctx: Context, args: Args) -> Reply:
        query = args.optional_text("group")
        if query is None:
            return await self._choose_mine(ctx)
        try:
            group = self._directory.resolve(query)
        except UserError:
            if retired := await self._leave_retired(ctx, query):
                return retired
            raise
        result = await self._service.leave(ctx.actor, group)
        params: dict[str, object] = {"group": group.name, "slug": group.slug}
        if result.previous is None:
            return _only_you(ctx, "groups.leave.not_member", params)
        if result.previous is SeatStatus.WAITLISTED:
            return _only_you(ctx, "groups.leave.from_waitlist", params)
        return _only_you(ctx, "groups.leave.from_seat", params)

    async def _leave_retired(self, ctx: Context, query: str) -> Reply | None:
        """Leaving a group that is no longer in the config: by its exact slug."""
        slug = query.strip().lower()
        if await self._service.leave_retired(ctx.actor, slug) is None:
            return None
        return _only_you(ctx, "groups.leave.from_retired", {"slug": slug})

    async def my_groups(self, ctx: Context, args: Args) -> Reply:
        memberships = await self._service.memberships_of(ctx.actor)
        if not memberships:
            return ctx.reply("groups.mine.none", audience=Audience.ONLY_YOU)
        lines = [self._my_line(ctx, membership) for membership in memberships]
        return ctx.reply("groups.mine.intro", audience=Audience.ONLY_YOU, entries="\n".join(lines))

    async def _choose_mine(self, ctx: Context) -> Reply:
        slugs = {m.group_slug for m in await self._service.memberships_of(ctx.actor)}
        mine = [g for g in self._directory.all() if g.slug in slugs]
        gone = sorted(slugs - {g.slug for g in mine})
        if not mine and not gone:
            return ctx.reply("groups.mine.none", audience=Audience.ONLY_YOU)
        buttons = _buttons(ctx, "leave", mine) + tuple(
            Button(ctx.text("buttons.leave", group=slug), f"leave:{slug}")
            for slug in gone[: max(MAX_GROUP_BUTTONS - len(mine), 0)]
        )
        return ctx.reply("groups.leave.choose", audience=Audience.ONLY_YOU, buttons=buttons)

    def _my_line(self, ctx: Context, membership: Membership) -> str:
        group = self._directory.get(membership.group_slug)
        if group is None:
            return ctx.text("groups.mine.retired", slug=membership.group_slug)
        if membership.status is SeatStatus.WAITLISTED:
            return ctx.text(
                "groups.mine.waiting", group=group.name, position=membership.waitlist_position
            )
        schedule = describe_group_schedule(group, ctx.catalog)
        return ctx.text("groups.mine.seated", group=group.name, schedule=schedule)

    def _group_entry(self, ctx: Context, group: Group, occupancy: Occupancy) -> str:
        left = occupancy.seats_left(group.capacity)
        if left > 0 and occupancy.waiting == 0:
            seats = ctx.text("groups.list.seats_left", left=left, capacity=group.capacity)
        else:
            seats = ctx.text("groups.list.full", waiting=occupancy.waiting)
        where = group.location if not group.online else ctx.text("groups.list.online")
        return ctx.text(
            "groups.list.entry",
            name=group.name,
            slug=group.slug,
            description=group.description,
            schedule=describe_group_schedule(group, ctx.catalog),
            where=where or ctx.text("groups.list.in_person"),
            seats=seats,
        )


def _buttons(ctx: Context, verb: str, groups: Sequence[Group]) -> tuple[Button, ...]:
    """One button per group (at most MAX_GROUP_BUTTONS), e.g. "Join X" -> join:x."""
    return tuple(
        Button(ctx.text(f"buttons.{verb}", group=g.name), f"{verb}:{g.slug}")
        for g in groups[:MAX_GROUP_BUTTONS]
    )


def _page_line(ctx: Context, page: GroupPage) -> str:
    """Which of how many groups this page shows (and, unsearched, how to search)."""
    key = "groups.list.found_page" if page.words else "groups.list.page"
    return ctx.text(key, first=page.start + 1, last=page.last, found=page.found)


def _only_you(ctx: Context, key: str, params: dict[str, object]) -> Reply:
    """About the member themself: only they may see it."""
    return Reply(ctx.text(key, **params), audience=Audience.ONLY_YOU)
