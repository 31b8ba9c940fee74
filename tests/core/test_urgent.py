"""Urgent commands: which incoming events the dispatcher calls urgent, and that every
command marked urgent really answers without storage (adapters run them at once)."""

from __future__ import annotations

import pytest

from bot.events import (
    ActionPressed,
    CommandInvoked,
    FormSubmitted,
    Incoming,
    Place,
    TextReceived,
)
from tests.harness import Harness, person, private_chat

alice = person("alice")
HOME = private_chat(alice)
SHARED = Place("console", "#circle-chat", private=False)

URGENT = {
    "typed": TextReceived(alice, HOME, "/crisis"),
    "capitals_and_bot_name": TextReceived(alice, HOME, "/CRISIS@PeerCircleBot"),
    "with_arguments": TextReceived(alice, HOME, "  /help me please"),
    "invisible_mark_before": TextReceived(alice, HOME, "\u200f/crisis"),
    "escapes_cleaned_away": TextReceived(alice, HOME, "\x00\x1b[2J/crisis\x00"),
    "in_a_shared_chat": TextReceived(alice, SHARED, "/crisis"),
    "help": TextReceived(alice, HOME, "/help"),
    "slash_command": CommandInvoked(alice, HOME, "Crisis"),
    "crisis_button": ActionPressed(alice, HOME, "crisis:"),
    "help_button": ActionPressed(alice, SHARED, "help:"),
}

NOT_URGENT = {
    "join": TextReceived(alice, HOME, "/join circle"),
    "groups": TextReceived(alice, HOME, "/groups"),
    "start": TextReceived(alice, HOME, "/start"),
    "crisis_in_a_sentence": TextReceived(alice, HOME, "I need /crisis"),
    "look_alike": TextReceived(alice, HOME, "/crisiss"),
    "plain_text": TextReceived(alice, HOME, "crisis"),
    "empty": TextReceived(alice, HOME, ""),
    "slash_only": TextReceived(alice, HOME, "/"),
    "text_before": TextReceived(alice, HOME, "x/crisis"),
    "join_button": ActionPressed(alice, HOME, "join:circle"),
    "empty_button": ActionPressed(alice, HOME, ""),
    "slash_join": CommandInvoked(alice, HOME, "join", {"group": "circle"}),
    "form": FormSubmitted(alice, HOME, "crisis:", {}),
}


@pytest.mark.parametrize("incoming", URGENT.values(), ids=URGENT.keys())
def test_crisis_and_help_are_urgent_however_they_arrive(
    harness: Harness, incoming: Incoming
) -> None:
    assert harness.app.dispatcher.is_urgent(incoming) is True


@pytest.mark.parametrize("incoming", NOT_URGENT.values(), ids=NOT_URGENT.keys())
def test_everything_else_waits_its_turn(harness: Harness, incoming: Incoming) -> None:
    assert harness.app.dispatcher.is_urgent(incoming) is False


@pytest.mark.parametrize("incoming", URGENT.values(), ids=URGENT.keys())
async def test_what_is_called_urgent_is_what_the_dispatcher_runs_as_crisis_or_help(
    harness: Harness, incoming: Incoming
) -> None:
    replies = await harness.handle(incoming)
    assert any("116 123" in reply.text for reply in replies)  # both show the helplines


def test_exactly_crisis_and_help_are_marked_urgent(harness: Harness) -> None:
    urgent = [spec.name for spec in harness.app.dispatcher.commands if spec.urgent]
    assert urgent == ["help", "crisis"]


async def test_every_urgent_command_answers_without_the_database(harness: Harness) -> None:
    """What "urgent" promises: no storage at all, so nothing it could wait on."""
    await harness.app.database.close()
    facilitator = person("fran")  # /help lists more for a facilitator: still no storage

    for spec in harness.app.dispatcher.commands:
        if not spec.urgent:
            continue
        for who in (alice, facilitator):
            replies = await harness.say(f"/{spec.name}", as_=who)
            assert replies, spec.name
            for reply in replies:
                assert "went wrong on my side" not in reply.text, spec.name


async def test_a_database_command_would_fail_that_way(harness: Harness) -> None:
    """The check above can fail: a command that reads storage does, without it."""
    await harness.app.database.close()
    assert "went wrong on my side" in await harness.text("/mygroups", as_=alice)
