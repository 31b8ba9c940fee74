"""The crisis safety net's answer to a member's own words.

When a private message (or a check-in's note) matches a crisis phrase, the member gets
one private reply: warm, short, plainly from a bot, with their country's helplines.
Nothing is deleted, muted or reported, and nothing reaches anyone else unless the member
presses a button:

- ``supportalert:me``: each facilitator of their groups is asked, privately, to get in
  touch with them (their display name; never anything they wrote);
- ``supportalert:anon``: each group's facilitators hear that someone in the group may
  need support; no name, a random 5 to 20 minute delay so the timing does not point at
  whoever just wrote, and neither the message nor its outbox row holds the member's id;
- ``supportalert:no``: a kind word, nothing sent.

The buttons appear only for a member seated in a group with a configured facilitator.
The text itself is read by the detector and dropped: never stored, never logged.
"""

from __future__ import annotations

import asyncio
import logging
import random
import secrets
from collections.abc import Callable
from datetime import timedelta

from bot.args import Args, ParamSpec
from bot.commands import CommandSpec
from bot.context import Context
from bot.events import Actor
from bot.flood import WindowLimit
from bot.replies import Audience, Button, Reply
from bot.storage.database import Database
from groups.crisis import HelplineDirectory
from groups.crisis_phrases import CrisisPhrases
from groups.directory import GroupDirectory
from groups.facilitator_notices import FacilitatorNotices, facilitators_of
from groups.member_settings import MemberSettingsService
from groups.membership import MembershipService
from groups.models import Group, SeatStatus

logger = logging.getLogger(__name__)

COMMAND = "supportalert"
ME, ANON, NO = "me", "anon", "no"
ANON_DELAY_MINUTES = (5.0, 20.0)
# How long the reply waits for the member's groups (to offer the buttons) before it
# answers with the helplines alone: the helplines must never wait on storage.
QUICK_READ_SECONDS = 0.5
# Anonymous alerts a member may send in a day (each is a new alert; "me" is once a day
# anyway). Counted in memory only, so nothing stored ties a member to an anonymous one.
ANON_PER_DAY = 3
CHOICE = ParamSpec("choice", "crisis.support.param_choice", required=False, max_length=10)

_system_random = random.SystemRandom()


def random_anon_delay() -> timedelta:
    """A delay from 5 to 20 minutes, from the operating system's randomness."""
    low, high = ANON_DELAY_MINUTES
    return timedelta(minutes=_system_random.uniform(low, high))


