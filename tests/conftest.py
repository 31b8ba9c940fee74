from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from tests.harness import Harness, write_config


@pytest.fixture
async def harness(tmp_path: Path) -> AsyncIterator[Harness]:
    """The whole core with in-memory SQLite; group "circle" has 2 seats."""
    opened = await Harness.open(write_config(tmp_path))
    yield opened
    await opened.close()
