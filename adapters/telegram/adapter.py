"""The Telegram adapter: python-telegram-bot fetches updates, PeerCircle's core answers.

Lifecycle. ``start`` connects (getMe through the sender), builds a fresh
python-telegram-bot ``Application`` and starts receiving updates (``intake.py``: long
polling, or a webhook), publishes the commands and serves until ``stop``. The first
start in a process logs whether the bot's privacy mode is on. ``stop`` stops receiving
(no new updates), lets every update already received be handled (at most
``stop_grace`` seconds), then closes the connections, and ``start`` returns. Failing to
connect raises from ``start``: the supervisor logs it and starts the adapter again after
a pause that doubles. So does a token Telegram refuses while the bot runs (``watch.py``).

Concurrency. The Application hands updates over one at a time (``concurrent_updates``
is off on purpose); each is only posted to its sender's lane (``bot.lanes``), where one
worker per person handles their updates in order while other people's workers run side
by side, so one slow command never delays anyone else. An urgent update (``/crisis`` or
``/help``, typed or pressed: ``Inbox.is_urgent``) runs at once, even ahead of the same
person's earlier command that is waiting on the database. Someone with too much in hand
is told kindly to slow down (``core.slow_down``) instead of queueing without limit.

Pacing. Given the process's ``PlatformLimiter`` for Telegram (``bot.ratelimit``), every
reply to an update waits for an interactive turn; ``send`` and ``send_private`` are
called through the ``Messenger``, which already waited for a proactive one
(``pacing.py``).

Faults. Flood control is waited out and network errors retried, a bounded number of
times (``sender.py``); a notice (``send``, ``send_private``) that Telegram asks to
slow down raises ``PlatformBusy`` with the wait Telegram named, for the outbox to try
later; a refused private message is ``RecipientUnreachable``; a group that became a
supergroup is written to at its new id, and the log says which id to put in the config.
Errors in the polling loop are logged by type (python-telegram-bot retries them itself);
a 409 Conflict means another program polls with the same token, and says so. The token
and member text never reach a log (``logs.py``).

Forms are conversations in the private chat (``forms.py``), kept in the given
``FormProgressStore`` so that they outlive a restart.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator, Callable, Coroutine, Sequence
from typing import Any

from telegram import Bot, BotCommand, BotCommandScopeDefault, Update
from telegram.error import InvalidToken, RetryAfter
from telegram.ext import ContextTypes

from adapters.base import Capabilities, Inbox, Markup
from adapters.telegram.delivery import Delivery, private_place
from adapters.telegram.forms import FormConversations
from adapters.telegram.intake import Intake, Receiving
from adapters.telegram.logs import guard_sdk_logs
from adapters.telegram.render import MAX_MESSAGE, render
from adapters.telegram.roles import ChatAdmins
from adapters.telegram.sender import RetryPolicy, Sender, retry_after_seconds
from adapters.telegram.translate import PLATFORM
from adapters.telegram.updates import Arrived, UpdateHandler
from adapters.telegram.watch import TokenWatch
from adapters.telegram.webhook import RecentUpdates
from bot.catalog import Catalog
from bot.clock import Clock
from bot.commands import CommandSpec
from bot.errors import log_incident, new_incident_id
from bot.events import Actor, Place
from bot.form_progress import FormProgressStore
from bot.lanes import SLOW_DOWN, MemberLanes, Posted
from bot.platforms import MessageRef, PlatformBusy
from bot.ratelimit import PlatformLimiter
from bot.replies import Audience, Reply
from bot.roles import Role
from bot.update_ledger import UpdateLedger

logger = logging.getLogger(__name__)

DEFAULT_BASE_URL = "https://api.telegram.org/bot"
DEFAULT_BASE_FILE_URL = "https://api.telegram.org/file/bot"
MAX_COMMAND_DESCRIPTION = 256
PRIVACY_ON = (
    "telegram: privacy mode is on: in groups the bot sees only commands and replies to "
    "it, which is all PeerCircle needs"
)
PRIVACY_OFF = (
    "telegram: privacy mode is off: the bot receives every message in its groups "
    "(PeerCircle answers only commands). Unless you need it off, turn it on with "
    "@BotFather: /setprivacy, Enable"
)


class TelegramAdapter:
    platform = PLATFORM
    capabilities = Capabilities(
        buttons=True,
        forms=True,
        ephemeral=False,
        max_text_length=MAX_MESSAGE,
        markup=Markup.HTML,
        files=True,
        images=True,  # sent as a photo (sendPhoto)
    )

    def __init__(
        self,
        catalog: Catalog,
        *,
        token: str,
        bot_name: str,
        base_url: str = DEFAULT_BASE_URL,
        base_file_url: str = DEFAULT_BASE_FILE_URL,
        admins_are_facilitators: bool = False,
        retry: RetryPolicy | None = None,
        stop_grace: float = 5.0,
        poll_timeout: float = 10.0,
        receiving: Receiving | None = None,
        forms: FormProgressStore | None = None,
        clock: Clock | None = None,
        on_handled: Callable[[int], None] | None = None,
        limiter: PlatformLimiter | None = None,
        updates: UpdateLedger | None = None,
    ) -> None:
        """``receiving``: polling (default) or a webhook; ``forms``: forms in progress and
        ``updates``: update ids, shared across processes (None: in memory); ``limiter``:
        Telegram pacing; ``on_handled(update_id)``: an update is done (tests wait)."""
        guard_sdk_logs(token)
        self._receiving = receiving or Receiving(poll_timeout=poll_timeout)
        if self._receiving.webhook is not None:
            guard_sdk_logs(self._receiving.webhook.secret)
        self._token = token
        self._urls = (base_url, base_file_url)
        self._catalog = catalog
        self._watch = TokenWatch()
        self._watch.on_refused(self._token_refused)
        self._sender = Sender(_bot(token, self._urls, self._watch), retry or RetryPolicy())
        self._forms = FormConversations(catalog, store=forms, clock=clock)
        self._delivery = Delivery(
            self._sender, self._forms, catalog, bot_name=bot_name, limiter=limiter
        )
        self._updates = UpdateHandler(self._sender, self._forms, self._delivery)
        self._admins = ChatAdmins(self._sender) if admins_are_facilitators else None
        self._lanes: MemberLanes[Arrived] = MemberLanes(self._work, self._refuse, name="telegram")
        self._seen = RecentUpdates(ledger=updates)
        self._stop_grace = stop_grace
        self._on_handled = on_handled
        self._commands: tuple[CommandSpec, ...] = ()
        self._inbox: Inbox | None = None
        self._stopping = asyncio.Event()
        self._refused = asyncio.Event()
        self._serving = False
        self._served = asyncio.Event()
        self._connected_once = False  # the first drops pending updates, tells privacy mode
        self._intake: Intake | None = None

    def __repr__(self) -> str:
        return "<TelegramAdapter>"  # never the token

    @property
    def webhook_port(self) -> int | None:
        """The port the webhook listens on, once it does (None when polling)."""
        return self._intake.port if self._intake is not None else None

    # -- lifecycle -----------------------------------------------------------------------

    async def start(self, inbox: Inbox) -> None:
        """Serve until ``stop()``; raises if Telegram cannot be reached or refuses us."""
        if self._stopping.is_set():
            return
        self._inbox = inbox
        self._serving = True
        self._served.clear()
        self._refused.clear()
        self._watch.new_run()
        intake = Intake(self._token, self._urls, self._receiving, self._watch, self._seen)
        intake.build(self._received, self._handler_failed)
        self._intake = intake
        try:
            await self._forms.tidy()  # forms that timed out while the bot was off
            # Who has a form kept, so commands need not look: when polling, no other
            # process receives this bot's updates (Telegram answers one poller at a time).
            await self._forms.recall(sole_receiver=self._receiving.webhook is None)
            if await self._unless_stopped(self._connect(intake)):
                await self._unless_stopped(self._publish_commands())
                await self._serve()
        finally:
            await intake.close(lambda: self._lanes.drain(self._stop_grace))
            if self._stopping.is_set():
                await _quietly("closing", self._sender.close())
            self._serving = False
            self._served.set()

    async def stop(self) -> None:
        """No new updates; those in hand are handled; then ``start`` returns."""
        self._stopping.set()
        if self._serving:
            try:
                await asyncio.wait_for(self._served.wait(), self._stop_grace + 2)
            except TimeoutError:
                logger.warning("telegram: did not stop in time")
            return
        await self._lanes.drain(self._stop_grace)
        await _quietly("closing", self._sender.close())

    async def _connect(self, intake: Intake) -> None:
        try:
            await self._sender.ready()  # getMe: the token works and Telegram answers
            await intake.open(self._sender, first_run=not self._connected_once)
        except InvalidToken:
            if self._watch.refused:  # a 401 (a 404 is a base_url that is no Bot API)
                self._watch.tell()
            raise
        mode = "webhook" if self._receiving.webhook is not None else "polling"
        logger.info("telegram: connected as @%s (%s)", self._sender.username, mode)
        if not self._connected_once:
            self._connected_once = True
            reads_all = self._sender.bot.bot.can_read_all_group_messages
            logger.info(PRIVACY_OFF if reads_all else PRIVACY_ON)

    async def _serve(self) -> None:
        """Until ``stop()``; raises ``InvalidToken`` if Telegram refuses the token meanwhile.
        Every ``check_every`` seconds forms left too long lose their answers, and a
        webhook is looked at."""
        stopping = asyncio.ensure_future(self._stopping.wait())
        refused = asyncio.ensure_future(self._refused.wait())
        try:
            while True:
                await asyncio.wait(
                    {stopping, refused},
                    timeout=self._receiving.check_every,
                    return_when=asyncio.FIRST_COMPLETED,
                )
                if stopping.done() or refused.done():
                    break
                await self._forms.tidy()
                if self._intake is not None:
                    await self._intake.check(self._sender)
        finally:
            stopping.cancel()
            refused.cancel()
        if self._refused.is_set() and not self._stopping.is_set():
            self._watch.tell()
            raise InvalidToken("Telegram refused the bot token (401 Unauthorized)")

    def _token_refused(self) -> None:
        self._refused.set()

    async def _unless_stopped(self, work: Coroutine[Any, Any, None]) -> bool:
        """Run ``work`` unless ``stop()`` comes first (then it is cancelled): True if it
        ran to the end. Its exceptions are raised."""
        task = asyncio.ensure_future(work)
        stopping = asyncio.ensure_future(self._stopping.wait())
        try:
            done, _ = await asyncio.wait({task, stopping}, return_when=asyncio.FIRST_COMPLETED)
        finally:
            for waiting in (task, stopping):
                waiting.cancel()  # no effect on the one that finished
            await asyncio.gather(task, stopping, return_exceptions=True)
        if task in done:
            task.result()
            return True
        return False

    async def _publish_commands(self) -> None:
        """Every member command in Telegram's command menu; a failure is only logged."""
        if not self._commands:
            return  # nothing registered: leave the menu as it is
        listed = [
            BotCommand(spec.name, command_description(self._catalog.text(spec.summary_key)))
            for spec in self._commands
            if spec.min_role is Role.MEMBER
        ]

        async def publish(bot: Bot) -> bool:
            return await bot.set_my_commands(listed, scope=BotCommandScopeDefault())

        try:
            await self._sender.call(publish)
        except Exception as error:  # the commands still work when typed
            log_incident(logger, new_incident_id(), "telegram commands", error)

    # -- updates -------------------------------------------------------------------------

    async def _received(self, update: Update, context: object) -> None:
        """python-telegram-bot's one handler: post the update to its sender's lane."""
        user = update.effective_user
        arrived = self._updates.arrive(update, self._inbox)
        key = str(user.id) if user is not None else ""
        if self._lanes.post(key, arrived, urgent=arrived.urgent) is Posted.DROPPED:
            self._finished_with(update)  # they were already asked to slow down

    async def _work(self, arrived: Arrived) -> None:
        try:
            if self._inbox is not None:
                await self._updates.handle(arrived, self._inbox)
        finally:
            self._finished_with(arrived.update)

    async def _refuse(self, arrived: Arrived) -> None:
        try:
            slow_down = Reply(self._catalog.text(SLOW_DOWN), audience=Audience.ONLY_YOU)
            await self._updates.refuse(arrived, slow_down)
        finally:
            self._finished_with(arrived.update)

    def _finished_with(self, update: Update) -> None:
        if self._on_handled is not None:
            self._on_handled(update.update_id)

    async def _handler_failed(self, update: object, context: ContextTypes.DEFAULT_TYPE) -> None:
        if context.error is not None:
            log_incident(logger, new_incident_id(), "telegram handler", context.error)

    # -- the adapter contract ------------------------------------------------------------

    async def register_commands(self, commands: Sequence[CommandSpec]) -> None:
        self._commands = tuple(commands)  # published once connected

    async def send(self, place: Place, reply: Reply) -> MessageRef:
        """A notice: the Messenger already waited for its turn (see ``pacing.py``)."""
        async with _busy_when_flooded():
            ids = await self._delivery.to_place(place, reply, self._delivery.notice())
        return MessageRef(PLATFORM, place.chat_id, tuple(str(i) for i in ids))

    async def edit(self, ref: MessageRef, reply: Reply) -> None:
        """The first message becomes the new text (its first part); any further parts
        of the old message are deleted, and further parts of the new one sent after.
        Only the text changes: an attachment is not sent again."""
        parts = render(reply.text, reply.buttons)
        if not parts or not ref.message_ids:
            raise ValueError("an edit needs a message and some text")
        chat_id = int(ref.chat_id)
        await self._sender.edit(chat_id, int(ref.message_ids[0]), parts[0])
        for extra in ref.message_ids[1:]:
            await self._sender.delete(chat_id, int(extra))
        if len(parts) > 1:
            await self._sender.post(chat_id, parts[1:])

    async def send_private(self, actor: Actor, reply: Reply) -> MessageRef:
        """A notice: the Messenger already waited for its turn (see ``pacing.py``)."""
        pacing = self._delivery.notice()
        async with _busy_when_flooded():
            ids = await self._delivery.to_person(actor, reply, pacing)
            if reply.form is not None:
                question = await self._forms.open(reply.form, actor, private_place(actor))
                ids += await self._delivery.to_person(actor, question, pacing)
        return MessageRef(PLATFORM, actor.user_id, tuple(str(i) for i in ids))

    async def platform_role(self, actor: Actor, place: Place) -> Role:
        """FACILITATOR for a group chat's owner and administrators when the config says
        so (never more); MEMBER everywhere else."""
        if self._admins is None or place.private:
            return Role.MEMBER
        if place.platform != PLATFORM or actor.platform != PLATFORM:
            return Role.MEMBER
        if not _is_number(place.chat_id) or not _is_number(actor.user_id):
            return Role.MEMBER
        return await self._admins.role(int(place.chat_id), int(actor.user_id))


