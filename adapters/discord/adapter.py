"""The Discord adapter: discord.py receives interactions, PeerCircle's core answers.

Lifecycle. ``start`` logs in (``GET /users/@me``; a bad token raises), publishes the
slash commands (per configured server, or globally; a failure is logged and the bot
serves anyway), connects to the gateway and serves until ``stop``. discord.py keeps the
gateway up by itself: a dropped connection is resumed (or, failing that, identified
again). A client that cannot connect at all raises from ``start``: the supervisor logs
it and starts the adapter again after a pause. Each start after a failure makes a fresh
client. ``stop`` takes no new work, lets what is in hand finish (``stop_grace``), closes
the client and puts discord.py's addresses back (``endpoints.py``).

What people do arrives as interactions (a slash command, a button, a submitted modal)
or, in the private chat with the bot, as messages (the bot reads no server channel).
Each is posted to its sender's lane (``bot.lanes``): one person's in order, different
people side by side, ``/crisis`` and ``/help`` at once (``Inbox.is_urgent``). Answering
an interaction in time and to the right audience is ``answer.py``; buttons that survive
restarts ``buttons.py``; forms as modals ``forms.py``; slash commands ``commands.py``;
the facilitator roles ``roles.py``; posting outside an interaction ``delivery.py``;
meetings as server events (the core's ``ScheduledEventsPort``) ``guild_events.py``.

The token and member text never reach a log (``logs.py``).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Callable, Coroutine, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import discord

from adapters.base import Capabilities, Inbox, Markup
from adapters.discord.answer import DEFER_AFTER, DirectAnswer, InteractionAnswer, Work
from adapters.discord.client import new_client
from adapters.discord.commands import Suggest, command_tree, fill_tree, sync_tree
from adapters.discord.delivery import Delivery
from adapters.discord.endpoints import Endpoints
from adapters.discord.forms import FormShelf, form_id_of, modal_for
from adapters.discord.guild_events import OffersServerEvents, ServerEvents
from adapters.discord.logs import guard_sdk_logs
from adapters.discord.outgoing import Pacing
from adapters.discord.render import MAX_MESSAGE
from adapters.discord.roles import FacilitatorRoles
from adapters.discord.translate import (
    PLATFORM,
    actor_of,
    channel_id_of,
    modal_answers,
    origin_of,
    place_of_interaction,
    private_message_place,
)
from bot.catalog import Catalog
from bot.commands import CommandSpec
from bot.config.discord import DEFAULT_API_BASE_URL, DEFAULT_GATEWAY_URL
from bot.errors import log_incident, new_incident_id
from bot.events import (
    ActionPressed,
    Actor,
    CommandInvoked,
    FormSubmitted,
    Incoming,
    Place,
    TextReceived,
)
from bot.lanes import SLOW_DOWN, MemberLanes, Posted
from bot.platforms import MessageRef
from bot.ratelimit import PlatformLimiter
from bot.replies import Audience, Form, Reply
from bot.roles import Role

logger = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class DiscordOptions:
    guild_ids: tuple[int, ...] = ()
    facilitator_roles: tuple[str, ...] = ("Facilitator",)
    api_base_url: str = DEFAULT_API_BASE_URL
    gateway_url: str = DEFAULT_GATEWAY_URL
    shard_ids: tuple[int, ...] | None = None
    shard_count: int | None = None
    defer_after: float = DEFER_AFTER
    stop_grace: float = 5.0


class DiscordAdapter(OffersServerEvents):
    platform = PLATFORM
    capabilities = Capabilities(
        buttons=True,
        forms=True,
        ephemeral=True,
        max_text_length=MAX_MESSAGE,
        markup=Markup.MARKDOWN,
        files=True,
        images=True,  # Discord shows a PNG or JPEG attachment as a picture
    )

    def __init__(
        self,
        catalog: Catalog,
        *,
        token: str,
        options: DiscordOptions | None = None,
        limiter: PlatformLimiter | None = None,
        suggestions: Mapping[str, Suggest] | None = None,
        on_handled: Callable[[int], None] | None = None,
    ) -> None:
        """``suggestions``: autocomplete for options by name (``group``: the groups).
        ``on_handled(id)`` is called once an interaction (or private message) has been
        answered; tests use it. ``limiter``: the process's pacing for Discord."""
        guard_sdk_logs(token)
        self._token = token
        self._catalog = catalog
        self._options = options or DiscordOptions()
        self._limiter = limiter
        self._suggestions = dict(suggestions or {})
        self._on_handled = on_handled
        self._endpoints = Endpoints(self._options.api_base_url, self._options.gateway_url)
        self._roles = FacilitatorRoles(self._options.facilitator_roles)
        self._shelf = FormShelf()
        self._delivery = Delivery(self._ready_client, self._shelf, self._form_label)
        self._background: set[asyncio.Task[None]] = set()
        self._lanes: MemberLanes[Work] = MemberLanes(self._work, self._refuse, name="discord")
        self._commands: tuple[CommandSpec, ...] = ()
        self._inbox: Inbox | None = None
        self._client: discord.Client | None = None
        self.server_events = ServerEvents(lambda: self._client)
        self._tree: discord.app_commands.CommandTree[Any] | None = None
        self._logging_in = asyncio.Lock()
        self._stopping = asyncio.Event()
        self._serving = False
        self._served = asyncio.Event()

    def __repr__(self) -> str:
        return "<DiscordAdapter>"  # never the token

    # -- lifecycle -----------------------------------------------------------------------

    async def start(self, inbox: Inbox) -> None:
        """Serve until ``stop()``; raises if Discord cannot be reached or refuses us."""
        if self._stopping.is_set():
            return
        self._inbox = inbox
        self._serving = True
        self._served.clear()
        try:
            client = await self._ready_client()
            await self._publish_commands()
            logger.info("discord: logged in as %s; connecting to the gateway", client.user)
            connection = asyncio.create_task(client.connect(reconnect=True), name="discord")
            stopping = asyncio.create_task(self._stopping.wait())
            done, _ = await asyncio.wait(
                {connection, stopping}, return_when=asyncio.FIRST_COMPLETED
            )
            stopping.cancel()
            if connection in done and not self._stopping.is_set():
                connection.result()  # raises what ended it
                raise ConnectionError("the Discord gateway connection ended")
            await self._close(connection)
        finally:
            await self._disconnect()
            self._serving = False
            self._served.set()

    async def stop(self) -> None:
        """No new work; what is in hand is answered; then ``start`` returns."""
        self._stopping.set()
        if self._serving:
            try:
                await asyncio.wait_for(self._served.wait(), self._options.stop_grace + 2)
            except TimeoutError:
                logger.warning("discord: did not stop in time")
            return
        await self._disconnect()

    async def _ready_client(self) -> discord.Client:
        """The logged-in client, made (and logged in) if there is none."""
        async with self._logging_in:
            client = self._client
            if client is not None and not client.is_closed():
                return client
            self._endpoints.apply()
            client = self._new_client()
            try:
                await client.login(self._token)
            except BaseException:
                await _quietly("closing", client.close())
                raise
            self._client = client
            return client

    def _new_client(self) -> discord.Client:
        client = new_client(
            shard_ids=self._options.shard_ids,
            shard_count=self._options.shard_count,
            on_action=self._on_action,
            on_form=self._on_form_button,
            on_interaction=self._on_interaction,
            on_message=self._on_message,
        )
        self._tree = command_tree(client, self._on_command)
        self._fill_tree()
        return client

    def _fill_tree(self) -> None:
        if self._tree is None:
            return
        fill_tree(
            self._tree,
            self._commands,
            self._catalog,
            run=self._on_command,
            suggestions=self._suggestions,
            guild_ids=self._options.guild_ids,
        )

    async def _publish_commands(self) -> None:
        if self._tree is None or not self._commands:
            return
        try:
            await sync_tree(self._tree, self._options.guild_ids)
        except Exception as error:  # commands published before still work
            log_incident(logger, new_incident_id(), "discord commands", error)

    async def _close(self, connection: asyncio.Task[None]) -> None:
        """Stop receiving, answer what is in hand, then close the connection."""
        await self._lanes.drain(self._options.stop_grace)
        client = self._client
        if client is not None:
            await _quietly("closing", client.close())
        with contextlib.suppress(Exception, asyncio.CancelledError):
            await asyncio.wait_for(connection, 5)

    async def _disconnect(self) -> None:
        await self._lanes.drain(self._options.stop_grace)
        client, self._client = self._client, None
        if client is not None:
            await _quietly("closing", client.close())
        if self._stopping.is_set():
            self._endpoints.restore()

    # -- what people do ------------------------------------------------------------------

    async def _on_command(
        self, interaction: discord.Interaction[Any], name: str, values: dict[str, str]
    ) -> None:
        actor, place = self._who_and_where(interaction)
        self._receive(interaction, CommandInvoked(actor, place, name, values))

    async def _on_action(self, interaction: discord.Interaction[Any], action: str) -> None:
        actor, place = self._who_and_where(interaction)
        self._receive(
            interaction, ActionPressed(actor, place, action, origin=origin_of(interaction))
        )

    async def _on_form_button(self, interaction: discord.Interaction[Any], form_id: str) -> None:
        """Open the form at once: a modal must be the first answer to the press."""
        actor, place = self._who_and_where(interaction)
        form = self._shelf.get(actor, form_id)
        try:
            if form is not None:
                await interaction.response.send_modal(modal_for(form))
                return
            expired = Reply(self._catalog.text("core.form_expired"), audience=Audience.ONLY_YOU)
            await self._answer(interaction, actor, place).deliver([expired])
        except Exception as error:
            log_incident(logger, new_incident_id(), "discord form button", error)
        finally:
            self._handled(interaction.id)

    async def _on_interaction(self, interaction: discord.Interaction[Any]) -> None:
        """Modal submissions (the rest is routed by discord.py's tree and items)."""
        if interaction.type is not discord.InteractionType.modal_submit:
            return
        data: Mapping[str, Any] = interaction.data or {}
        form_id = form_id_of(str(data.get("custom_id") or ""))
        if form_id is None:
            return
        actor, place = self._who_and_where(interaction)
        self._receive(interaction, FormSubmitted(actor, place, form_id, modal_answers(data)))

    async def _on_message(self, message: discord.Message) -> None:
        place = private_message_place(message)
        if place is None or self._inbox is None:
            return
        actor = actor_of(message.author)
        answer = DirectAnswer(self._delivery, self._limiter, message.channel.id, actor)
        incoming = TextReceived(actor, place, message.content)
        self._post(Work(incoming, answer, message.id))

    def _who_and_where(self, interaction: discord.Interaction[Any]) -> tuple[Actor, Place]:
        if isinstance(interaction.user, discord.Member):
            self._roles.remember(interaction.user)
        return actor_of(interaction.user), place_of_interaction(interaction)

    def _answer(
        self, interaction: discord.Interaction[Any], actor: Actor, place: Place
    ) -> InteractionAnswer:
        return InteractionAnswer(
            interaction,
            actor,
            place,
            self._delivery,
            self._catalog,
            limiter=self._limiter,
            defer_after=self._options.defer_after,
        )

    def _receive(self, interaction: discord.Interaction[Any], incoming: Incoming) -> None:
        answer = self._answer(interaction, incoming.actor, incoming.place)
        self._post(Work(incoming, answer, interaction.id))

    def _post(self, work: Work) -> None:
        inbox = self._inbox
        urgent = inbox is not None and inbox.is_urgent(work.incoming)
        if self._lanes.post(work.incoming.actor.key, work, urgent=urgent) is Posted.DROPPED:
            self._spawn(self._settle_dropped(work))

    async def _settle_dropped(self, work: Work) -> None:
        try:
            await work.answer.deliver([])  # told to slow down already: just acknowledge
        except Exception as error:
            log_incident(logger, new_incident_id(), "discord dropped", error)
        finally:
            self._handled(work.ref)

    async def _work(self, work: Work) -> None:
        try:
            if self._inbox is not None:
                await work.answer.deliver(await self._inbox.handle(work.incoming))
        finally:
            self._handled(work.ref)

    async def _refuse(self, work: Work) -> None:
        try:
            slow_down = Reply(self._catalog.text(SLOW_DOWN), audience=Audience.ONLY_YOU)
            await work.answer.deliver([slow_down])
        finally:
            self._handled(work.ref)

    def _handled(self, ref: int) -> None:
        if self._on_handled is not None:
            self._on_handled(ref)

    def _spawn(self, work: Coroutine[Any, Any, None]) -> None:
        task = asyncio.get_running_loop().create_task(work)
        self._background.add(task)
        task.add_done_callback(self._background.discard)

    def _form_label(self, form: Form) -> str:
        return self._catalog.text("discord.form.open", title=form.title)

    # -- the adapter contract ------------------------------------------------------------

    async def register_commands(self, commands: Sequence[CommandSpec]) -> None:
        self._commands = tuple(commands)  # published once connected
        self._fill_tree()

    async def send(self, place: Place, reply: Reply) -> MessageRef:
        """A notice: the Messenger already waited for its turn."""
        channel_id = channel_id_of(place)
        ids = await self._delivery.to_channel(
            channel_id, reply, Pacing.notice(self._limiter), group_chat=not place.private
        )
        return MessageRef(PLATFORM, str(channel_id), tuple(str(i) for i in ids))

    async def edit(self, ref: MessageRef, reply: Reply) -> None:
        await self._delivery.edit(int(ref.chat_id), ref.message_ids, reply)

    async def send_private(self, actor: Actor, reply: Reply) -> MessageRef:
        """A notice: the Messenger already waited for its turn. Raises
        ``RecipientUnreachable`` when the person takes no private messages from the bot."""
        pacing = Pacing.notice(self._limiter)
        chat_id, ids = await self._delivery.to_person(actor, reply, pacing)
        return MessageRef(PLATFORM, str(chat_id), tuple(str(i) for i in ids))

    async def platform_role(self, actor: Actor, place: Place) -> Role:
        """FACILITATOR for a member holding a configured facilitator role in the place's
        server (never more); MEMBER everywhere else."""
        if place.platform != PLATFORM or actor.platform != PLATFORM:
            return Role.MEMBER
        return await self._roles.role(self._client, actor, place)


async def _quietly(doing: str, step: Coroutine[Any, Any, object]) -> None:
    try:
        await step
    except Exception as error:
        log_incident(logger, new_incident_id(), f"discord {doing}", error)
