"""Attachments on Telegram: a reply's file goes as a document (sendDocument, uploaded as
multipart/form-data) under its text; /calendar with the real domain behind the adapter."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from icalendar import Calendar

from bot.args import Args
from bot.catalog import Catalog
from bot.commands import CommandSpec
from bot.context import Context
from bot.replies import Attachment, Audience, Reply
from tests.adapters.real_core import behind
from tests.adapters.telegram_driver import TelegramDriver, dispatcher_with
from tests.fakes.telegram_api import FakeTelegramApi
from tests.fakes.telegram_updates import SentMessage
from tests.harness import write_config

CATALOG = Catalog.load()
READY = CATALOG.text("meetings.calendar.ready", group="Tuesday Circle")
HOME_CHAT = -100123  # where the harness's group "circle" lives
NOTES = Attachment("notes.txt", b"some notes\n", "text/plain")


@pytest.fixture
async def real(fake: FakeTelegramApi, tmp_path: Path) -> AsyncIterator[TelegramDriver]:
    """A driver with the real domain (the harness config) behind the adapter."""
    async with behind(write_config(tmp_path), lambda app: TelegramDriver(fake)) as driver:
        yield driver


def _documents(fake: FakeTelegramApi, chat_id: int) -> list[SentMessage]:
    return [m for m in fake.sent_messages(chat_id) if m.document is not None]


def _check_calendar(sent: SentMessage) -> None:
    assert sent.document is not None
    assert sent.document.filename == "circle.ics"
    assert sent.document.content_type == "text/calendar"
    calendar = Calendar.from_ical(sent.document.content)
    [series] = [event for event in calendar.walk("VEVENT") if "RRULE" in event]
    assert series["RRULE"].to_ical() == b"FREQ=WEEKLY;BYDAY=TU"
    assert str(calendar["X-WR-CALNAME"]) == "Tuesday Circle"


async def test_calendar_in_a_private_chat_sends_the_ics_file(real: TelegramDriver) -> None:
    seen = await real.say("bob", "/calendar circle", shared=False)

    assert [(s.where, s.person, s.text, s.file) for s in seen] == [
        ("private", "bob", READY, "circle.ics")
    ]
    [sent] = _documents(real.fake, real.user("bob").id)
    assert sent.parse_mode == "HTML"
    _check_calendar(sent)


async def test_calendar_in_a_group_chat_is_for_everyone_there(real: TelegramDriver) -> None:
    home = real.fake.group("Tuesday Circle", id=HOME_CHAT)
    seen = await real.acting(
        lambda: real.fake.inject_message(real.user("ada"), "/calendar circle", chat=home)
    )

    assert [(s.where, s.text, s.file) for s in seen] == [("chat", READY, "circle.ics")]
    [sent] = _documents(real.fake, HOME_CHAT)
    _check_calendar(sent)
    assert _documents(real.fake, real.user("ada").id) == []


async def test_a_cancelled_meeting_is_in_the_file(real: TelegramDriver) -> None:
    real.fake.group("Tuesday Circle", id=HOME_CHAT)
    fran = real.fake.user("fran", id=4242)  # facilitates "circle" in the harness config
    real.fake.private_chat(fran)
    real.users["fran"] = fran
    await real.say("fran", "/cancel circle snow", shared=False)

    await real.say("bob", "/calendar circle", shared=False)

    [sent] = _documents(real.fake, real.user("bob").id)
    assert sent.document is not None
    [series] = Calendar.from_ical(sent.document.content).walk("VEVENT")
    assert "EXDATE" in series


async def test_a_file_only_for_you_in_a_group_goes_privately_with_a_pointer(
    fake: FakeTelegramApi,
) -> None:
    async def mine(ctx: Context, args: Args) -> Reply:
        return Reply("Your notes.", audience=Audience.ONLY_YOU, attachment=NOTES)

    driver = TelegramDriver(fake)
    await driver.start(
        dispatcher_with(driver.platforms, CommandSpec("notes", "commands.help", mine))
    )
    try:
        seen = await driver.say("alice", "/notes", shared=True)
    finally:
        await driver.close()

    assert [(s.where, s.person, s.text, s.file) for s in seen] == [
        ("private", "alice", "Your notes.", "notes.txt"),
        ("chat", None, CATALOG.text("audience.sent_privately"), None),
    ]
    [sent] = _documents(fake, driver.user("alice").id)
    assert sent.document is not None
    assert sent.document.content == b"some notes\n"
    assert _documents(fake, driver.group.id) == []


async def test_a_text_too_long_for_a_caption_comes_first_then_the_bare_file(
    fake: FakeTelegramApi,
) -> None:
    long = "A long note. " * 100  # 1300 characters: over Telegram's 1024 for a caption

    async def long_notes(ctx: Context, args: Args) -> Reply:
        return Reply(long, audience=Audience.HERE, attachment=NOTES)

    driver = TelegramDriver(fake)
    spec = CommandSpec("longnotes", "commands.help", long_notes)
    await driver.start(dispatcher_with(driver.platforms, spec))
    try:
        seen = await driver.say("bob", "/longnotes", shared=False)
    finally:
        await driver.close()

    assert [(s.text, s.file) for s in seen] == [(long.strip(), None), ("", "notes.txt")]
    [sent] = _documents(fake, driver.user("bob").id)
    assert sent.raw_text == ""
    assert "caption" not in fake.calls_to("sendDocument")[0].params


async def test_a_caption_is_escaped_like_any_text(fake: FakeTelegramApi) -> None:
    text = "<b>Notes</b> & more"

    async def notes(ctx: Context, args: Args) -> Reply:
        return Reply(text, audience=Audience.HERE, attachment=NOTES)

    driver = TelegramDriver(fake)
    await driver.start(dispatcher_with(driver.platforms, CommandSpec("n", "commands.help", notes)))
    try:
        [seen] = await driver.say("bob", "/n", shared=False)
    finally:
        await driver.close()

    assert (seen.text, seen.file) == (text, "notes.txt")


async def test_mydata_in_a_group_chat_goes_to_the_private_chat_only(
    real: TelegramDriver,
) -> None:
    home = real.fake.group("Tuesday Circle", id=HOME_CHAT)
    await real.acting(lambda: real.fake.inject_message(real.user("ada"), "/join circle", chat=home))
    seen = await real.acting(
        lambda: real.fake.inject_message(real.user("ada"), "/mydata", chat=home)
    )

    pointer = CATALOG.text("audience.sent_privately")
    files = [(s.where, s.file) for s in seen if s.file is not None]
    assert files == [("private", "peercircle-my-data.json")]
    assert [s.text for s in seen if s.where == "chat"] == [pointer]
    assert _documents(real.fake, HOME_CHAT) == []
    [sent] = _documents(real.fake, real.user("ada").id)
    assert sent.document is not None
    assert sent.document.content_type == "application/json"
    assert b'"group": "circle"' in sent.document.content
