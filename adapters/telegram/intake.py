"""How updates come in, for one run of the adapter: a *fresh* python-telegram-bot
``Application`` (so a start after a crash begins clean) whose update queue is filled by
long polling (its ``Updater``), or in webhook mode by our webhook server (``webhook.py``).

Either way the Application hands each update to the adapter's one handler. In webhook
mode nothing asks Telegram anything while members are quiet, so ``check`` looks at the
webhook now and then (getWebhookInfo): a refused token then ends the run as it does when
polling, and a delivery Telegram could not make (the proxy is down, the certificate
expired) is logged once per failure, in Telegram's words. ``open``
connects and starts receiving; ``close`` undoes it from wherever ``open`` got to: no new
updates first, then those already received are handed over (``drain``), then the
connections close.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Awaitable, Callable, Coroutine
from dataclasses import dataclass
from typing import Any

from telegram import Bot, Update, WebhookInfo
from telegram.error import Conflict, TelegramError
from telegram.ext import Application, ApplicationBuilder, ContextTypes, TypeHandler

from adapters.telegram.sender import Sender
from adapters.telegram.watch import TokenWatch
from adapters.telegram.webhook import RecentUpdates, Webhook, WebhookServer
from bot.errors import log_incident, new_incident_id

logger = logging.getLogger(__name__)

ALLOWED_UPDATES = (Update.MESSAGE, Update.CALLBACK_QUERY)  # nothing else is asked for
Receiver = Application[Any, Any, Any, Any, Any, Any]
UpdateCallback = Callable[[Update, object], Coroutine[Any, Any, None]]
ErrorCallback = Callable[[object, ContextTypes.DEFAULT_TYPE], Coroutine[Any, Any, None]]


@dataclass(frozen=True, slots=True)
class Receiving:
    """How the adapter receives updates: polling (``webhook`` None) or a webhook.
    ``drop_pending_updates``: skip what waited while the bot was off, at the first start
    of the process only (a restart after a crash must not lose members' messages)."""

    webhook: Webhook | None = None
    poll_timeout: float = 10.0
    drop_pending_updates: bool = False
    check_every: float = 60.0  # seconds between looks at forms and at the webhook


class Intake:
    def __init__(
        self,
        token: str,
        urls: tuple[str, str],
        receiving: Receiving,
        watch: TokenWatch,
        seen: RecentUpdates,
    ) -> None:
        self._token = token
        self._urls = urls
        self._receiving = receiving
        self._watch = watch
        self._seen = seen
        self._receiver: Receiver | None = None
        self._server: WebhookServer | None = None
        self._told_failure: object = None  # the last delivery failure logged
        self.port: int | None = None  # the webhook's, once listening

    def build(self, on_update: UpdateCallback, on_error: ErrorCallback) -> None:
        base_url, base_file_url = self._urls
        builder = (
            ApplicationBuilder()
            .token(self._token)
            .base_url(base_url)
            .base_file_url(base_file_url)
            .request(self._watch.request())
            .get_updates_request(self._watch.request(connection_pool_size=1))
            .concurrent_updates(False)  # each update is only posted to a lane
            .job_queue(None)
        )
        if self._receiving.webhook is not None:
            builder = builder.updater(None)  # our own server fills the queue
        receiver: Receiver = builder.build()
        receiver.add_handler(TypeHandler(Update, on_update))
        receiver.add_error_handler(on_error)
        self._receiver = receiver

    async def open(self, sender: Sender, *, first_run: bool) -> None:
        receiver = self._built()
        drop = first_run and self._receiving.drop_pending_updates
        await receiver.initialize()
        await receiver.start()
        webhook = self._receiving.webhook
        if webhook is None:
            await self._poll(receiver, drop)
        else:
            await self._listen(receiver, webhook, sender, drop)

    async def _poll(self, receiver: Receiver, drop: bool) -> None:
        if receiver.updater is None:
            raise RuntimeError("python-telegram-bot built no updater")
        await receiver.updater.start_polling(
            timeout=dt.timedelta(seconds=self._receiving.poll_timeout),
            allowed_updates=list(ALLOWED_UPDATES),
            drop_pending_updates=drop,
            error_callback=_polling_failed,
        )

    async def _listen(
        self, receiver: Receiver, webhook: Webhook, sender: Sender, drop: bool
    ) -> None:
        server = WebhookServer(webhook, receiver.bot, receiver.update_queue, self._seen)
        self._server = server
        self.port = await server.start()

        async def register(bot: Bot) -> bool:
            return await bot.set_webhook(
                webhook.url,
                secret_token=webhook.secret,
                allowed_updates=list(ALLOWED_UPDATES),
                drop_pending_updates=drop,
            )

        await sender.call(register)
        logger.info(
            "telegram: webhook mode, listening on %s port %d at %s",
            webhook.listen,
            self.port,
            webhook.path,
        )

    async def check(self, sender: Sender) -> None:
        """Webhook mode: whether Telegram can deliver to us (a 401 ends the run, through
        the token watch). Never raises."""
        if self._receiving.webhook is None:
            return

        async def look(bot: Bot) -> WebhookInfo:
            return await bot.get_webhook_info()

        try:
            info = await sender.call(look)
        except Exception as error:
            logger.warning("telegram: could not look at the webhook (%s)", type(error).__name__)
            return
        failure = (info.last_error_date, info.last_error_message)
        if info.last_error_date is not None and failure != self._told_failure:
            self._told_failure = failure
            logger.warning(
                "telegram: Telegram could not deliver updates to %s (%s); %d waiting. Check "
                "the reverse proxy and its certificate",
                info.url,
                info.last_error_message,
                info.pending_update_count,
            )

    async def close(self, drain: Callable[[], Awaitable[object]]) -> None:
        """Every step runs even if one fails."""
        receiver = self._receiver
        if self._server is not None:
            await _quietly("stopping the webhook", self._server.stop())
        if receiver is None:
            await drain()
            return
        if receiver.updater is not None and receiver.updater.running:
            await _quietly("stopping polling", receiver.updater.stop(), self._watch.refused)
        if receiver.running:  # hands every update already received to the lanes
            await _quietly("stopping", receiver.stop())
        await drain()
        await _quietly("shutting down", receiver.shutdown())
        await _quietly("closing", receiver.bot.shutdown())  # if initialize stopped halfway

    def _built(self) -> Receiver:
        if self._receiver is None:
            raise RuntimeError("build() first")
        return self._receiver


def _polling_failed(error: TelegramError) -> None:
    """python-telegram-bot's polling loop calls this, then tries again by itself."""
    if isinstance(error, Conflict):
        logger.error(
            "telegram: another program is fetching this bot's updates (409 Conflict). Only "
            "one copy of PeerCircle may run per bot token: stop the other one."
        )
    else:
        logger.warning("telegram: fetching updates failed (%s); trying again", type(error).__name__)


async def _quietly(
    doing: str, step: Coroutine[Any, Any, object], token_refused: bool = False
) -> None:
    try:
        await step
    except Exception as error:
        if token_refused:
            return  # the polling loop ended on the refused token: already told
        log_incident(logger, new_incident_id(), f"telegram {doing}", error)
