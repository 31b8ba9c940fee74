"""Facilitator commands: who is in my group, and taking someone off it."""

from __future__ import annotations

from bot.args import Args, ParamSpec
from bot.commands import CommandSpec
from bot.context import Context
from bot.errors import UserError
from bot.replies import Audience, Reply
from bot.roles import Role
from bot.text import quote_back
from groups.directory import GroupDirectory
from groups.membership import MembershipService
from groups.models import Group, Membership, SeatStatus
from groups.removal import RemovalMatch, match_member

ROSTER_GROUP = ParamSpec("group", "params.group", rest=True, max_length=100)
REMOVE_GROUP = ParamSpec("group", "params.group", max_length=100)
REMOVE_MEMBER = ParamSpec("member", "params.member", rest=True, max_length=100)
NAME_LIMIT = 40


def authorize_facilitator(ctx: Context, group: Group) -> None:
    """Organizers may act on every group; facilitators only on the groups they run (named
    in config, or granted by the platform where the group lives)."""
    if ctx.role_in(group.slug) < Role.FACILITATOR:
        raise UserError("groups.roster.not_your_group", group=group.name)


class RosterCommands:
    def __init__(self, service: MembershipService, directory: GroupDirectory) -> None:
        self._service = service
        self._directory = directory

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
        unreachable = await self._service.unreachable_among([m.member for m in members])
        seated = [m for m in members if m.status is SeatStatus.SEATED]
        waiting = [m for m in members if m.status is SeatStatus.WAITLISTED]
        nobody = ctx.text("groups.roster.nobody")
        return ctx.reply(
            "groups.roster.list",
            audience=Audience.ONLY_YOU,
            group=group.name,
            seated_count=len(seated),
            capacity=group.capacity,
            seated=_lines(ctx, seated, "groups.roster.seated_line", unreachable) or nobody,
            waiting_count=len(waiting),
            waiting=_lines(ctx, waiting, "groups.roster.waiting_line", unreachable) or nobody,
            slug=group.slug,
        )

    async def remove(self, ctx: Context, args: Args) -> Reply:
        """Removes only on an exact match (name or id); a partial one asks first, with a
        button naming each person it could mean."""
        group = self._directory.resolve(args.text("group"))
        authorize_facilitator(ctx, group)
        query = args.text("member")
        found = match_member(await self._service.roster(group), query)
        if found.exact is None:
            return _ask_which(ctx, group, query, found)
        member = found.exact
        result = await self._service.leave(member, group, removed=True)
        if result.previous is None:  # someone else removed them a moment ago
            return ctx.reply(
                "groups.roster.already_gone", audience=Audience.ONLY_YOU, group=group.name
            )
        return ctx.reply(
            "groups.roster.removed",
            audience=Audience.ONLY_YOU,
            member=quote_back(member.display_name, NAME_LIMIT),
            group=group.name,
            promoted=len(result.promoted),
        )


def _ask_which(ctx: Context, group: Group, query: str, found: RemovalMatch) -> Reply:
    if found.too_short:
        raise UserError("groups.roster.query_too_short")
    if not found.candidates:
        raise UserError("groups.roster.unknown_member", member=quote_back(query))
    options = "\n".join(
        ctx.text(
            "groups.roster.candidate",
            name=quote_back(person.display_name, NAME_LIMIT),
            key=person.key,
            slug=group.slug,
        )
        for person in found.candidates
    )
    return ctx.reply(
        "groups.roster.confirm_remove",
        audience=Audience.ONLY_YOU,
        buttons=found.buttons(ctx, group.slug),
        member=quote_back(query),
        options=options,
    )


def _lines(ctx: Context, memberships: list[Membership], key: str, unreachable: set[str]) -> str:
    """One line per person; "could not be reached" when their latest private message
    from the bot could not be delivered (never what the message said)."""
    note = ctx.text("groups.roster.unreachable_note")
    return "\n".join(
        ctx.text(
            key,
            name=quote_back(m.member.display_name, NAME_LIMIT),
            key=m.member.key,
            position=m.waitlist_position,
            note=note if m.member.key in unreachable else "",
        )
        for m in memberships
    )
