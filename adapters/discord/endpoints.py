"""Pointing discord.py at another Discord: a REST proxy, or a test server.

discord.py keeps its addresses in class attributes (``Route.BASE`` for the REST API,
interaction callbacks and webhooks alike; ``DiscordWebSocket.DEFAULT_GATEWAY`` for the
gateway it connects to first). ``Endpoints`` sets them while the adapter is connected
and puts back what was there before when it stops, so nothing else in the process keeps
talking to an address the adapter chose. (An ``AutoShardedClient`` asks the REST API
for its gateway address, so it follows ``api_base_url`` too.)
"""

from __future__ import annotations

import yarl
from discord.gateway import DiscordWebSocket
from discord.http import Route


class Endpoints:
    def __init__(self, api_base_url: str, gateway_url: str) -> None:
        self._api = api_base_url.rstrip("/")
        self._gateway = yarl.URL(gateway_url)
        self._saved: tuple[str, yarl.URL] | None = None

    @property
    def applied(self) -> bool:
        return self._saved is not None

    def apply(self) -> None:
        """Point discord.py at our addresses (once; ``restore`` undoes it)."""
        if self._saved is not None:
            return
        self._saved = (Route.BASE, DiscordWebSocket.DEFAULT_GATEWAY)
        Route.BASE = self._api
        DiscordWebSocket.DEFAULT_GATEWAY = self._gateway

    def restore(self) -> None:
        """Put back the addresses that were there before ``apply``."""
        if self._saved is None:
            return
        Route.BASE, DiscordWebSocket.DEFAULT_GATEWAY = self._saved
        self._saved = None
