"""/groups on Discord for a large organization, with the real core behind the real
adapter and the fake Discord API: a page for everyone in the channel with a join button
per group and "More groups" (eleven buttons, in rows Discord takes), the next page
shown only to whoever presses it, and a search answered to the searcher alone."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from tests.adapters.discord_driver import DiscordDriver
from tests.adapters.real_core import behind
from tests.fakes.discord_api import FakeDiscordApi
from tests.harness import many_groups_config


@pytest.fixture
async def driver(tmp_path: Path) -> AsyncIterator[DiscordDriver]:
    async with FakeDiscordApi() as fake:
        config = many_groups_config(tmp_path, 25)
        async with behind(
            config, lambda app: DiscordDriver(fake, registry=app.dispatcher.commands)
        ) as driver:
            yield driver
        assert fake.internal_errors == []
        assert fake.invalid_requests == 0


async def test_a_page_for_everyone_and_the_next_for_the_presser(driver: DiscordDriver) -> None:
    [page] = await driver.say("Ann", "/groups", shared=True)

    assert page.where == "chat"
    assert "Groups 1–10 of 25" in page.text
    assert page.buttons == (*(f"Join Group {n:02}" for n in range(1, 11)), "More groups")

    [second] = await driver.press("Ben", "More groups", shared=True)
    assert (second.where, second.person) == ("only", "Ben")  # browsing: his alone
    assert "Group 11" in second.text
    assert "Groups 11–20 of 25" in second.text


async def test_a_search_is_answered_to_the_searcher_alone(driver: DiscordDriver) -> None:
    [found] = await driver.say("Ann", "/groups grief york", shared=True)

    assert (found.where, found.person) == ("only", "Ann")
    assert "Group 07" in found.text
    assert "Group 04" not in found.text
    assert found.buttons == tuple(f"Join Group {n:02}" for n in (1, 7, 13, 19, 25))
