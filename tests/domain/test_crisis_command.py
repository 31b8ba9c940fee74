"""``/crisis [country]`` through the real core: any country by code or name, a kind
answer for one it does not know, always only for the person who asked, and the usual
country from the member's settings, else the group's chat, else the bot."""

from __future__ import annotations

import unicodedata
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from bot.events import Actor, Place
from bot.replies import Audience, Reply
from groups.crisis import HelplineDirectory
from groups.helplines import Country
from tests.harness import Harness, person, write_config

COUNTRIES = HelplineDirectory.load().countries()
alice = person("alice", "telegram", "501")
bob = person("bob", "telegram", "502")
stranger = person("sam", "discord", "123456789012345678")
CIRCLE_CHAT = Place("telegram", "-100123", private=False)  # where "circle" lives
OTHER_CHAT = Place("telegram", "-100999", private=False)  # no group lives here
CARERS_CHANNEL = Place(
    "discord", "222222222222222222", private=False, guild_id="111111111111111111"
)

# The organizer's own rows (invented for the test: 555 numbers are not real lines).
OVERRIDES = """
[[crisis.countries]]
code = "IS"
name = "Iceland"
names = ["Ísland"]
emergency = "112"

[[crisis.helplines]]
country = "GB"
service = "Riverside Listening Line"
phone = "555 0100"
hours = "evenings"
source = "https://example.org/riverside"
verified = 2026-11-20

[[crisis.helplines]]
country = "IS"
service = "Test Line"
phone = "555 0199"
text = "555 0198"
languages = ["Icelandic", "English"]
source = "https://example.org/test-line"
recorded = 2026-11-27
"""


def configured(tmp_path: Path, *, circle_country: str | None = "IE", extra: str = "") -> Path:
    path = write_config(tmp_path)
    text = path.read_text(encoding="utf-8")
    if circle_country is not None:
        text = text.replace('slug = "circle"\n', f'slug = "circle"\ncountry = "{circle_country}"\n')
    path.write_text(text + extra, encoding="utf-8")
    return path


@pytest.fixture
async def chat_harness(tmp_path: Path) -> AsyncIterator[Harness]:
    """The harness config, with group "circle" (a Telegram chat) meeting in Ireland."""
    opened = await Harness.open(configured(tmp_path))
    yield opened
    await opened.close()


async def crisis(harness: Harness, text: str, who: Actor, place: Place | None = None) -> Reply:
    [reply] = await harness.say(text, as_=who, place=place)
    assert reply.audience is Audience.ONLY_YOU
    return reply


def assert_lines_of(country: Country, text: str) -> None:
    assert f"call {country.emergency} now" in text
    for row in country.helplines:
        for way in (row.phone, row.text, row.chat):
            assert way in text, (country.code, row.service, way)
    assert "https://findahelpline.com" in text


def _plain(text: str) -> str:
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(char for char in decomposed if not unicodedata.combining(char))


@pytest.mark.parametrize("country", COUNTRIES, ids=[c.code for c in COUNTRIES])
async def test_crisis_gives_each_countrys_lines_by_code(harness: Harness, country: Country) -> None:
    reply = await crisis(harness, f"/crisis {country.code.lower()}", alice)
    assert_lines_of(country, reply.text)


@pytest.mark.parametrize("country", COUNTRIES, ids=[c.code for c in COUNTRIES])
async def test_crisis_gives_each_countrys_lines_by_any_of_its_names(
    harness: Harness, country: Country
) -> None:
    for name in country.names:
        for typed in (name.upper(), f"  {_plain(name).lower()}  ", name.swapcase()):
            reply = await crisis(harness, f"/crisis {typed}", alice)
            assert_lines_of(country, reply.text)


@pytest.mark.parametrize("typed", ["PE", "Atlantis", "help me please"])
async def test_a_country_i_do_not_list_gets_the_directory_and_the_usual_lines(
    harness: Harness, typed: str
) -> None:
    reply = await crisis(harness, f"/crisis {typed}", alice)
    assert f"I don't have lines for “{typed}” yet" in reply.text
    assert "please call your local emergency number" in reply.text
    assert "https://findahelpline.com" in reply.text
    assert "If you're in the United Kingdom" in reply.text  # the bot's country, in case
    assert "Samaritans: call 116 123" in reply.text


async def test_whatever_follows_crisis_it_answers_with_help(harness: Harness) -> None:
    reply = await crisis(harness, "/crisis " + "so tired " * 150, alice)
    assert "https://findahelpline.com" in reply.text
    assert "Samaritans: call 116 123" in reply.text


