"""The meeting card on Discord, with the real core and domain behind the real adapter
and the fake Discord API: ``/next circle`` in a server channel posts the card; many
members press its buttons; each gets one ephemeral answer, the card ends with the right
counts and no names, in a few edits; a failing edit breaks no press."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from bot.app import BotApp
from bot.catalog import Catalog
from bot.config import load_settings
from tests.adapters.discord_driver import DiscordDriver
from tests.fakes.discord_api import FakeDiscordApi
from tests.fakes.discord_world import DcMessage
from tests.harness import write_config

CATALOG = Catalog.load()
YES, NO, MAYBE = (CATALOG.text(f"buttons.rsvp_{a}") for a in ("yes", "no", "maybe"))
PEOPLE = [f"Member{n:02d}" for n in range(20)]
EDIT = "PATCH /channels/{channel_id}/messages/{message_id}"


@pytest.fixture
async def fake() -> AsyncIterator[FakeDiscordApi]:
    async with FakeDiscordApi() as api:
        yield api
        assert api.internal_errors == []


async def _serving(fake: FakeDiscordApi, tmp_path: Path) -> tuple[BotApp, DiscordDriver]:
    app = await BotApp.open(load_settings(write_config(tmp_path, capacity=40), environ={}))
    driver = DiscordDriver(fake, registry=app.dispatcher.commands)
    app.platforms.attach(driver.adapter)
    await driver.start(app.dispatcher)
    for name in PEOPLE:
        await driver.say(name, "/join circle", shared=False)
    return app, driver


async def _card(driver: DiscordDriver) -> DcMessage:
    [card] = await driver.say(PEOPLE[0], "/next circle", shared=True)
    assert card.where == "chat"
    assert card.buttons == (YES, NO, MAYBE)
    posted = driver.last_with_button(PEOPLE[0], YES, shared=True)
    assert posted.interaction_id is None  # an ordinary message: editable for days
    return posted


async def _press_all(driver: DiscordDriver, card: DcMessage, labels: list[str]) -> None:
    """Everyone presses at once, then every press is answered."""
    pressed = [
        driver.fake.press(driver.user(name), card, label)
        for name, label in zip(PEOPLE, labels, strict=True)
    ]
    for interaction in pressed:
        await driver.handled(interaction.id)


async def _settled(app: BotApp) -> None:
    for _ in range(500):
        if not app.live.pending:
            return
        await asyncio.sleep(0.02)
    raise AssertionError("the card's refreshes did not settle")


def _answers_to(fake: FakeDiscordApi, driver: DiscordDriver, name: str) -> list[DcMessage]:
    """What only ``name`` sees in the channel (ephemeral answers)."""
    user_id = driver.user(name).id
    return [m for m in fake.messages if m.visible_to == user_id and not m.deleted]


async def test_many_presses_on_a_card_give_ephemeral_answers_and_a_few_edits(
    fake: FakeDiscordApi, tmp_path: Path
) -> None:
    app, driver = await _serving(fake, tmp_path)
    try:
        card = await _card(driver)
        labels = [YES] * 11 + [MAYBE] * 5 + [NO] * 4
        await _press_all(driver, card, labels)
        await _settled(app)
    finally:
        await driver.close()
        await app.close()
    for name in PEOPLE:
        [answer] = _answers_to(fake, driver, name)
        assert "Tuesday Circle" in answer.text
    in_channel = [m for m in fake.sent(driver.channel) if m.visible_to is None and not m.deleted]
    assert [m.id for m in in_channel] == [card.id]  # nothing else for everyone
    shown = in_channel[0].text
    assert CATALOG.text("meetings.card.counts", yes=11, maybe=5) in shown
    for name in PEOPLE:
        assert name not in shown
    edits = fake.calls_to(EDIT)
    print(f"{len(PEOPLE)} presses -> {len(edits)} edits")
    assert 1 <= len(edits) <= 6, len(edits)


async def test_a_card_that_cannot_be_edited_breaks_no_press(
    fake: FakeDiscordApi, tmp_path: Path
) -> None:
    app, driver = await _serving(fake, tmp_path)
    try:
        card = await _card(driver)
        fake.fail(EDIT, 404, code=10008, times=99)  # Unknown Message: it was deleted
        pressed = [driver.fake.press(driver.user(name), card, YES) for name in PEOPLE[:5]]
        for interaction in pressed:
            await driver.handled(interaction.id)
        await _settled(app)
    finally:
        await driver.close()
        await app.close()
    for name in PEOPLE[:5]:
        [answer] = _answers_to(fake, driver, name)
        assert answer.text.startswith("Thank you")
    assert app.live.failures >= 1
    assert app.live.edits == 0


async def test_a_card_the_bot_may_not_post_goes_as_the_answer(
    fake: FakeDiscordApi, tmp_path: Path
) -> None:
    app, driver = await _serving(fake, tmp_path)
    try:
        fake.fail("POST /channels/{channel_id}/messages", 403, code=50013)  # no permission
        [card] = await driver.say(PEOPLE[0], "/next circle", shared=True)
    finally:
        await driver.close()
        await app.close()
    assert card.where == "chat"
    assert card.buttons == (YES, NO, MAYBE)
