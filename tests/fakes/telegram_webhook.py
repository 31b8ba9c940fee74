"""Webhook delivery for the fake Telegram Bot API: what Telegram does once a bot has
called ``setWebhook``.

Telegram POSTs each pending update, oldest first and one at a time, to the webhook's
URL with the ``X-Telegram-Bot-Api-Secret-Token`` header set to the ``secret_token`` the
bot registered; an update stays pending until the bot answers 2xx, and is sent again
after a pause otherwise (getWebhookInfo then tells the last failure). The URL a bot
registers is public HTTPS, which a test cannot serve, so ``WebhookDelivery`` posts
instead to the local address the bot listens on (as a reverse proxy would). Tests may
also POST by hand (``post``), with any secret, to see what the bot does with a
stranger's request.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Callable
from dataclasses import dataclass
from typing import Protocol

import aiohttp

from tests.fakes.telegram_updates import JSON

SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"


@dataclass(frozen=True)
class WebhookAttempt:
    """One POST of an update to the bot: its id and the HTTP status (0: no answer)."""

    update_id: int
    status: int


class PendingUpdates(Protocol):
    """The side of the fake server the delivery reads: registration and pending updates."""

    webhook_url: str
    webhook_secret: str | None

    def pending_updates(self) -> list[JSON]: ...

    def confirm_update(self, update_id: int) -> None: ...

    def webhook_failed(self, description: str) -> None: ...

    async def wait_for(
        self, predicate: Callable[[], bool], *, within: float = 5.0, what: str = "it"
    ) -> None: ...


async def post(url: str, update: JSON, secret: str | None) -> int:
    """POST ``update`` to ``url`` as Telegram would; the HTTP status (0: no answer)."""
    headers = {} if secret is None else {SECRET_HEADER: secret}
    try:
        async with (
            aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=10)) as session,
            session.post(url, json=update, headers=headers) as answer,
        ):
            return answer.status
    except (aiohttp.ClientError, TimeoutError):
        return 0


class WebhookDelivery:
    """Delivers the fake's pending updates to ``local_url`` while a webhook is set."""

    def __init__(self, server: PendingUpdates, local_url: str, *, retry_pause: float = 0.2) -> None:
        self._server = server
        self._local_url = local_url
        self._retry_pause = retry_pause
        self.attempts: list[WebhookAttempt] = []
        self._task: asyncio.Task[None] | None = None
        self._stopped = False

    def start(self) -> None:
        self._task = asyncio.create_task(self._run(), name="fake webhook delivery")

    async def stop(self) -> None:
        """Deliver no more. (Cancelled again until it ends: Python 3.11's wait_for can
        swallow a cancellation that meets a result.)"""
        self._stopped = True
        task, self._task = self._task, None
        while task is not None and not task.done():
            task.cancel()
            await asyncio.wait({task}, timeout=0.1)
        if task is not None:
            with contextlib.suppress(asyncio.CancelledError):
                await task

    async def _run(self) -> None:
        server = self._server
        while not self._stopped:
            await server.wait_for(
                lambda: self._stopped or bool(server.webhook_url and server.pending_updates()),
                within=24 * 3600,
                what="an update to deliver",
            )
            if self._stopped:
                return
            update = server.pending_updates()[0]
            status = await post(self._local_url, update, server.webhook_secret)
            self.attempts.append(WebhookAttempt(update["update_id"], status))
            if 200 <= status < 300:
                server.confirm_update(update["update_id"])
            else:
                failure = "Connection refused" if status == 0 else f"Wrong response: {status}"
                server.webhook_failed(failure)
                await asyncio.sleep(self._retry_pause)
