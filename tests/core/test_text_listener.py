"""The dispatcher's seam for plain private text: a listener answers first, the core's
usual pointer otherwise; failures are contained; shared chats stay silent."""

from __future__ import annotations

import logging

import pytest

from bot.catalog import Catalog
from bot.commands import CommandRegistry, HandlerResult
from bot.context import Context
from bot.dispatcher import Dispatcher
from bot.events import Place, TextReceived
from bot.listeners import TextListener
from bot.platforms import Platforms
from bot.replies import Audience, Reply
from tests.fakes.authority import EveryoneIsAMember
from tests.fakes.clock import FakeClock
from tests.harness import person

alice = person("alice")
PRIVATE = Place("console", "alice", private=True)
SHARED = Place("telegram", "-100123", private=False)
NOT_A_COMMAND = Catalog.load().text("core.not_a_command")


class Recording:
    """Answers "hello" with a reply, "quiet" with None, "empty" with [], and raises
    (with the text in the error) on "boom"; remembers what it heard."""

    def __init__(self) -> None:
        self.heard: list[str] = []

    async def on_private_text(self, ctx: Context, text: str) -> HandlerResult | None:
        self.heard.append(text)
        if text == "boom":
            raise ValueError(f"listener choked on {text}")
        if text == "quiet":
            return None
        if text == "empty":
            return []
        return Reply(f"heard you, {ctx.actor.display_name}", audience=Audience.ONLY_YOU)


def _dispatcher(listener: TextListener | None) -> Dispatcher:
    return Dispatcher(
        CommandRegistry(),
        EveryoneIsAMember(),
        Platforms(),
        Catalog.load(),
        FakeClock(),
        text_listener=listener,
    )


async def test_the_listener_answers_a_private_message_first() -> None:
    listener = Recording()
    replies = await _dispatcher(listener).handle(TextReceived(alice, PRIVATE, "  hello  "))
    assert [(r.text, r.audience) for r in replies] == [("heard you, Alice", Audience.ONLY_YOU)]
    assert listener.heard == ["hello"]


@pytest.mark.parametrize("text", ["quiet", "empty"])
async def test_without_an_answer_the_core_points_to_the_commands(text: str) -> None:
    [reply] = await _dispatcher(Recording()).handle(TextReceived(alice, PRIVATE, text))
    assert reply.text == NOT_A_COMMAND


async def test_without_a_listener_nothing_changes() -> None:
    [reply] = await _dispatcher(None).handle(TextReceived(alice, PRIVATE, "hello"))
    assert reply.text == NOT_A_COMMAND


async def test_shared_chats_and_commands_never_reach_the_listener() -> None:
    listener = Recording()
    dispatcher = _dispatcher(listener)
    assert await dispatcher.handle(TextReceived(alice, SHARED, "hello")) == []
    await dispatcher.handle(TextReceived(alice, PRIVATE, "/nothing"))
    assert listener.heard == []


async def test_a_failing_listener_is_an_incident_without_the_text_in_logs(
    caplog: pytest.LogCaptureFixture,
) -> None:
    with caplog.at_level(logging.DEBUG):
        [reply] = await _dispatcher(Recording()).handle(TextReceived(alice, PRIVATE, "boom"))
    assert "went wrong on my side" in reply.text
    assert reply.audience is Audience.ONLY_YOU
    assert "ValueError" in caplog.text
    assert "choked" not in caplog.text
    assert "boom" not in caplog.text
