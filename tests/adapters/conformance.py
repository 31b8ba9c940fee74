"""The adapter conformance suite: what every adapter must do, whatever its platform.

An adapter's test module subclasses ``AdapterConformance`` and provides a ``driver``
fixture: something that plays people on the platform (speaking in their private chat or
in one shared chat, pressing buttons, filling in forms, blocking the bot) and reports
what each of them saw. The core behind the adapter is the real one; only the commands
are this suite's own (``conformance_commands``), so each contract point has one probe.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal, Protocol

import pytest

from adapters.base import Adapter
from bot.args import Args, ParamSpec
from bot.catalog import Catalog
from bot.clock import SystemClock
from bot.commands import CommandRegistry, CommandSpec, FormSpec
from bot.context import Context
from bot.dispatcher import Dispatcher
from bot.events import Actor, Place
from bot.platforms import MessageRef, Platforms, RecipientUnreachable
from bot.replies import (
    Attachment,
    Audience,
    Button,
    Choice,
    FieldKind,
    Form,
    FormField,
    Reply,
)
from bot.roles import Role
from tests.fakes.authority import EveryoneIsAMember
from tests.fakes.images import png

Where = Literal["chat", "only", "private"]
SECRET = "secret-for"  # every reply meant for one person carries this, plus their name
NOTES = "notes.txt"  # the file /file sends
CHART = "chart.png"  # the image /image sends


@dataclass(frozen=True)
class Seen:
    """One message as people saw it: in the shared chat (everyone), shown only to
    ``person`` inside the chat (ephemeral), or in ``person``'s private chat."""

    where: Where
    person: str | None
    text: str
    buttons: tuple[str, ...] = ()
    file: str | None = None  # the name of a file that came with it
    image: bool = False  # that file was shown as a picture (not only named, or a file)


class Driver(Protocol):
    adapter: Adapter

    async def say(self, person: str, text: str, *, shared: bool) -> list[Seen]:
        """``person`` sends ``text`` (in the shared chat, or their private chat); returns
        every message anyone saw as a result."""
        ...

    async def press(self, person: str, label: str, *, shared: bool) -> list[Seen]:
        """``person`` presses the button labelled ``label`` on the last message with it."""
        ...

    async def fill_form(self, person: str, answers: Sequence[str], *, shared: bool) -> list[Seen]:
        """``person`` answers the open form's fields in order."""
        ...

    async def block(self, person: str) -> None:
        """``person`` blocks the bot: private messages to them fail from now on."""
        ...

    def actor(self, person: str) -> Actor: ...

    def shared_place(self) -> Place: ...

    async def seen_since(self, action: object) -> list[Seen]:
        """What anyone saw as a result of a proactive call (send, edit, send_private)."""
        ...


