"""The member's side of check-ins: ``/checkin``, its form, and asking to be contacted.

Everything here answers privately. In a shared chat ``/checkin`` only points to the
private chat (a private message with a button; where that cannot be delivered, the
chat sees a neutral pointer and nothing else).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Protocol
from zoneinfo import ZoneInfo

from bot.args import Args
from bot.commands import CommandSpec, FormSpec, HandlerResult
from bot.context import Context
from bot.errors import UserError
from bot.replies import Audience, Button, Choice, FieldKind, Form, FormField, Reply
from groups.checkin_release import MOOD_KEYS, mood_words
from groups.checkins import MAX_NOTE, CheckinService
from groups.commands import GROUP_PARAM
from groups.directory import GroupDirectory
from groups.membership import MembershipService
from groups.models import Group, SeatStatus

MAX_TITLE = 45  # a Discord modal's title limit


class NoteWatcher(Protocol):
    """Looks at a note for words of crisis; the replies to add (none: nothing found)."""

    async def replies_for(self, ctx: Context, text: str) -> list[Reply]: ...


class CheckinCommands:
    def __init__(
        self,
        service: CheckinService,
        membership: MembershipService,
        directory: GroupDirectory,
        watcher: NoteWatcher | None = None,
    ) -> None:
        self._service = service
        self._membership = membership
        self._directory = directory
        self._watcher = watcher

    def specs(self) -> list[CommandSpec]:
        return [
            CommandSpec(
                "checkin",
                "commands.checkin",
                self.checkin,
                (GROUP_PARAM,),
                form=FormSpec(self.form, self.submitted),
            ),
            CommandSpec("contactme", "commands.contactme", self.contact_me, (GROUP_PARAM,)),
        ]

    async def checkin(self, ctx: Context, args: Args) -> HandlerResult:
        query = args.optional_text("group")
        if not ctx.place.private:
            return self._pointer(ctx, query)
        group = await self._chosen_group(ctx, query, "checkin")
        if isinstance(group, Reply):
            return group
        status = await self._service.status(ctx.actor, group)
        zone = ZoneInfo(group.timezone)
        if status.period is None:
            opens = status.upcoming.opens.astimezone(zone)
            return ctx.reply(
                "checkins.not_open",
                audience=Audience.ONLY_YOU,
                group=group.name,
                opens=f"{opens:%A %-d %B, %H:%M}",
            )
        closes = status.period.closes.astimezone(zone)
        again = ctx.text("checkins.again") if status.answered else ""
        return ctx.reply(
            "checkins.intro",
            audience=Audience.ONLY_YOU,
            group=group.name,
            closes=f"{closes:%A %-d %B, %H:%M}",
            minimum=group.checkins.min_respondents,
            notes_minimum=group.checkins.notes_min_respondents,
            again=again,
            form=self.form(ctx, group.slug),
        )

    def form(self, ctx: Context, slug: str) -> Form:
        group = self._directory.get(slug)
        name = group.name if group is not None else slug
        words = mood_words(ctx.catalog)
        choices = tuple(
            Choice(str(number), ctx.text("checkins.form.choice", number=number, word=word))
            for number, word in enumerate(words, start=1)
        )
        title = ctx.text("checkins.form.title", group=name)
        return Form(
            f"checkin:{slug}",
            title if len(title) <= MAX_TITLE else title[: MAX_TITLE - 1] + "…",
            (
                FormField(
                    "mood", ctx.text("checkins.form.mood"), FieldKind.CHOICE, choices=choices
                ),
                FormField(
                    "note",
                    ctx.text("checkins.form.note"),
                    FieldKind.LONG_TEXT,
                    required=False,
                    max_length=MAX_NOTE,
                    hint=ctx.text("checkins.form.note_hint", limit=MAX_NOTE),
                ),
            ),
        )

    async def submitted(self, ctx: Context, slug: str, answers: Args) -> HandlerResult:
        group = self._directory.get(slug)
        if group is None:
            raise UserError("checkins.group_gone")
        note = answers.optional_text("note") or ""
        await self._service.submit(ctx.actor, group, int(answers.text("mood")), note)
        thanks = ctx.reply(
            "checkins.thanks",
            audience=Audience.ONLY_YOU,
            group=group.name,
            buttons=(Button(ctx.text("checkins.buttons.contact_me"), f"contactme:{group.slug}"),),
        )
        support = await self._watcher.replies_for(ctx, note) if self._watcher and note else []
        return [*support, thanks]

    async def contact_me(self, ctx: Context, args: Args) -> HandlerResult:
        group = await self._chosen_group(ctx, args.optional_text("group"), "contactme")
        if isinstance(group, Reply):
            return group
        told = await self._service.request_contact(ctx.actor, group)
        key = "checkins.contact.sent" if told else "checkins.contact.nobody"
        return ctx.reply(key, audience=Audience.ONLY_YOU, group=group.name)

    def _pointer(self, ctx: Context, query: str | None) -> Reply:
        """In a shared chat: a private message with a button that opens the check-in."""
        action = "checkin:" if query is None else f"checkin:{self._directory.resolve(query).slug}"
        return ctx.reply(
            "checkins.pointer",
            audience=Audience.PRIVATE_MESSAGE,
            buttons=(Button(ctx.text("checkins.buttons.check_in"), action),),
        )

    async def _chosen_group(self, ctx: Context, query: str | None, verb: str) -> Group | Reply:
        """The group named, or the member's only seated group; with several, buttons."""
        if query is not None:
            return self._directory.resolve(query)
        memberships = await self._membership.memberships_of(ctx.actor)
        slugs = [m.group_slug for m in memberships if m.status is SeatStatus.SEATED]
        mine = [g for g in self._directory.all() if g.slug in slugs]
        if len(mine) == 1:
            return mine[0]
        if not mine:
            return ctx.reply("checkins.no_groups", audience=Audience.ONLY_YOU)
        return ctx.reply(
            "checkins.choose",
            audience=Audience.ONLY_YOU,
            buttons=_group_buttons(ctx, verb, mine),
        )


def _group_buttons(ctx: Context, verb: str, groups: Sequence[Group]) -> tuple[Button, ...]:
    return tuple(
        Button(ctx.text("checkins.buttons.group", group=g.name), f"{verb}:{g.slug}")
        for g in groups[:10]
    )


__all__ = ["MOOD_KEYS", "CheckinCommands", "NoteWatcher"]
