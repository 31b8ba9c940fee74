"""The dispatcher: odd input, unknown commands, roles, and contained failures."""

from __future__ import annotations

import logging

import pytest

from bot.args import Args
from bot.catalog import Catalog
from bot.commands import CommandRegistry, CommandSpec, CommandText, parse_command_text
from bot.context import Context
from bot.dispatcher import Dispatcher
from bot.events import CommandInvoked, Place
from bot.platforms import Platforms
from bot.replies import Audience, Button, Reply
from tests.fakes.authority import EveryoneIsAMember
from tests.fakes.clock import FakeClock
from tests.harness import Harness, person

alice = person("alice")

ODD_INPUT = {
    "empty": "",
    "spaces": "   \t  ",
    "huge": "x" * 5000,
    "huge_command": "/join " + "y" * 5000,
    "control_chars": "/gro\x00ups\x1b[31m",
    "emoji": "🫂💬🌱",
    "rtl": "مرحبا، كيف حالك؟",
    "bidi_override": "/join \u202ecircle",
    "slash_only": "/",
    "unknown": "/frobnicate",
    "markup": "<b>@everyone</b> *hi*",
    "newlines": "/join\n\ncircle",
}


@pytest.mark.parametrize("text", ODD_INPUT.values(), ids=ODD_INPUT.keys())
async def test_odd_input_gets_one_helpful_reply(harness: Harness, text: str) -> None:
    replies = await harness.say(text, as_=alice)

    assert len(replies) >= 1
    for reply in replies:
        assert reply.text.strip()
        assert "Traceback" not in reply.text
        assert "Error" not in reply.text
        assert "went wrong on my side" not in reply.text  # handled, not an incident


async def test_a_huge_message_is_refused_kindly_and_nothing_is_saved(harness: Harness) -> None:
    [reply] = await harness.say("/join circle " + "z" * 5000, as_=alice)
    assert "longer than I can read" in reply.text
    assert "5013 characters" in reply.text
    assert "You haven't joined" in await harness.text("/mygroups", as_=alice)


async def test_unknown_commands_suggest_the_nearest_one(harness: Harness) -> None:
    assert "Did you mean /groups?" in await harness.text("/grups", as_=alice)
    assert "Did you mean" not in await harness.text("/xyzzy", as_=alice)


async def test_a_member_is_not_offered_facilitator_commands(harness: Harness) -> None:
    reply = await harness.text("/rostr", as_=alice)
    assert "/roster" not in reply


async def test_telegram_style_commands_with_a_bot_name_work(harness: Harness) -> None:
    assert "you have a seat" in await harness.text("/JOIN@PeerCircleBot circle", as_=alice)


async def test_help_lists_commands_for_the_role_and_crisis_help(harness: Harness) -> None:
    member_help = await harness.text("/help", as_=alice)
    facilitator_help = await harness.text("/help", as_=person("fran"))

    assert "/join [group]" in member_help
    assert "/roster" not in member_help
    assert "/roster <group>" in facilitator_help
    assert "What I store" in member_help
    assert "Anonymity" in member_help
    assert "116 123" in member_help
    assert "findahelpline.com" in member_help


async def test_plain_text_points_to_commands_and_crisis_help(harness: Harness) -> None:
    assert "/crisis" in await harness.text("hello there", as_=alice)


async def test_crisis_answers_even_when_the_database_is_gone(harness: Harness) -> None:
    await harness.app.database.close()

    [crisis] = await harness.say("/crisis", as_=alice)
    [start] = await harness.say("/start", as_=alice)

    assert "999" in crisis.text
    assert "Samaritans" in crisis.text
    assert crisis.audience is Audience.ONLY_YOU
    assert "Samaritans: call 116 123" in start.text
    assert "/crisis" in start.text
    assert [b.action for b in start.buttons] == ["groups:", "help:"]


def _registry_with(handler_error: Exception) -> CommandRegistry:
    async def explode(ctx: Context, args: Args) -> Reply:
        raise handler_error

    return CommandRegistry([CommandSpec("explode", "commands.help", explode)])


async def test_an_unexpected_error_becomes_an_incident_without_member_text_in_logs(
    caplog: pytest.LogCaptureFixture,
) -> None:
    secret = "my private note about my week"
    dispatcher = Dispatcher(
        _registry_with(ValueError(secret)),
        EveryoneIsAMember(),
        Platforms(),
        Catalog.load(),
        FakeClock(),
    )
    place = Place("console", "alice", private=True)

    with caplog.at_level(logging.ERROR):
        [reply] = await dispatcher.handle(CommandInvoked(alice, place, "explode"))

    incident_id = reply.text.split("code ")[1].split(".")[0]
    assert incident_id.startswith("INC-")
    assert secret not in reply.text
    assert "ValueError" not in reply.text
    assert incident_id in caplog.text
    assert "ValueError" in caplog.text
    assert secret not in caplog.text


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("/join tuesday", CommandText("join", "tuesday")),
        ("/Join@PeerCircleBot  two words ", CommandText("join", "two words", "PeerCircleBot")),
        ("/groups", CommandText("groups", "")),
        ("join tuesday", None),
        ("/", None),
        ("/ join", None),
    ],
)
def test_command_text_parsing(text: str, expected: CommandText | None) -> None:
    assert parse_command_text(text) == expected


def test_button_actions_fit_telegram_callback_data() -> None:
    Button("ok", "join:" + "a" * 59)
    with pytest.raises(ValueError, match="64 bytes"):
        Button("too long", "join:" + "a" * 60)
    with pytest.raises(ValueError, match="command:args"):
        Button("no verb", "join")


async def test_in_a_group_chat_the_bot_answers_commands_only(harness: Harness) -> None:
    group_chat = Place("telegram", chat_id="-100123", private=False)
    tina = person("tina", platform="telegram", user_id="777")

    for chatter in ("hi everyone", "", "😊", "x" * 5000):
        assert await harness.say(chatter, as_=tina, place=group_chat) == []

    [reply] = await harness.say("/groups", as_=tina, place=group_chat)
    assert "Here are the groups" in reply.text
    [too_long] = await harness.say("/join " + "x" * 5000, as_=tina, place=group_chat)
    assert "longer than I can read" in too_long.text
    assert too_long.audience is Audience.ONLY_YOU
