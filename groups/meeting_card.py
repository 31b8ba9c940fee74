"""The meeting card: a group's next meeting, posted for everyone in a shared chat by
``/next <group>``, with the RSVP buttons of a reminder and a count of the answers.

**Counts, never names.** Who goes to a peer-support group is sensitive, so the card
says only how many seated members said they are coming and how many said maybe ("4
going · 1 maybe"), never who, and never how many said no (a decline is the more
personal answer, and nobody needs it to plan). A count of 1 is shown as it is: the
meeting is public to the chat, nobody but the presser sees a press, and a bare number
ties no answer to a person; the count changes a second or more after a press, with
other presses folded in, never as an echo of one person.

**Kept fresh.** A press on a card (or on a group chat's reminder, which becomes a
card: the issue's "RSVP on a reminder") records the answer and asks ``LiveMessages``
for the message to be refreshed; the refreshes are coalesced there, and the card is
rendered again at edit time, so it shows the state after the last press. The cards
pressed in this process are remembered (the last few per group, in memory only: a
card's reference lives as long as the process that saw it pressed; after a restart a
card is picked up again on its next press), and refreshed after any RSVP to the group,
a cancel or a move.
"""

from __future__ import annotations

from collections import OrderedDict
from zoneinfo import ZoneInfo

from bot.catalog import Catalog
from bot.events import MessageRef
from bot.live_messages import LiveMessages
from bot.replies import Audience, Reply
from groups.meeting_text import describe_when, describe_where, rsvp_buttons
from groups.meetings import MeetingService
from groups.models import Group
from groups.recurrence import Occurrence, OccurrenceStatus

REMEMBERED_PER_GROUP = 20  # cards of one group kept for refreshing after a change


class MeetingCards:
    def __init__(self, meetings: MeetingService, live: LiveMessages | None = None) -> None:
        """``live``: None where nothing can be edited (the card is then never refreshed)."""
        self._meetings = meetings
        self._live = live
        self._known: dict[str, OrderedDict[MessageRef, None]] = {}

    async def card(self, group: Group, catalog: Catalog) -> Reply:
        """The card as it reads now: the next meeting (after a cancelled one, if the
        next is cancelled), the counts, and the buttons while there is one to answer."""
        text = catalog.text
        upcoming = await self._meetings.upcoming(group, 1)
        coming = await self._meetings.next_meeting(group)
        lines = []
        if upcoming and upcoming[0].cancelled:
            lines.append(occurrence_line(catalog, group, upcoming[0]))
        if coming is None:
            lines = lines or [text("meetings.next.none", group=group.name)]
            return Reply("\n".join(lines), audience=Audience.HERE, live=True)
        lines.append(occurrence_line(catalog, group, coming))
        counts = await self._meetings.answer_counts(group, coming)
        if counts["yes"] or counts["maybe"]:
            lines.append(text("meetings.card.counts", yes=counts["yes"], maybe=counts["maybe"]))
        else:
            lines.append(text("meetings.card.no_answers"))
        lines.append(text("meetings.card.ask"))
        buttons = rsvp_buttons(catalog, group.slug)
        return Reply("\n".join(lines), audience=Audience.HERE, buttons=buttons, live=True)

    def pressed(self, group: Group, catalog: Catalog, origin: MessageRef | None) -> None:
        """An RSVP to ``group`` was recorded (pressed on ``origin``, a shared chat's
        message, or typed: None): its cards are refreshed."""
        if origin is not None:
            known = self._known.setdefault(group.slug, OrderedDict())
            known[origin] = None
            known.move_to_end(origin)
            while len(known) > REMEMBERED_PER_GROUP:
                known.popitem(last=False)
        self.changed(group, catalog)

    def changed(self, group: Group, catalog: Catalog) -> None:
        """``group``'s next meeting changed (cancelled, moved): refresh its cards."""
        live = self._live
        if live is None:
            return

        async def render() -> Reply:
            return await self.card(group, catalog)

        for ref in self._known.get(group.slug, ()):
            live.refresh(ref, render)


def occurrence_line(
    catalog: Catalog, group: Group, occurrence: Occurrence, zone: ZoneInfo | None = None
) -> str:
    """One line about ``occurrence`` (cancelled, moved or as planned); times in
    ``zone`` if given (a member's own), else in the group's."""
    when = describe_when(occurrence, catalog, zone)
    if occurrence.status is OccurrenceStatus.CANCELLED:
        reason = occurrence.reason or catalog.text("meetings.no_reason")
        return catalog.text("meetings.next.cancelled", group=group.name, when=when, reason=reason)
    key = (
        "meetings.next.moved"
        if occurrence.status is OccurrenceStatus.MOVED
        else "meetings.next.line"
    )
    where = describe_where(occurrence, catalog)
    return catalog.text(key, group=group.name, when=when, where=where, slug=group.slug)
