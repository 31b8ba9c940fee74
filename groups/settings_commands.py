"""/settings: a member's own settings, only ever shown to them.

``/settings`` shows them with buttons (reminders, announcements and check-in prompts on
or off, and a form
for the time zone, the country and quiet hours); ``/settings <setting> <value>`` changes
one as typed. Every change is confirmed with the command that undoes it.
"""

from __future__ import annotations

from bot.args import Args, ParamSpec
from bot.commands import CommandSpec, FormSpec
from bot.context import Context
from bot.errors import UserError
from bot.replies import Audience, Button, Form, FormField, Reply
from bot.text import quote_back
from groups.crisis import HelplineDirectory
from groups.member_settings import MemberSettings, MemberSettingsService, SettingsChanges
from groups.settings_input import (
    QUOTE_LIMIT,
    parse_country,
    parse_quiet,
    parse_switch,
    parse_timezone,
)

SETTING = ParamSpec("setting", "params.setting", required=False, max_length=20)
VALUE = ParamSpec("value", "params.setting_value", required=False, rest=True, max_length=64)
EDIT = "edit"  # /settings edit (the button's action) opens the form
NAMES = {  # what people may type -> the setting
    "timezone": "timezone",
    "zone": "timezone",
    "country": "country",
    "reminders": "reminders",
    "reminder": "reminders",
    "quiet": "quiet",
    "announcements": "announcements",
    "checkins": "checkins",
    "checkin": "checkins",
}
SWITCHES = {  # on/off settings -> the MemberSettings field each one is
    "reminders": "reminders",
    "announcements": "announcements",
    "checkins": "checkin_prompts",
}
FORM_FIELDS = ("timezone", "country", "quiet")


class SettingsCommands:
    def __init__(self, settings: MemberSettingsService, helplines: HelplineDirectory) -> None:
        self._settings = settings
        self._helplines = helplines

    def specs(self) -> list[CommandSpec]:
        form = FormSpec(lambda ctx, argument: _form(ctx, None), self.submitted)
        return [
            CommandSpec("settings", "commands.settings", self.settings, (SETTING, VALUE), form=form)
        ]

    async def settings(self, ctx: Context, args: Args) -> Reply:
        typed = args.optional_text("setting")
        if typed is None:
            return await self._show(ctx)
        if typed.casefold() == EDIT:
            current = await self._settings.settings_of(ctx.actor)
            return ctx.reply(
                "settings.form.intro", audience=Audience.ONLY_YOU, form=_form(ctx, current)
            )
        name = NAMES.get(typed.casefold())
        if name is None:
            raise UserError("settings.unknown", given=quote_back(typed, QUOTE_LIMIT))
        value = args.optional_text("value")
        if value is None:
            raise UserError(f"settings.needs_value.{name}")
        return await self._change(ctx, _changes({name: value}))

    async def submitted(self, ctx: Context, argument: str, answers: Args) -> Reply:
        """The form: every answer is checked before anything is saved; empty ones keep
        their setting."""
        given = {name: answers.optional_text(name) or "" for name in FORM_FIELDS}
        return await self._change(ctx, _changes({k: v for k, v in given.items() if v}))

    async def _show(self, ctx: Context) -> Reply:
        mine = await self._settings.settings_of(ctx.actor)
        defaults = self._settings.defaults
        on_off = {True: ctx.text("settings.on"), False: ctx.text("settings.off")}
        text = ctx.text(
            "settings.show",
            timezone=mine.timezone or ctx.text("settings.default", value=defaults.timezone),
            country=mine.country or ctx.text("settings.default", value=defaults.country),
            reminders=on_off[mine.reminders],
            quiet=_quiet_text(ctx, mine),
            announcements=on_off[mine.announcements],
            checkins=on_off[mine.checkin_prompts],
        )
        buttons = (
            _switch_button(ctx, "reminders", not mine.reminders),
            _switch_button(ctx, "announcements", not mine.announcements),
            _switch_button(ctx, "checkins", not mine.checkin_prompts),
            Button(ctx.text("buttons.edit_settings"), f"settings:{EDIT}"),
        )
        return Reply(text, audience=Audience.ONLY_YOU, buttons=buttons)

    async def _change(self, ctx: Context, changes: SettingsChanges) -> Reply:
        if not changes:
            return ctx.reply("settings.unchanged", audience=Audience.ONLY_YOU)
        update = await self._settings.update(ctx.actor, **changes)
        changed = [
            name for name in changes if _value(update.before, name) != _value(update.after, name)
        ]
        if not changed:
            return ctx.reply("settings.unchanged", audience=Audience.ONLY_YOU)
        lines = [self._confirmation(ctx, update.after, name) for name in changed]
        undo = [f"{name} {_value(update.before, name)}" for name in changed]
        commands = "\n".join(f"/settings {line}" for line in undo)
        lines.append(ctx.text("settings.undo", commands=commands))
        buttons: tuple[Button, ...] = ()
        if len(undo) == 1:  # one change: one tap undoes it
            buttons = (Button(ctx.text("buttons.undo"), f"settings:{undo[0]}"),)
        return Reply("\n".join(lines), audience=Audience.ONLY_YOU, buttons=buttons)

    def _confirmation(self, ctx: Context, mine: MemberSettings, name: str) -> str:
        if name == "timezone":
            key = "set" if mine.timezone else "default"
            return ctx.text(f"settings.timezone.{key}", zone=mine.zone.key)
        if name == "country":
            country = mine.crisis_country
            if mine.country is None:
                return ctx.text("settings.country.default", country=country)
            if self._helplines.for_country(country) is None:
                url = self._helplines.fallback_url
                return ctx.text("settings.country.set_unlisted", country=country, url=url)
            return ctx.text("settings.country.set", country=country)
        if name == "quiet":
            if mine.quiet is None:
                return ctx.text("settings.quiet.off")
            until = f"{mine.quiet.end:%H:%M}"
            return ctx.text(
                "settings.quiet.set", quiet=_quiet_text(ctx, mine), zone=mine.zone.key, until=until
            )
        switched_on = bool(getattr(mine, SWITCHES[name]))
        return ctx.text(f"settings.{name}.{'on' if switched_on else 'off'}")