def long_text(limit: int) -> str:
    """Two and a half messages' worth of words for a platform whose limit is ``limit``."""
    length = limit * 5 // 2
    return " ".join(f"word{n}" for n in range(length // 5))[:length]


def conformance_commands(max_text_length: int) -> CommandRegistry:
    """One command per contract point."""

    async def here(ctx: Context, args: Args) -> Reply:
        return Reply("For everyone: the group meets on Tuesdays.", audience=Audience.HERE)

    async def mine(ctx: Context, args: Args) -> Reply:
        return Reply(f"{SECRET} {ctx.actor.display_name}", audience=Audience.ONLY_YOU)

    async def dm(ctx: Context, args: Args) -> Reply:
        return Reply(f"{SECRET} {ctx.actor.display_name}", audience=Audience.PRIVATE_MESSAGE)

    async def choose(ctx: Context, args: Args) -> Reply:
        buttons = (Button("Pick apple", "picked:apple"), Button("Pick pear", "picked:pear"))
        return Reply("Which one?", audience=Audience.ONLY_YOU, buttons=buttons)

    async def picked(ctx: Context, args: Args) -> Reply:
        return Reply(f"You picked {args.text('fruit')}.", audience=Audience.ONLY_YOU)

    def survey_form(ctx: Context, argument: str) -> Form:
        mood = FormField(
            "mood",
            "How are you?",
            FieldKind.CHOICE,
            choices=tuple(Choice(str(n), f"{n} of 5") for n in range(1, 6)),
        )
        note = FormField("note", "Anything to add?", FieldKind.LONG_TEXT, required=False)
        return Form(f"survey:{argument}", "A short survey", (mood, note))

    async def survey(ctx: Context, args: Args) -> Reply:
        return Reply("Two quick questions.", audience=Audience.ONLY_YOU, form=survey_form(ctx, "x"))

    async def surveyed(ctx: Context, argument: str, answers: Args) -> Reply:
        text = f"Thanks: mood {answers.text('mood')}, note “{answers.text('note')}”."
        return Reply(text, audience=Audience.ONLY_YOU)

    async def long(ctx: Context, args: Args) -> Reply:
        return Reply(long_text(max_text_length), audience=Audience.HERE)

    async def file(ctx: Context, args: Args) -> Reply:
        notes = Attachment(NOTES, b"line one\nline two\n", "text/plain")
        return Reply("Your notes.", audience=Audience.HERE, attachment=notes)

    async def image(ctx: Context, args: Args) -> Reply:
        chart = Attachment(CHART, png(64, 32), "image/png")
        return Reply("Your chart: ▁▃▅·█", audience=Audience.HERE, attachment=chart)

    async def echo(ctx: Context, args: Args) -> Reply:
        return Reply(f"You said: {args.text('text')}", audience=Audience.HERE)

    fruit = ParamSpec("fruit", "params.group")
    text = ParamSpec("text", "params.group", rest=True)
    return CommandRegistry(
        [
            CommandSpec("here", "commands.help", here),
            CommandSpec("mine", "commands.help", mine),
            CommandSpec("dm", "commands.help", dm),
            CommandSpec("choose", "commands.help", choose),
            CommandSpec("picked", "commands.help", picked, (fruit,)),
            CommandSpec("survey", "commands.help", survey, form=FormSpec(survey_form, surveyed)),
            CommandSpec("long", "commands.help", long),
            CommandSpec("echo", "commands.help", echo, (text,)),
            CommandSpec("file", "commands.help", file),
            CommandSpec("image", "commands.help", image),
        ]
    )


def conformance_dispatcher(platforms: Platforms, max_text_length: int) -> Dispatcher:
    """The real dispatcher, with this suite's commands and everyone a member."""
    registry = conformance_commands(max_text_length)
    return Dispatcher(registry, EveryoneIsAMember(), platforms, Catalog.load(), SystemClock())


def _words(text: str) -> list[str]:
    return re.findall(r"\S+", text)


def _secret(seen: Sequence[Seen]) -> list[Seen]:
    return [s for s in seen if SECRET in s.text]


class AdapterConformance:
    """Subclass as ``Test<Platform>Conformance`` and provide a ``driver`` fixture."""

    # -- audiences -----------------------------------------------------------------------

    async def test_here_in_a_shared_chat_is_seen_by_the_chat(self, driver: Driver) -> None:
        seen = await driver.say("alice", "/here", shared=True)
        assert [(s.where, s.text) for s in seen] == [
            ("chat", "For everyone: the group meets on Tuesdays.")
        ]

    async def test_only_you_in_a_shared_chat_reaches_only_that_person(self, driver: Driver) -> None:
        seen = await driver.say("alice", "/mine", shared=True)
        [secret] = _secret(seen)
        assert secret.where in ("only", "private")
        assert secret.person == "alice"
        assert secret.text.endswith("alice")
        assert not [s for s in seen if s.where == "chat" and SECRET in s.text]

    async def test_a_private_message_goes_to_the_private_chat_with_a_neutral_pointer(
        self, driver: Driver
    ) -> None:
        seen = await driver.say("alice", "/dm", shared=True)
        [secret] = _secret(seen)
        assert (secret.where, secret.person) == ("private", "alice")
        in_chat = [s for s in seen if s.where == "chat"]
        assert all(SECRET not in s.text and "alice" not in s.text for s in in_chat)

    async def test_an_undeliverable_private_message_leaves_only_a_pointer(
        self, driver: Driver
    ) -> None:
        await driver.block("alice")
        seen = await driver.say("alice", "/dm", shared=True)
        assert _secret(seen) == []
        assert seen, "the person must be told something"
        # in the chat, or (where the platform can) shown to that person alone there
        assert all(s.where == "chat" or (s.where, s.person) == ("only", "alice") for s in seen)

    @pytest.mark.parametrize("command", ["/here", "/mine", "/dm"])
    async def test_in_a_private_chat_every_audience_arrives_there(
        self, driver: Driver, command: str
    ) -> None:
        seen = await driver.say("bob", command, shared=False)
        assert seen
        assert all((s.where, s.person) == ("private", "bob") for s in seen)

    # -- buttons and forms ---------------------------------------------------------------

    async def test_buttons_are_shown_and_pressing_one_runs_its_action(self, driver: Driver) -> None:
        [question] = await driver.say("bob", "/choose", shared=False)
        assert question.buttons == ("Pick apple", "Pick pear")

        seen = await driver.press("bob", "Pick pear", shared=False)

        assert [s.text for s in seen] == ["You picked pear."]

    async def test_a_form_is_filled_in_and_submitted(self, driver: Driver) -> None:
        await driver.say("bob", "/survey", shared=False)

        seen = await driver.fill_form("bob", ["4", "Slept well <b>&</b>"], shared=False)

        assert [s.text for s in seen][-1] == "Thanks: mood 4, note “Slept well <b>&</b>”."

    # -- text ----------------------------------------------------------------------------

    async def test_long_text_is_split_at_the_platform_limit(self, driver: Driver) -> None:
        limit = driver.adapter.capabilities.max_text_length
        seen = await driver.say("bob", "/long", shared=False)

        assert len(seen) >= 3
        assert all(len(s.text) <= limit for s in seen)
        assert _words(" ".join(s.text for s in seen)) == _words(long_text(limit))

    async def test_member_text_is_shown_literally(self, driver: Driver) -> None:
        text = "<b>@everyone</b> & *bold* _x_ `code` <@&123> [link](http://e.x)"
        [seen] = await driver.say("bob", f"/echo {text}", shared=True)
        assert seen.text == f"You said: {text}"

    # -- files ---------------------------------------------------------------------------

    async def test_an_attachment_arrives_with_its_text_where_the_reply_goes(
        self, driver: Driver
    ) -> None:
        privately = await driver.say("bob", "/file", shared=False)
        assert [(s.where, s.person, s.text, s.file) for s in privately] == [
            ("private", "bob", "Your notes.", NOTES)
        ]
        in_chat = await driver.say("bob", "/file", shared=True)
        assert [(s.where, s.text, s.file) for s in in_chat] == [("chat", "Your notes.", NOTES)]
        assert not any(s.image for s in privately + in_chat)

    async def test_an_image_is_a_picture_where_the_platform_shows_images(
        self, driver: Driver
    ) -> None:
        """Elsewhere it is named under its text, which must say the same in words."""
        pictured = driver.adapter.capabilities.images
        privately = await driver.say("bob", "/image", shared=False)
        assert [(s.where, s.person, s.text, s.file, s.image) for s in privately] == [
            ("private", "bob", "Your chart: ▁▃▅·█", CHART, pictured)
        ]
        in_chat = await driver.say("bob", "/image", shared=True)
        assert [(s.where, s.text, s.file, s.image) for s in in_chat] == [
            ("chat", "Your chart: ▁▃▅·█", CHART, pictured)
        ]

    # -- proactive sends -----------------------------------------------------------------

    async def test_send_private_reaches_the_person_or_raises_unreachable(
        self, driver: Driver
    ) -> None:
        reply = Reply(f"{SECRET} carol", audience=Audience.PRIVATE_MESSAGE)
        seen = await driver.seen_since(driver.adapter.send_private(driver.actor("carol"), reply))
        assert [(s.where, s.person, s.text) for s in seen] == [
            ("private", "carol", f"{SECRET} carol")
        ]

        await driver.block("carol")
        with pytest.raises(RecipientUnreachable):
            await driver.adapter.send_private(driver.actor("carol"), reply)

    async def test_send_and_edit_in_a_shared_chat(self, driver: Driver) -> None:
        place = driver.shared_place()
        sent: list[MessageRef] = []

        async def send() -> None:
            sent.append(await driver.adapter.send(place, Reply("first", audience=Audience.HERE)))

        assert [s.text for s in await driver.seen_since(send())] == ["first"]
        edit = driver.adapter.edit(sent[0], Reply("second", audience=Audience.HERE))
        assert [(s.where, s.text) for s in await driver.seen_since(edit)] == [("chat", "second")]

    async def test_an_ordinary_person_is_granted_nothing(self, driver: Driver) -> None:
        role = await driver.adapter.platform_role(driver.actor("dave"), driver.shared_place())
        assert role is Role.MEMBER
