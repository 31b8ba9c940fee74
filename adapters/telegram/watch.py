"""Noticing that Telegram refuses the bot's token while the bot runs.

python-telegram-bot's polling loop stops for good on ``InvalidToken`` (after logging
it), and in webhook mode nothing polls at all, so without a watch a revoked token leaves
the bot running and deaf. Every request the adapter's bots make goes through
``WatchedRequest``, which tells ``on_refused`` when Telegram answers 401 Unauthorized;
the adapter then ends its run, and the supervisor starts it again after a pause that
doubles (up to a minute), each start asking Telegram once (getMe) whether the token
works again. The token is never in what is told or logged.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from http import HTTPStatus
from typing import Any

from adapters.telegram.transport import AiohttpRequest

logger = logging.getLogger(__name__)

TOKEN_REFUSED = (
    "telegram: Telegram refuses the bot token (401 Unauthorized): it was revoked in "
    "@BotFather, or it is mistyped. Get the current token from @BotFather (/mybots, then "
    "API Token), set PEERCIRCLE_TELEGRAM__TOKEN to it and restart PeerCircle. Until then "
    "Telegram is tried again after a pause that doubles, up to a minute; everything else "
    "keeps running."
)
STILL_REFUSED = "telegram: the bot token is still refused (401 Unauthorized)"


class WatchedRequest(AiohttpRequest):
    """The adapter's HTTP client for python-telegram-bot (``AiohttpRequest``), telling
    ``on_refused`` about every 401."""

    def __init__(self, on_refused: Callable[[], None], **options: Any) -> None:
        super().__init__(**options)
        self._on_refused = on_refused

    async def do_request(self, *args: Any, **kwargs: Any) -> tuple[int, bytes]:
        code, payload = await super().do_request(*args, **kwargs)
        if code == HTTPStatus.UNAUTHORIZED:
            self._on_refused()
        return code, payload


class TokenWatch:
    """Whether Telegram refused the token during this run; the log line, told in full
    once per process and briefly after that."""

    def __init__(self) -> None:
        self.refused = False
        self._told = False
        self._listeners: list[Callable[[], None]] = []

    def request(self, **options: Any) -> WatchedRequest:
        return WatchedRequest(self._refuse, **options)

    def on_refused(self, listener: Callable[[], None]) -> None:
        self._listeners.append(listener)

    def new_run(self) -> None:
        self.refused = False

    def tell(self) -> None:
        """Log that the token is refused (never the token)."""
        if self._told:
            logger.error(STILL_REFUSED)
            return
        self._told = True
        logger.error(TOKEN_REFUSED)

    def _refuse(self) -> None:
        self.refused = True
        for listener in self._listeners:
            listener()
