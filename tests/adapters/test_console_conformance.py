"""The console passes the adapter conformance suite."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from tests.adapters.conformance import AdapterConformance
from tests.adapters.console_driver import ConsoleDriver


class TestConsoleConformance(AdapterConformance):
    @pytest.fixture
    async def driver(self) -> AsyncIterator[ConsoleDriver]:
        driver = ConsoleDriver()
        await driver.start()
        yield driver
        await driver.close()
