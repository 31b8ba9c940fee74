"""Meeting commands: /next, /rsvp and /calendar for members; /cancel, /move and /attendance for a
group's facilitators (answered privately: attendance names people)."""

from __future__ import annotations

from collections.abc import Callable
from zoneinfo import ZoneInfo

from bot.args import Args, ParamSpec
from bot.commands import CommandSpec
from bot.context import Context
from bot.errors import UserError
from bot.events import Actor
from bot.replies import Attachment, Audience, Reply
from bot.roles import Role
from bot.text import quote_back
from groups.directory import GroupDirectory
from groups.meeting_card import MeetingCards, occurrence_line
from groups.meeting_input import (
    PLACE_LIMIT,
    looks_like_day,
    parse_day,
    parse_new_start,
    split_time_and_place,
)
from groups.meeting_text import describe_when, describe_where
from groups.meetings import ANSWERS, Attendance, MeetingService
from groups.member_settings import MemberSettingsService
from groups.membership import MembershipService
from groups.models import Group
from groups.roster import NAME_LIMIT, authorize_facilitator

GROUP = ParamSpec("group", "params.group", max_length=100)
ANY_GROUP = ParamSpec("group", "params.group", required=False, rest=True, max_length=100)
ANSWER = ParamSpec("answer", "params.answer", max_length=10)
DAY = ParamSpec("date", "params.date", required=False, max_length=10)
WHEN_AND_WHY = ParamSpec("details", "params.cancel_details", required=False, rest=True)
MOVE_DAY = ParamSpec("date", "params.date", max_length=10)
NEW_TIME = ParamSpec("new", "params.new_time", rest=True, max_length=260)
REASON_LIMIT = 200
CALENDAR_TYPE = "text/calendar"


