"""Facilitator commands: who is in my group, and taking someone off it."""

from __future__ import annotations

from bot.commands import Args, CommandSpec, ParamSpec
from bot.context import Context
from bot.errors import UserError
from bot.events import Actor
from bot.permissions import Role
from bot.replies import Reply
from bot.text import quote_back
from groups.directory import GroupDirectory
from groups.membership import MembershipService
from groups.models import Group, Membership, SeatStatus
from groups.notices import MembershipNotices

ROSTER_GROUP = ParamSpec("group", "params.group", rest=True, max_length=100)
REMOVE_GROUP = ParamSpec("group", "params.group", max_length=100)
REMOVE_MEMBER = ParamSpec("member", "params.member", rest=True, max_length=100)


def authorize_facilitator(ctx: Context, group: Group) -> None:
    """Organizers may act on every group; facilitators only on the groups they run (named
    in config, or granted by the platform where the group lives)."""
    if ctx.role >= Role.ORGANIZER or group.is_facilitator(ctx.actor):
        return
    if ctx.platform_role >= Role.FACILITATOR and group.lives_in(ctx.place):
        return
    raise UserError("groups.roster.not_your_group", group=group.name)


class RosterCommands:
    def __init__(
        self, service: MembershipService, directory: GroupDirectory, notices: MembershipNotices
    ) -> None:
        self._service = service
        self._directory = directory
        self._notices = notices

    def specs(self) -> list[CommandSpec]:
        return [
            CommandSpec(
                "roster", "commands.roster", self.roster, (ROSTER_GROUP,), Role.FACILITATOR
            ),
            CommandSpec(
                "remove",
                "commands.remove",
                self.remove,
                (REMOVE_GROUP, REMOVE_MEMBER),
                Role.FACILITATOR,
            ),
        ]

    async def roster(self, ctx: Context, args: Args) -> Reply:
        group = self._directory.resolve(args.text("group"))
        authorize_facilitator(ctx, group)
        members = await self._service.roster(group)
        seated = [m for m in members if m.status is SeatStatus.SEATED]
        waiting = [m for m in members if m.status is SeatStatus.WAITLISTED]
        return ctx.reply(
            "groups.roster.list",
            private=True,
            group=group.name,
            seated_count=len(seated),
            capacity=group.capacity,
            seated=_lines(ctx, seated, "groups.roster.seated_line")
            or ctx.text("groups.roster.nobody"),
            waiting_count=len(waiting),
            waiting=_lines(ctx, waiting, "groups.roster.waiting_line")
            or ctx.text("groups.roster.nobody"),
            slug=group.slug,
        )

    async def remove(self, ctx: Context, args: Args) -> Reply:
        group = self._directory.resolve(args.text("group"))
        authorize_facilitator(ctx, group)
        member = _find_member(await self._service.roster(group), args.text("member"))
        result = await self._service.leave(member, group)
        if result.previous is None:  # someone else removed them a moment ago
            return ctx.reply("groups.roster.already_gone", private=True, group=group.name)
        await self._notices.removed(group, member)
        await self._notices.seats_given(group, result.promoted)
        return ctx.reply(
            "groups.roster.removed",
            private=True,
            member=quote_back(member.display_name, 40),
            group=group.name,
            promoted=len(result.promoted),
        )


def _lines(ctx: Context, memberships: list[Membership], key: str) -> str:
    return "\n".join(
        ctx.text(
            key,
            name=quote_back(m.member.display_name, 40),
            key=m.member.key,
            position=m.waitlist_position,
        )
        for m in memberships
    )


def _find_member(memberships: list[Membership], query: str) -> Actor:
    """Match by ``platform:id`` exactly, else by display name (any case, unique prefix)."""
    wanted = query.strip().casefold().lstrip("@")
    people = [m.member for m in memberships]
    for person in people:
        if person.key.casefold() == wanted:
            return person
    named = [p for p in people if p.display_name.casefold() == wanted]
    if not named:
        named = [p for p in people if p.display_name.casefold().startswith(wanted)]
    if len(named) == 1:
        return named[0]
    if named:
        options = ", ".join(p.key for p in named)
        raise UserError("groups.roster.ambiguous_member", member=quote_back(query), options=options)
    raise UserError("groups.roster.unknown_member", member=quote_back(query))
