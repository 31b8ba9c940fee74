"""The Telegram adapter passes the adapter conformance suite, against the fake Bot API."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from tests.adapters.conformance import AdapterConformance
from tests.adapters.telegram_driver import TelegramDriver
from tests.fakes.telegram_api import FakeTelegramApi


class TestTelegramConformance(AdapterConformance):
    @pytest.fixture
    async def driver(self) -> AsyncIterator[TelegramDriver]:
        async with FakeTelegramApi() as fake:
            driver = TelegramDriver(fake)
            await driver.start()
            yield driver
            await driver.close()
