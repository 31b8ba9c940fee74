"""Images on Telegram: a reply's PNG goes as a photo (sendPhoto, uploaded as
multipart/form-data) with the reply's text as its caption, through the real
python-telegram-bot against the fake Bot API; the check-in trend chart passes
Telegram's checks as it is drawn."""

from __future__ import annotations

import logging

import pytest

from bot.args import Args
from bot.catalog import Catalog
from bot.commands import CommandSpec
from bot.context import Context
from bot.replies import Attachment, Audience, Button, Reply
from groups.checkin_trend import TrendPoint, sparkline, trend_chart
from tests.adapters.telegram_driver import TelegramDriver, dispatcher_with
from tests.fakes.images import png
from tests.fakes.telegram_api import FakeTelegramApi
from tests.fakes.telegram_updates import SentMessage

CATALOG = Catalog.load()
CHART = Attachment("chart.png", png(64, 32), "image/png")
SCALE = ("struggling", "low", "okay", "good", "doing well")


def _photos(fake: FakeTelegramApi, chat_id: int) -> list[SentMessage]:
    return [m for m in fake.sent_messages(chat_id) if m.photo is not None]


async def _driven(fake: FakeTelegramApi, reply: Reply) -> TelegramDriver:
    """A started driver whose ``/show`` answers ``reply``."""

    async def show(ctx: Context, args: Args) -> Reply:
        return reply

    driver = TelegramDriver(fake)
    await driver.start(
        dispatcher_with(driver.platforms, CommandSpec("show", "commands.help", show))
    )
    return driver


async def test_the_trend_chart_arrives_as_a_photo_under_its_sparkline(
    fake: FakeTelegramApi,
) -> None:
    points = [TrendPoint("2 Nov", 2.5, 6), TrendPoint("9 Nov", None, None)]
    points += [TrendPoint("16 Nov", 3.75, 8)]
    text = f"Tuesday Circle, mood by week: {sparkline(points)}"
    chart = trend_chart(points, title="Tuesday Circle", scale_labels=SCALE, gap_label="not shared")
    trend = Attachment("trend.png", chart, "image/png")
    driver = await _driven(fake, Reply(text, audience=Audience.HERE, attachment=trend))
    try:
        seen = await driver.say("bob", "/show", shared=False)
    finally:
        await driver.close()

    assert [(s.text, s.file, s.image) for s in seen] == [(text, "trend.png", True)]
    [sent] = _photos(fake, driver.user("bob").id)
    assert sent.photo is not None
    assert (sent.photo.width, sent.photo.height) == (640, 320)
    assert (sent.photo.content, sent.photo.content_type) == (chart, "image/png")
    assert sent.parse_mode == "HTML"
    assert fake.calls_to("sendDocument") == []
    assert fake.calls_to("sendMessage") == []  # text and image are one message


async def test_an_image_for_everyone_in_a_group_is_posted_there(fake: FakeTelegramApi) -> None:
    driver = await _driven(fake, Reply("The chart.", audience=Audience.HERE, attachment=CHART))
    try:
        seen = await driver.say("ada", "/show", shared=True)
    finally:
        await driver.close()

    assert [(s.where, s.text, s.file, s.image) for s in seen] == [
        ("chat", "The chart.", "chart.png", True)
    ]
    assert _photos(fake, driver.user("ada").id) == []


async def test_an_image_only_for_you_goes_privately_with_a_pointer(
    fake: FakeTelegramApi,
) -> None:
    reply = Reply("Your chart.", audience=Audience.ONLY_YOU, attachment=CHART)
    driver = await _driven(fake, reply)
    try:
        seen = await driver.say("alice", "/show", shared=True)
    finally:
        await driver.close()

    assert [(s.where, s.person, s.text, s.file, s.image) for s in seen] == [
        ("private", "alice", "Your chart.", "chart.png", True),
        ("chat", None, CATALOG.text("audience.sent_privately"), None, False),
    ]
    assert _photos(fake, driver.group.id) == []


async def test_buttons_go_under_the_photo_and_its_caption_is_escaped(
    fake: FakeTelegramApi,
) -> None:
    text = "<b>Mood</b> & more ▁▃·█"
    buttons = (Button("Weekly", "show:weekly"),)
    driver = await _driven(
        fake, Reply(text, audience=Audience.HERE, attachment=CHART, buttons=buttons)
    )
    try:
        [seen] = await driver.say("bob", "/show", shared=False)
    finally:
        await driver.close()

    assert (seen.text, seen.buttons, seen.image) == (text, ("Weekly",), True)


async def test_a_text_too_long_for_a_caption_comes_first_then_the_bare_photo(
    fake: FakeTelegramApi,
) -> None:
    long = "A long summary. " * 80  # 1280 characters: over Telegram's 1024 for a caption
    driver = await _driven(fake, Reply(long, audience=Audience.HERE, attachment=CHART))
    try:
        seen = await driver.say("bob", "/show", shared=False)
    finally:
        await driver.close()

    assert [(s.text, s.file, s.image) for s in seen] == [
        (long.strip(), None, False),
        ("", "chart.png", True),
    ]
    assert "caption" not in fake.calls_to("sendPhoto")[0].params


async def test_an_image_telegram_cannot_process_still_arrives_as_a_file(
    fake: FakeTelegramApi, caplog: pytest.LogCaptureFixture
) -> None:
    broken = Attachment("chart.png", b"\x89PNG\r\n\x1a\n not really", "image/png")
    driver = await _driven(fake, Reply("The chart.", audience=Audience.HERE, attachment=broken))
    try:
        with caplog.at_level(logging.WARNING, logger="adapters.telegram.sender"):
            seen = await driver.say("bob", "/show", shared=False)
    finally:
        await driver.close()

    assert [(s.text, s.file, s.image) for s in seen] == [("The chart.", "chart.png", False)]
    assert [call.status for call in fake.calls_to("sendPhoto")] == [400]
    [sent] = fake.sent_messages(driver.user("bob"))
    assert sent.document is not None
    assert sent.document.content == broken.content
    assert "photo was refused" in caplog.text
    assert "The chart." not in caplog.text


async def test_a_text_file_is_still_a_document(fake: FakeTelegramApi) -> None:
    notes = Attachment("notes.txt", b"some notes\n", "text/plain")
    driver = await _driven(fake, Reply("Notes.", audience=Audience.HERE, attachment=notes))
    try:
        [seen] = await driver.say("bob", "/show", shared=False)
    finally:
        await driver.close()

    assert (seen.file, seen.image) == ("notes.txt", False)
    assert fake.calls_to("sendPhoto") == []