@pytest.mark.parametrize(
    ("who", "place"),
    [
        (alice, None),  # her private chat
        (alice, CIRCLE_CHAT),  # a group's shared chat
        (bob, OTHER_CHAT),  # a shared chat no group lives in
        (stranger, CARERS_CHANNEL),  # a Discord channel, someone in no group
        (stranger, None),
    ],
    ids=["private", "group-chat", "other-chat", "discord-channel", "discord-private"],
)
async def test_the_answer_is_only_for_the_asker_everywhere_member_or_not(
    harness: Harness, who: Actor, place: Place | None
) -> None:
    for text in ("/crisis", "/crisis us", "/crisis Atlantis"):
        reply = await crisis(harness, text, who, place)
        assert "https://findahelpline.com" in reply.text


async def test_crisis_writes_nothing_for_someone_the_bot_never_met(harness: Harness) -> None:
    await crisis(harness, "/crisis Ireland", stranger)
    rows = await harness.app.database.fetch_all("SELECT platform, user_id FROM members", {})
    assert rows == []


# ---------------------------------------------------------------------------
# Which country: the member's own, else the group's chat, else the bot's
# ---------------------------------------------------------------------------


async def test_in_a_groups_chat_its_country_comes_before_the_bots(chat_harness: Harness) -> None:
    in_chat = await crisis(chat_harness, "/crisis", alice, CIRCLE_CHAT)
    in_private = await crisis(chat_harness, "/crisis", alice)
    elsewhere = await crisis(chat_harness, "/crisis", bob, OTHER_CHAT)

    assert "In Ireland" in in_chat.text
    assert "call 112 or 999 now" in in_chat.text
    assert "50808" in in_chat.text
    assert "In the United Kingdom" in in_private.text
    assert "In the United Kingdom" in elsewhere.text


async def test_the_members_own_country_comes_before_the_groups(chat_harness: Harness) -> None:
    await chat_harness.say("/settings country US", as_=alice)
    mine = await crisis(chat_harness, "/crisis", alice, CIRCLE_CHAT)
    theirs = await crisis(chat_harness, "/crisis", bob, CIRCLE_CHAT)
    helped = await chat_harness.text("/help", as_=alice)

    assert "call 911 now" in mine.text
    assert "In Ireland" in theirs.text
    assert "988 Suicide & Crisis Lifeline" in helped


async def test_a_typed_country_comes_before_everything(chat_harness: Harness) -> None:
    await chat_harness.say("/settings country US", as_=alice)
    reply = await crisis(chat_harness, "/crisis Deutschland", alice, CIRCLE_CHAT)
    assert "In Germany" in reply.text
    assert "0800 111 0 111" in reply.text


async def test_with_storage_closed_the_groups_country_still_answers(
    chat_harness: Harness,
) -> None:
    await chat_harness.say("/settings country US", as_=alice)
    await chat_harness.app.database.close()
    in_chat = await crisis(chat_harness, "/crisis", alice, CIRCLE_CHAT)
    in_private = await crisis(chat_harness, "/crisis", alice)

    assert "In Ireland" in in_chat.text
    assert "In the United Kingdom" in in_private.text


async def test_the_console_never_picks_a_groups_country(chat_harness: Harness) -> None:
    """The console is a window onto every group: it gets the bot's country."""
    olive = person("olive")
    reply = await crisis(chat_harness, "/crisis", olive)
    assert "In the United Kingdom" in reply.text


async def test_groups_sharing_a_chat_but_not_a_country_give_the_bots(tmp_path: Path) -> None:
    extra = """
[[groups]]
slug = "fridays"
name = "Friday Circle"
capacity = 5
country = "FR"
telegram_chat_id = -100123
[groups.schedule]
weekday = "friday"
time = "19:00"
"""
    harness = await Harness.open(configured(tmp_path, extra=extra))
    try:
        reply = await crisis(harness, "/crisis", alice, CIRCLE_CHAT)
    finally:
        await harness.close()
    assert "In the United Kingdom" in reply.text


# ---------------------------------------------------------------------------
# The organizer's [crisis] config
# ---------------------------------------------------------------------------


async def test_configured_rows_replace_a_countrys_rows_and_add_countries(tmp_path: Path) -> None:
    harness = await Harness.open(configured(tmp_path, circle_country=None, extra=OVERRIDES))
    try:
        home = await crisis(harness, "/crisis", alice)
        added = await crisis(harness, "/crisis ísland", alice)
        by_code = await crisis(harness, "/crisis is", alice)
        other = await crisis(harness, "/crisis ie", alice)
    finally:
        await harness.close()

    assert "Riverside Listening Line: call 555 0100 (evenings)" in home.text
    assert "Samaritans" not in home.text  # the packaged GB rows are replaced
    assert "Shout" not in home.text
    assert "call 999 now" in home.text  # the packaged emergency number stays
    assert "In Iceland" in added.text
    assert "Test Line: call 555 0199, text 555 0198 (Icelandic, English)" in added.text
    assert "call 112 now" in added.text
    assert by_code.text == added.text
    assert "Samaritans: call 116 123" in other.text  # other countries keep theirs