class MeetingCommands:
    def __init__(
        self,
        meetings: MeetingService,
        membership: MembershipService,
        directory: GroupDirectory,
        settings: MemberSettingsService,
        feed_link: Callable[[str], str | None] | None = None,
        cards: MeetingCards | None = None,
    ) -> None:
        """``feed_link(slug)``: the group's calendar subscription link, if there is one.
        ``cards``: the meeting cards (/next in a shared chat) and their refreshing."""
        self._cards = cards
        self._meetings = meetings
        self._membership = membership
        self._directory = directory
        self._settings = settings
        self._feed_link = feed_link or (lambda slug: None)

    def specs(self) -> list[CommandSpec]:
        facilitator = Role.FACILITATOR
        return [
            CommandSpec("next", "commands.next", self.next, (ANY_GROUP,)),
            CommandSpec("rsvp", "commands.rsvp", self.rsvp, (GROUP, ANSWER)),
            CommandSpec("calendar", "commands.calendar", self.calendar, (GROUP,)),
            CommandSpec(
                "cancel", "commands.cancel", self.cancel, (GROUP, WHEN_AND_WHY), facilitator
            ),
            CommandSpec(
                "move", "commands.move", self.move, (GROUP, MOVE_DAY, NEW_TIME), facilitator
            ),
            CommandSpec(
                "attendance", "commands.attendance", self.attendance, (GROUP, DAY), facilitator
            ),
        ]

    async def next(self, ctx: Context, args: Args) -> Reply:
        """With a group: its next meeting, for everyone here (in a shared chat, as a card
        with RSVP buttons and counts). Without: the next meeting of each of my groups, only
        for me (it says which groups I am in). Times are in my own zone if I chose one,
        except in a shared chat (there, the group's)."""
        query = args.optional_text("group")
        if query is not None:
            group = self._directory.resolve(query)
            if self._cards is not None and not ctx.place.private:
                return await self._cards.card(group, ctx.catalog)
            zone = await self._own_zone(ctx) if ctx.place.private else None
            line = await self._next_line(ctx, group, zone)
            return ctx.reply("meetings.next.one", audience=Audience.HERE, line=line)
        slugs = {m.group_slug for m in await self._membership.memberships_of(ctx.actor)}
        found = (self._directory.get(slug) for slug in slugs)
        mine = sorted((g for g in found if g is not None), key=self._directory.position)
        if not mine:
            return ctx.reply("meetings.next.no_groups", audience=Audience.ONLY_YOU)
        zone = await self._own_zone(ctx)
        lines = [await self._next_line(ctx, group, zone) for group in mine]
        return ctx.reply("meetings.next.mine", audience=Audience.ONLY_YOU, lines="\n".join(lines))

    async def rsvp(self, ctx: Context, args: Args) -> Reply:
        group = self._directory.resolve(args.text("group"))
        answer = args.text("answer").strip().lower()
        if answer not in ANSWERS:
            raise UserError("meetings.rsvp.bad_answer", slug=group.slug)
        occurrence = await self._meetings.rsvp(ctx.actor, group, answer)
        if self._cards is not None:  # the card pressed (if in a shared chat), and the others
            origin = None if ctx.place.private else ctx.origin
            self._cards.pressed(group, ctx.catalog, origin)
        return ctx.reply(
            f"meetings.rsvp.{answer}",
            audience=Audience.ONLY_YOU,
            group=group.name,
            when=describe_when(occurrence, ctx.catalog, await self._own_zone(ctx)),
        )

    async def calendar(self, ctx: Context, args: Args) -> Reply:
        """The group's meetings as an ``.ics`` file, for everyone here: meeting times are
        public, like /groups."""
        group = self._directory.resolve(args.text("group"))
        content = await self._meetings.calendar(group)
        attachment = Attachment(f"{group.slug}.ics", content, CALENDAR_TYPE)
        text = ctx.catalog.text("meetings.calendar.ready", group=group.name)
        if link := self._feed_link(group.slug):
            text += "\n\n" + ctx.catalog.text("meetings.calendar.subscribe", link=link)
        return Reply(text, audience=Audience.HERE, attachment=attachment)

    async def cancel(self, ctx: Context, args: Args) -> Reply:
        group = self._facilitated(ctx, args.text("group"))
        details = (args.optional_text("details") or "").strip()
        first, _, rest = details.partition(" ")
        day = parse_day(first) if looks_like_day(first) else None
        reason = (rest if day is not None else details).strip()[:REASON_LIMIT]
        occurrence = await self._meetings.find(group, day)
        if occurrence.cancelled:
            raise UserError("meetings.cancel.already", group=group.name)
        told = await self._meetings.cancel(group, occurrence, reason)
        self._changed(ctx, group)
        when = describe_when(occurrence, ctx.catalog)
        return ctx.reply(
            "meetings.cancel.done",
            audience=Audience.ONLY_YOU,
            group=group.name,
            when=when,
            told=told,
        )

    async def move(self, ctx: Context, args: Args) -> Reply:
        group = self._facilitated(ctx, args.text("group"))
        occurrence = await self._meetings.find(group, parse_day(args.text("date")))
        if occurrence.cancelled:
            raise UserError("meetings.move.cancelled", group=group.name)
        day = occurrence.local_start.date()
        when, place = split_time_and_place(args.text("new"))
        new_start = parse_new_start(when, day, occurrence.zone) if when else occurrence.start
        told = await self._meetings.move(group, occurrence, new_start, place)
        self._changed(ctx, group)
        moved = await self._meetings.find(group, new_start.astimezone(occurrence.zone).date())
        return ctx.reply(
            "meetings.move.done",
            audience=Audience.ONLY_YOU,
            group=group.name,
            before=describe_when(occurrence, ctx.catalog),
            when=describe_when(moved, ctx.catalog),
            where=quote_back(describe_where(moved, ctx.catalog), PLACE_LIMIT),
            told=told,
        )

    async def attendance(self, ctx: Context, args: Args) -> Reply:
        group = self._facilitated(ctx, args.text("group"))
        day_text = args.optional_text("date")
        occurrence = await self._meetings.find(group, parse_day(day_text) if day_text else None)
        report = await self._meetings.attendance(group, occurrence)
        text = ctx.text(
            "meetings.attendance.report",
            group=group.name,
            when=describe_when(occurrence, ctx.catalog),
            **_attendance_params(ctx, report),
        )
        return Reply(text, audience=Audience.ONLY_YOU)

    def _changed(self, ctx: Context, group: Group) -> None:
        if self._cards is not None:
            self._cards.changed(group, ctx.catalog)

    def _facilitated(self, ctx: Context, query: str) -> Group:
        group = self._directory.resolve(query)
        authorize_facilitator(ctx, group)
        return group

    async def _own_zone(self, ctx: Context) -> ZoneInfo | None:
        return (await self._settings.settings_of(ctx.actor)).own_zone

    async def _next_line(self, ctx: Context, group: Group, zone: ZoneInfo | None) -> str:
        upcoming = await self._meetings.upcoming(group, 1)
        if not upcoming:
            return ctx.text("meetings.next.none", group=group.name)
        return occurrence_line(ctx.catalog, group, upcoming[0], zone)


def _attendance_params(ctx: Context, report: Attendance) -> dict[str, object]:
    def names(people: list[Actor]) -> str:
        shown = [quote_back(person.display_name, NAME_LIMIT) for person in people]
        return ", ".join(shown) or ctx.text("groups.roster.nobody")

    return {
        "yes_count": len(report.answers["yes"]),
        "yes": names(report.answers["yes"]),
        "maybe_count": len(report.answers["maybe"]),
        "maybe": names(report.answers["maybe"]),
        "no_count": len(report.answers["no"]),
        "no": names(report.answers["no"]),
        "silent_count": len(report.silent),
        "not_reminded": report.not_reminded,
    }
