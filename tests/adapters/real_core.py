"""The real core (``BotApp`` from a config) behind an adapter test's driver."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Protocol, TypeVar

from adapters.base import Adapter
from bot.app import BotApp
from bot.config import load_settings
from bot.dispatcher import Dispatcher


class Driving(Protocol):
    @property
    def adapter(self) -> Adapter: ...

    async def start(self, dispatcher: Dispatcher | None = None) -> None: ...

    async def close(self) -> None: ...


D = TypeVar("D", bound=Driving)


@asynccontextmanager
async def behind(config: Path, make_driver: Callable[[BotApp], D]) -> AsyncIterator[D]:
    """The app opened from ``config``, the driver ``make_driver(app)`` made with its
    adapter attached to the app and started on the app's dispatcher; both closed after."""
    app = await BotApp.open(load_settings(config, environ={}))
    driver = make_driver(app)
    app.platforms.attach(driver.adapter)
    await driver.start(app.dispatcher)
    try:
        yield driver
    finally:
        await driver.close()
        await app.close()
