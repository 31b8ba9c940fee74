"""Webhook mode: Telegram POSTs each update to the bot, instead of the bot asking.

A small aiohttp server (aiohttp already comes with the bot; python-telegram-bot's own
webhook server would need tornado) listens on ``listen``:``port`` at ``path``, normally
behind a reverse proxy that holds the HTTPS certificate for the public ``url``. It does
what python-telegram-bot's server does, and a little more:

- only ``POST`` with a JSON body; the ``X-Telegram-Bot-Api-Secret-Token`` header must
  equal the secret given to ``setWebhook`` (compared in constant time), else 403 and
  nothing is read. A refusal is logged without the header's value, the first time and
  then every 100th, so someone knocking cannot fill the log;
- an update is put on the Application's update queue (the same way polling does), and
  answered 200 at once; Telegram delivers the next one only after that answer;
- Telegram sends an update again when it got no answer in time, so an ``update_id``
  seen lately is answered 200 and dropped;
- a body that is not an update: 400, logged by type only (it may hold member text).
"""

from __future__ import annotations

import asyncio
import hmac
import json
import logging
from collections import OrderedDict
from dataclasses import dataclass
from typing import Any

from aiohttp import web
from telegram import Bot, Update

from bot.update_ledger import UpdateLedger

logger = logging.getLogger(__name__)

SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"
MAX_BODY = 1024 * 1024
REMEMBERED_UPDATES = 2048  # ids kept to drop Telegram's repeated deliveries


@dataclass(frozen=True, slots=True)
class Webhook:
    """Where Telegram sends updates (``url``, public, HTTPS) and where the bot listens."""

    url: str
    secret: str
    listen: str = "127.0.0.1"
    port: int = 8443
    path: str = "/telegram"

    def __repr__(self) -> str:
        return f"Webhook(url={self.url!r}, listen={self.listen!r}, port={self.port})"


class RecentUpdates:
    """The last ``size`` update ids seen: ``first_time`` is False for a repeat. With a
    ``ledger`` (the bot's database), a repeat that reached another process is dropped
    too; if the ledger cannot answer, this process's own memory decides."""

    def __init__(self, size: int = REMEMBERED_UPDATES, ledger: UpdateLedger | None = None) -> None:
        self._size = size
        self._seen: OrderedDict[int, None] = OrderedDict()
        self._ledger = ledger
        self._ledger_failed = False

    def first_time(self, update_id: int) -> bool:
        """This process's own memory only."""
        if update_id in self._seen:
            return False
        self._seen[update_id] = None
        while len(self._seen) > self._size:
            self._seen.popitem(last=False)
        return True

    async def first_anywhere(self, update_id: int) -> bool:
        if not self.first_time(update_id):
            return False
        if self._ledger is None:
            return True
        try:
            return await self._ledger.first_time("telegram", update_id)
        except Exception as error:  # storage trouble: handle it rather than lose it
            if not self._ledger_failed:
                logger.warning(
                    "telegram webhook: repeats are checked in this process only for now "
                    "(the database did not answer: %s)",
                    type(error).__name__,
                )
            self._ledger_failed = True
            return True


class WebhookServer:
    def __init__(
        self,
        webhook: Webhook,
        bot: Bot,
        queue: asyncio.Queue[Any],
        seen: RecentUpdates,
    ) -> None:
        self._webhook = webhook
        self._secret = webhook.secret.encode()
        self._bot = bot
        self._queue = queue
        self._seen = seen
        self._runner: web.AppRunner | None = None
        self.refused = 0
        self.repeated = 0

    async def start(self) -> int:
        """Listen; the port listened on (the one asked for, or a free one for 0)."""
        app = web.Application(client_max_size=MAX_BODY)
        app.router.add_route("*", self._webhook.path, self._receive)
        runner = web.AppRunner(app, access_log=None, shutdown_timeout=1.0)
        await runner.setup()
        try:
            site = web.TCPSite(runner, self._webhook.listen, self._webhook.port)
            await site.start()
        except BaseException:
            await runner.cleanup()
            raise
        self._runner = runner
        return int(runner.addresses[0][1])

    async def stop(self) -> None:
        """No new updates: the port is closed (Telegram keeps what it could not deliver
        and sends it again later)."""
        if self._runner is not None:
            runner, self._runner = self._runner, None
            await runner.cleanup()

    async def _receive(self, request: web.Request) -> web.StreamResponse:
        if request.method != "POST":
            return web.Response(status=405, headers={"Allow": "POST"})
        given = request.headers.get(SECRET_HEADER, "").encode()
        if not hmac.compare_digest(given, self._secret):
            self._refuse()
            return web.Response(status=403)
        if request.content_type != "application/json":
            return web.Response(status=415)
        try:
            data = json.loads(await request.read())
            update = Update.de_json(data, self._bot)
        except Exception as error:  # never the body: it may hold member text
            logger.warning("telegram webhook: a body that is no update (%s)", type(error).__name__)
            return web.Response(status=400)
        if update is None:
            return web.Response(status=400)
        if not await self._seen.first_anywhere(update.update_id):
            self.repeated += 1  # Telegram sent it again: handled once already
            return web.Response(status=200)
        await self._queue.put(update)
        return web.Response(status=200)

    def _refuse(self) -> None:
        self.refused += 1
        if self.refused % 100 == 1:
            logger.warning(
                "telegram webhook: refused a request without the right secret token (%d so "
                "far); Telegram's own requests carry it, so this one came from elsewhere",
                self.refused,
            )
