"""Answering one interaction: in time, and each reply to its audience.

**In time.** Discord drops an interaction that gets no first response within 3 seconds.
The clock starts when Discord created the interaction (its id says when), not when its
turn comes in the member's lane nor when it reached the bot (a gateway resume replays
interactions late): ``defer_after`` seconds (1 by default) after that without replies, it is
*deferred* (Discord shows "thinking…"), and the replies follow up whenever they are
ready (within the 15 minutes the interaction stays open). A batch that sends a private
message or a file first defers at once, since those may take a while. The deferral is
ephemeral in a server channel (safe whatever the replies turn out to be); a first reply
meant for everyone then replaces it with a message of its own. If the 3 seconds ran out
all the same (a process too busy, Discord failing twice in a row: discord.py waits 1 s,
then 3 s, before trying a 500 again), Discord answers 10062 and the member has seen "The
application did not respond": the replies then come as a private message, after a line
saying why, rather than not at all.

**Audiences**, in a server channel:

- ``HERE``: a message everyone in the channel sees (a ``live`` one, such as a meeting
  card, posted as an ordinary message of the bot's, which it may edit for days; the
  interaction itself is then acknowledged without a message);
- ``ONLY_YOU``: an ephemeral message, seen by the person alone, in the channel;
- ``PRIVATE_MESSAGE``: a private message; then one ephemeral pointer ("I've sent you a
  private message"), or, when Discord refuses it (50007), an ephemeral line saying so
  and how to allow them. Never the content.

In a private chat every reply is a message there.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Protocol

import discord

from adapters.discord.delivery import Delivery
from adapters.discord.outgoing import Outgoing, Pacing
from adapters.discord.reconnect import again_when_cut
from adapters.discord.translate import channel_id_of
from bot.catalog import Catalog
from bot.errors import log_incident, new_incident_id
from bot.events import Actor, Incoming, Place
from bot.platforms import RecipientUnreachable
from bot.ratelimit import PlatformLimiter
from bot.replies import Audience, Reply

logger = logging.getLogger(__name__)

# A deferral sent at 1 s still lands in time after discord.py waits out a 500 (1 s) or a
# cut connection is tried again, or the interaction came late after a gateway resume;
# one sent at 2 s did not (the fault soak lost such answers).
DEFER_AFTER = 1.0
UNKNOWN_INTERACTION = 10062  # Discord no longer takes a first response to it
ALREADY_ACKNOWLEDGED = 40060  # it has had its first response


class Answer(Protocol):
    async def deliver(self, replies: Sequence[Reply]) -> None: ...


@dataclass(frozen=True, slots=True)
class Work:
    incoming: Incoming
    answer: Answer
    ref: int  # the interaction's or the message's id, for ``on_handled``


def defer_delay(created_at: datetime, now: datetime, defer_after: float) -> float:
    """Seconds from ``now`` until the deferral: ``defer_after`` from when Discord
    created the interaction (its id says when), so one that reached the bot late
    (replayed after a gateway resume, or read late by a busy process) is deferred at
    once; never later than ``defer_after`` from now (a clock behind Discord's)."""
    age = (now - created_at).total_seconds()
    return min(defer_after, max(0.0, defer_after - age))


class InteractionAnswer:
    def __init__(
        self,
        interaction: discord.Interaction[Any],
        actor: Actor,
        place: Place,
        delivery: Delivery,
        catalog: Catalog,
        *,
        limiter: PlatformLimiter | None = None,
        defer_after: float = DEFER_AFTER,
    ) -> None:
        self._interaction = interaction
        self._actor = actor
        self._place = place
        self._delivery = delivery
        self._catalog = catalog
        self._limiter = limiter
        self._lock = asyncio.Lock()
        self._deferred = False
        self._original_done = False  # the deferred "thinking…" message was replaced
        self._posted = 0
        self._responded = False  # a first response went through (discord.py may not know)
        delay = defer_delay(interaction.created_at, discord.utils.utcnow(), defer_after)
        self._timer = asyncio.get_running_loop().call_later(delay, self._defer_soon)
        self._deferring: asyncio.Task[None] | None = None

    @property
    def deferred(self) -> bool:
        return self._deferred

    async def deliver(self, replies: Sequence[Reply]) -> None:
        """Every reply, each to its audience; then the interaction is settled. If Discord
        no longer takes a response (the 3 seconds ran out), the replies go privately."""
        try:
            await self._through_the_interaction(replies)
        except discord.NotFound as missing:
            if missing.code != UNKNOWN_INTERACTION or self._answered():
                raise
            await self._privately_instead(replies)
        finally:
            self._timer.cancel()

    async def _through_the_interaction(self, replies: Sequence[Reply]) -> None:
        if self._slow_to_deliver(replies):
            await self._acknowledge()
        if self._place.private:
            for reply in replies:
                await self._post_all(reply, ephemeral=False)
        else:
            await self._in_channel(replies)
        await self._settle()

    async def _privately_instead(self, replies: Sequence[Reply]) -> None:
        """The member saw "the application did not respond": the answer comes as a
        private message, after a line saying why (nothing is posted in the channel)."""
        logger.warning("discord: an interaction expired before its answer; sent privately")
        why = Reply(
            self._catalog.text("discord.answered_privately"), audience=Audience.PRIVATE_MESSAGE
        )
        pacing = Pacing.answer(self._limiter)
        for reply in (why, *replies):
            if reply.text or reply.attachment is not None:
                await self._delivery.to_person(self._actor, reply, pacing)

    async def _in_channel(self, replies: Sequence[Reply]) -> None:
        sent_privately = unreachable = False
        for reply in replies:
            if reply.audience is Audience.PRIVATE_MESSAGE:
                if await self._privately(reply):
                    sent_privately = True
                else:
                    unreachable = True
                continue
            if reply.live and reply.audience is Audience.HERE:
                await self._in_channel_for_good(reply)
                continue
            await self._post_all(reply, ephemeral=reply.audience is Audience.ONLY_YOU)
        if unreachable:
            await self._pointer(self._catalog.text("discord.could_not_message"))
        elif sent_privately:
            await self._pointer(self._catalog.text("audience.sent_privately"))

    async def _in_channel_for_good(self, reply: Reply) -> None:
        """A live reply (a meeting card) as an ordinary message in the channel: the bot
        may edit that at any time, an interaction's answer only for 15 minutes."""
        pacing = Pacing.answer(self._limiter)
        channel_id = channel_id_of(self._place)
        try:
            await self._delivery.to_channel(channel_id, reply, pacing, group_chat=True)
        except discord.Forbidden:  # the bot may answer here but not post: answer, then
            logger.warning("discord: may not post in a channel; a card went as an answer")
            await self._post_all(reply, ephemeral=False)

    async def _privately(self, reply: Reply) -> bool:
        try:
            await self._delivery.to_person(self._actor, reply, Pacing.answer(self._limiter))
        except RecipientUnreachable:
            return False
        return True

    async def _pointer(self, text: str) -> None:
        await self._post_all(Reply(text, audience=Audience.ONLY_YOU), ephemeral=True)

    async def _post_all(self, reply: Reply, *, ephemeral: bool) -> None:
        actor = self._actor
        for message in self._delivery.messages(reply, actor):
            await self._post(message, ephemeral=ephemeral)

    async def _post(self, message: Outgoing, *, ephemeral: bool) -> None:
        """The first response, the deferred message filled in, or a follow-up."""
        interaction = self._interaction
        async with self._lock:
            self._posted += 1
            if not self._answered():
                await self._respond_once(
                    lambda: interaction.response.send_message(
                        **message.send_kwargs(), ephemeral=ephemeral
                    )
                )
                return
            if self._deferred and not self._original_done:
                self._original_done = True
                if ephemeral or self._place.private:
                    await again_when_cut(
                        lambda: interaction.edit_original_response(**message.edit_kwargs())
                    )
                    return
                # "thinking…" was only for them
                await again_when_cut(interaction.delete_original_response)
        await again_when_cut(
            lambda: interaction.followup.send(
                **message.send_kwargs(), ephemeral=ephemeral, wait=True
            )
        )

    async def _settle(self) -> None:
        """Nothing was posted (no replies): the interaction must still be answered."""
        if self._posted:
            return
        await self._acknowledge()
        async with self._lock:
            if self._deferred and not self._original_done:
                self._original_done = True
                await again_when_cut(self._interaction.delete_original_response)

    # -- in time ---------------------------------------------------------------------------

    def _slow_to_deliver(self, replies: Sequence[Reply]) -> bool:
        """Whether the batch does something slow before its first response."""
        for reply in replies:
            if reply.attachment is not None:
                return True
            if reply.audience is Audience.PRIVATE_MESSAGE and not self._place.private:
                return True
        return False

    def _defer_soon(self) -> None:
        self._deferring = asyncio.get_running_loop().create_task(self._defer_in_time())

    async def _defer_in_time(self) -> None:
        try:
            await self._acknowledge()
        except Exception as error:  # the replies will still try to go out
            log_incident(logger, new_incident_id(), "discord defer", error)

    async def _acknowledge(self) -> None:
        """Defer, unless the interaction has had its first response already."""
        async with self._lock:
            if self._answered():
                return
            await self._respond_once(
                lambda: self._interaction.response.defer(
                    ephemeral=not self._place.private, thinking=True
                )
            )
            self._deferred = True

    async def _respond_once(self, respond: Callable[[], Awaitable[object]]) -> None:
        """The interaction's first response. Refused as given already (40060): an earlier
        try went through before its connection was cut, so it counts as given."""
        try:
            await again_when_cut(respond)
        except discord.HTTPException as refused:
            if refused.code != ALREADY_ACKNOWLEDGED:
                raise
            logger.warning("discord: a response cut off on its way had arrived after all")
        self._responded = True

    def _answered(self) -> bool:
        return self._responded or self._interaction.response.is_done()


class DirectAnswer:
    """The answer to a private message someone typed: every reply in that chat."""

    def __init__(
        self, delivery: Delivery, limiter: PlatformLimiter | None, channel_id: int, actor: Actor
    ) -> None:
        self._delivery = delivery
        self._limiter = limiter
        self._channel_id = channel_id
        self._actor = actor

    async def deliver(self, replies: Sequence[Reply]) -> None:
        pacing = Pacing.answer(self._limiter)
        for reply in replies:
            await self._delivery.to_channel(
                self._channel_id, reply, pacing, group_chat=False, actor=self._actor
            )