class CrisisSupport:
    """The supportive reply (``replies_for``, also the dispatcher's ``TextListener``)
    and the button-only ``/supportalert`` command it offers."""

    def __init__(
        self,
        phrases: CrisisPhrases,
        helplines: HelplineDirectory,
        settings: MemberSettingsService,
        membership: MembershipService,
        directory: GroupDirectory,
        notices: FacilitatorNotices,
        db: Database,
        *,
        bot_name: str,
        anon_delay: Callable[[], timedelta] = random_anon_delay,
        quick_read_seconds: float = QUICK_READ_SECONDS,
    ) -> None:
        self._phrases = phrases
        self._helplines = helplines
        self._settings = settings
        self._membership = membership
        self._directory = directory
        self._notices = notices
        self._db = db
        self._bot_name = bot_name
        self._anon_delay = anon_delay
        self._quick_read_seconds = quick_read_seconds
        self._anonymous = WindowLimit(ANON_PER_DAY, timedelta(days=1))

    def specs(self) -> list[CommandSpec]:
        return [
            CommandSpec(
                COMMAND, "crisis.support.summary", self.alert, params=(CHOICE,), listed=False
            )
        ]

    async def on_private_text(self, ctx: Context, text: str) -> list[Reply] | None:
        return await self.replies_for(ctx, text) or None

    async def replies_for(self, ctx: Context, text: str) -> list[Reply]:
        """The supportive reply if ``text`` matches a crisis phrase, else []."""
        if self._phrases.detect(text) is None:
            return []
        country = await self._settings.crisis_country(ctx.actor)
        helplines = self._helplines.crisis_text(country, ctx.catalog)
        message = ctx.text("crisis.support.message", bot=self._bot_name, helplines=helplines)
        if not await self._offer_buttons(ctx.actor):
            return [Reply(message, audience=Audience.ONLY_YOU)]
        offer = ctx.text("crisis.support.offer")
        buttons = (
            Button(ctx.text("crisis.support.button_me"), f"{COMMAND}:{ME}"),
            Button(ctx.text("crisis.support.button_anon"), f"{COMMAND}:{ANON}"),
            Button(ctx.text("crisis.support.button_no"), f"{COMMAND}:{NO}"),
        )
        return [Reply(f"{message}\n\n{offer}", audience=Audience.ONLY_YOU, buttons=buttons)]

    async def alert(self, ctx: Context, args: Args) -> Reply:
        """A press of one of the reply's buttons (or the same typed)."""
        choice = (args.optional_text("choice") or "").casefold()
        if choice == NO:
            return ctx.reply("crisis.support.no_thanks", audience=Audience.ONLY_YOU)
        if choice not in (ME, ANON):
            return ctx.reply("crisis.support.unknown_choice", audience=Audience.ONLY_YOU)
        groups = await self._groups_of(ctx.actor)
        if not groups:
            return ctx.reply("crisis.support.no_facilitator", audience=Audience.ONLY_YOU)
        names = ", ".join(group.name for group in groups)
        if choice == ME:
            queued = await self._tell_me(ctx, groups)
            key = "crisis.support.sent_me" if queued else "crisis.support.already_me"
            return ctx.reply(key, audience=Audience.ONLY_YOU, groups=names)
        if self._anonymous.used(ctx.actor.key, ctx.clock.now()) >= ANON_PER_DAY:
            return ctx.reply(
                "limits.support.anon_enough", audience=Audience.ONLY_YOU, count=ANON_PER_DAY
            )
        await self._tell_anonymously(ctx, groups)
        self._anonymous.take(ctx.actor.key, ctx.clock.now())
        return ctx.reply("crisis.support.sent_anon", audience=Audience.ONLY_YOU, groups=names)

    async def _offer_buttons(self, actor: Actor) -> bool:
        """Whether the member has a group whose facilitators could be told. Storage that
        is slow or failing means no buttons, never a missing reply."""
        try:
            async with asyncio.timeout(self._quick_read_seconds):
                return bool(await self._groups_of(actor))
        except Exception as error:  # the helplines must go out whatever storage does
            logger.warning("crisis support: groups not read (%s)", type(error).__name__)
            return False

    async def _groups_of(self, actor: Actor) -> list[Group]:
        """The groups ``actor`` has a seat in that name a facilitator other than them."""
        found = []
        for membership in await self._membership.memberships_of(actor):
            group = self._directory.get(membership.group_slug)
            if membership.status is not SeatStatus.SEATED or group is None:
                continue
            if any(person.key != actor.key for person in facilitators_of(group)):
                found.append(group)
        return found

    async def _tell_me(self, ctx: Context, groups: list[Group]) -> int:
        """Each facilitator once a day, however many of the member's groups they run
        (the key names the member and the day, not the group)."""
        now = ctx.clock.now()
        key = f"support:me:{ctx.actor.key}:{now:%Y-%m-%d}"
        queued = 0
        async with self._db.transaction(quick=True) as tx:
            for group in groups:
                text = ctx.text(
                    "crisis.support.facilitator_me",
                    name=ctx.actor.display_name,
                    group=group.name,
                    bot=self._bot_name,
                )
                queued += await self._notices.tell(tx, group, key, text, when=now)
        return queued

    async def _tell_anonymously(self, ctx: Context, groups: list[Group]) -> None:
        """Each group's facilitators, after its own random delay; the key is random, so
        no row says who asked (a second press is a second, equally anonymous alert)."""
        now = ctx.clock.now()
        async with self._db.transaction(quick=True) as tx:
            for group in groups:
                key = f"support:anon:{group.slug}:{secrets.token_hex(8)}"
                text = ctx.text("crisis.support.facilitator_anon", group=group.name)
                later = now + self._anon_delay()
                await self._notices.tell(tx, group, key, text, when=now, not_before=later)