def _bot(token: str, urls: tuple[str, str], watch: TokenWatch) -> Bot:
    """The bot the adapter sends with (its requests watched for a refused token)."""
    base_url, base_file_url = urls
    return Bot(
        token,
        base_url=base_url,
        base_file_url=base_file_url,
        request=watch.request(),
        get_updates_request=watch.request(connection_pool_size=1),
    )


@contextlib.asynccontextmanager
async def _busy_when_flooded() -> AsyncIterator[None]:
    """A flood wait a notice could not outlast is ``PlatformBusy``: the outbox tries
    the notice again after the wait Telegram named."""
    try:
        yield
    except RetryAfter as limited:
        raise PlatformBusy(retry_after_seconds(limited)) from None


async def _quietly(doing: str, step: Coroutine[Any, Any, object]) -> None:
    try:
        await step
    except Exception as error:
        log_incident(logger, new_incident_id(), f"telegram {doing}", error)


def command_description(summary: str) -> str:
    """A command summary cut to Telegram's 256 characters for its command menu."""
    if len(summary) <= MAX_COMMAND_DESCRIPTION:
        return summary
    return summary[: MAX_COMMAND_DESCRIPTION - 1] + "…"


def _is_number(text: str) -> bool:
    return text.removeprefix("-").isdecimal()
