"""``/crisis [country]``: human helplines, for anyone, anywhere, at once.

It is ``urgent``: it never writes, and reads storage at most once, briefly (the member's
own country), so it answers even while storage is down. Which country:

1. the one typed after /crisis (a code or a name, any case, accents optional);
2. else the member's own, from /settings (a short read, given up on quickly);
3. else the group's whose chat this is (``country`` in its config). The console is a
   window onto every group, so its place never picks a group's country: only the
   groups' own chats (a Telegram chat, a Discord server or channel) do, and only when
   the groups living there agree on one country;
4. else the bot's (``[bot] country``).

The answer is only ever for the person who asked: asking for help is nobody else's
business, even in a shared chat.
"""

from __future__ import annotations

from bot.args import Args, ParamSpec
from bot.commands import CommandSpec
from bot.context import Context
from bot.dispatcher import DEFAULT_MAX_INPUT_CHARS
from bot.events import Actor, Place
from bot.replies import Audience, Reply
from groups.crisis import HelplineDirectory
from groups.directory import GroupDirectory
from groups.member_settings import MemberSettingsService
from groups.models import CONSOLE_HOME, Group

# Optional and never refused for its length: whatever follows /crisis, it answers.
COUNTRY_PARAM = ParamSpec(
    "country", "params.country", required=False, rest=True, max_length=DEFAULT_MAX_INPUT_CHARS
)


class CrisisHelp:
    def __init__(
        self,
        helplines: HelplineDirectory,
        settings: MemberSettingsService,
        groups: GroupDirectory,
    ) -> None:
        self._helplines = helplines
        self._settings = settings
        self._groups = groups

    def spec(self) -> CommandSpec:
        return CommandSpec("crisis", "commands.crisis", self.crisis, (COUNTRY_PARAM,), urgent=True)

    async def crisis(self, ctx: Context, args: Args) -> Reply:
        typed = args.optional_text("country")
        if typed is not None and (found := self._helplines.find(typed)) is not None:
            text = self._helplines.crisis_text(found.code, ctx.catalog)
        else:
            usual = await self.country_for(ctx.actor, ctx.place)
            if typed is None:
                text = self._helplines.crisis_text(usual, ctx.catalog)
            else:
                text = self._helplines.crisis_text_for(typed, usual, ctx.catalog)
        return Reply(text, audience=Audience.ONLY_YOU)

    async def text_for(self, ctx: Context) -> str:
        """The crisis part of /help: for the asker's usual country."""
        country = await self.country_for(ctx.actor, ctx.place)
        return self._helplines.crisis_text(country, ctx.catalog)

    async def country_for(self, actor: Actor, place: Place) -> str:
        """The member's own country, else the group's here, else the bot's."""
        chosen = await self._settings.chosen_country(actor)
        return chosen or self.group_country(place) or self._settings.defaults.country

    def group_country(self, place: Place) -> str | None:
        """The country of the groups whose own chat ``place`` is, if they name exactly
        one (the console home, which contains every place, does not count)."""
        countries = {
            group.country
            for group in self._groups.all()
            if group.country is not None and _meets_in(group, place)
        }
        return countries.pop() if len(countries) == 1 else None


def _meets_in(group: Group, place: Place) -> bool:
    return any(home != CONSOLE_HOME and home.contains(place) for home in group.homes)
