"""The Discord adapter passes the adapter conformance suite, against the fake Discord API."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from tests.adapters.conformance import AdapterConformance
from tests.adapters.discord_driver import DiscordDriver
from tests.fakes.discord_api import FakeDiscordApi


class TestDiscordConformance(AdapterConformance):
    @pytest.fixture
    async def driver(self) -> AsyncIterator[DiscordDriver]:
        async with FakeDiscordApi() as fake:
            driver = DiscordDriver(fake)
            await driver.start()
            yield driver
            await driver.close()
            assert fake.internal_errors == []
