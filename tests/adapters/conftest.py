"""Fixtures for the Telegram adapter tests: the fake Bot API, and a driver over it.

The conformance classes define their own ``driver``, which takes precedence there."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from tests.adapters.telegram_driver import TelegramDriver
from tests.fakes.telegram_api import FakeTelegramApi


@pytest.fixture
async def fake() -> AsyncIterator[FakeTelegramApi]:
    async with FakeTelegramApi() as api:
        yield api


@pytest.fixture
async def driver(fake: FakeTelegramApi) -> AsyncIterator[TelegramDriver]:
    driver = TelegramDriver(fake)
    await driver.start()
    yield driver
    await driver.close()
