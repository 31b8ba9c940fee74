"""The meeting card on Telegram, with the real core and domain behind the real adapter
and the fake Bot API: many members press the card's buttons in the group chat; each
gets one private answer (no pointer floods the group), the card ends with the right
counts and no names, in a few edits; a failing edit breaks no press."""

from __future__ import annotations

import asyncio
from pathlib import Path

from bot.app import BotApp
from bot.catalog import Catalog
from bot.config import load_settings
from tests.adapters.telegram_driver import TelegramDriver
from tests.fakes.telegram_api import FakeTelegramApi
from tests.fakes.telegram_updates import SentMessage, TgChat
from tests.harness import write_config

CATALOG = Catalog.load()
YES, NO, MAYBE = (CATALOG.text(f"buttons.rsvp_{a}") for a in ("yes", "no", "maybe"))
PEOPLE = [f"Member{n:02d}" for n in range(24)]


async def _serving(fake: FakeTelegramApi, tmp_path: Path) -> tuple[BotApp, TelegramDriver]:
    app = await BotApp.open(load_settings(write_config(tmp_path, capacity=40), environ={}))
    driver = TelegramDriver(fake)
    app.platforms.attach(driver.adapter)
    await driver.start(app.dispatcher)
    for name in PEOPLE:
        await driver.say(name, "/join circle", shared=False)
    return app, driver


async def _card(fake: FakeTelegramApi, driver: TelegramDriver, home: TgChat) -> SentMessage:
    asker = driver.user(PEOPLE[0])
    await driver.acting(lambda: fake.inject_message(asker, "/next circle", chat=home))
    return driver.last_with_button(home.id, YES)


async def _press_all(
    fake: FakeTelegramApi, driver: TelegramDriver, card: SentMessage, labels: list[str]
) -> None:
    """Everyone presses at once (their updates queued together), then all are handled."""
    updates = [
        fake.press_button(driver.user(name), card, text=label)
        for name, label in zip(PEOPLE, labels, strict=True)
    ]
    for update in updates:
        await driver.handled(update["update_id"])


async def _settled(app: BotApp) -> None:
    """Every refresh of the card has gone out (or failed)."""
    for _ in range(500):
        if not app.live.pending:
            return
        await asyncio.sleep(0.02)
    raise AssertionError("the card's refreshes did not settle")


async def test_many_presses_on_a_card_give_private_answers_and_a_few_edits(
    fake: FakeTelegramApi, tmp_path: Path
) -> None:
    home = fake.group("Tuesday Circle", id=-100123)
    app, driver = await _serving(fake, tmp_path)
    try:
        card = await _card(fake, driver, home)
        private_before = {n: len(fake.sent_messages(driver.user(n))) for n in PEOPLE}
        labels = [YES] * 14 + [MAYBE] * 6 + [NO] * 4
        await _press_all(fake, driver, card, labels)
        await _settled(app)
    finally:
        await driver.close()
        await app.close()
    for name in PEOPLE:  # exactly one private answer each, about their own answer only
        mine = fake.sent_messages(driver.user(name))[private_before[name] :]
        assert len(mine) == 1
        assert "Tuesday Circle" in mine[0].text
    [shown] = fake.sent_messages(home)  # the card alone: no pointer per press
    assert shown.message_id == card.message_id
    assert CATALOG.text("meetings.card.counts", yes=14, maybe=6) in shown.text
    for name in PEOPLE:
        assert name not in shown.text
        assert all(name not in earlier for earlier in shown.edits)
    edits = fake.calls_to("editMessageText")
    print(f"{len(PEOPLE)} presses -> {len(edits)} edits")
    assert 1 <= len(edits) <= 6, len(edits)
    assert len(fake.answered_callbacks()) == len(PEOPLE)


async def test_a_card_that_cannot_be_edited_breaks_no_press(
    fake: FakeTelegramApi, tmp_path: Path
) -> None:
    home = fake.group("Tuesday Circle", id=-100123)
    app, driver = await _serving(fake, tmp_path)
    try:
        card = await _card(fake, driver, home)
        fake.fault("editMessageText", 400, "Bad Request: message to edit not found", times=99)
        private_before = {n: len(fake.sent_messages(driver.user(n))) for n in PEOPLE[:6]}
        updates = [fake.press_button(driver.user(name), card, text=YES) for name in PEOPLE[:6]]
        for update in updates:
            await driver.handled(update["update_id"])
        await _settled(app)
    finally:
        await driver.close()
        await app.close()
    for name in PEOPLE[:6]:
        mine = fake.sent_messages(driver.user(name))[private_before[name] :]
        assert [m.text for m in mine] == [m.text for m in mine if m.text.startswith("Thank you")]
        assert len(mine) == 1
    assert app.live.failures >= 1
    assert app.live.edits == 0
    [shown] = fake.sent_messages(home)
    assert shown.edits == []