def _changes(typed: dict[str, str]) -> SettingsChanges:
    """Each typed value checked (a kind error for the first that is wrong)."""
    changes: SettingsChanges = {}
    if "timezone" in typed:
        changes["timezone"] = parse_timezone(typed["timezone"])
    if "country" in typed:
        changes["country"] = parse_country(typed["country"])
    if "reminders" in typed:
        changes["reminders"] = parse_switch(typed["reminders"], "reminders")
    if "quiet" in typed:
        changes["quiet"] = parse_quiet(typed["quiet"])
    if "announcements" in typed:
        changes["announcements"] = parse_switch(typed["announcements"], "announcements")
    if "checkins" in typed:
        changes["checkin_prompts"] = parse_switch(typed["checkins"], "checkins")
    return changes


def _value(mine: MemberSettings, name: str) -> str:
    """A setting as /settings takes it: what typing it back restores."""
    if name == "timezone":
        return mine.timezone or "default"
    if name == "country":
        return mine.country or "default"
    if name == "quiet":
        return "off" if mine.quiet is None else mine.quiet.text()
    return "on" if getattr(mine, SWITCHES[name]) else "off"


def _quiet_text(ctx: Context, mine: MemberSettings) -> str:
    if mine.quiet is None:
        return ctx.text("settings.no_quiet")
    return ctx.text(
        "settings.quiet_hours", start=f"{mine.quiet.start:%H:%M}", end=f"{mine.quiet.end:%H:%M}"
    )


def _switch_button(ctx: Context, name: str, turn_on: bool) -> Button:
    state = "on" if turn_on else "off"
    return Button(ctx.text(f"buttons.{name}_{state}"), f"settings:{name} {state}")


def _form(ctx: Context, current: MemberSettings | None) -> Form:
    """The form for the zone, the country and quiet hours; with ``current``, each hint
    says what it is now (the form is rebuilt without, to check a submission)."""
    now = {}
    if current is not None:
        now = {
            "timezone": current.zone.key,
            "country": current.crisis_country,
            "quiet": _quiet_text(ctx, current),
        }
    fields = tuple(
        FormField(
            name,
            ctx.text(f"settings.form.{name}"),
            required=False,
            max_length=VALUE.max_length,
            hint=_hint(ctx, name, now.get(name)),
        )
        for name in FORM_FIELDS
    )
    return Form("settings:", ctx.text("settings.form.title"), fields)


def _hint(ctx: Context, name: str, current: str | None) -> str:
    hint = ctx.text(f"settings.form.{name}_hint")
    return hint if current is None else ctx.text("settings.form.now", hint=hint, current=current)
