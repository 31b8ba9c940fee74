"""The dispatcher's paths for forms, buttons and limits, on its own commands."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from bot.args import Args, ParamSpec
from bot.catalog import Catalog
from bot.commands import CommandRegistry, CommandSpec, FormSpec
from bot.context import Context
from bot.dispatcher import Dispatcher
from bot.events import ActionPressed, Actor, FormSubmitted, Place, TextReceived
from bot.platforms import Platforms
from bot.replies import Audience, Form, FormField, Reply
from bot.roles import Role
from tests.fakes.authority import EveryoneIsAMember
from tests.fakes.clock import FakeClock

ann = Actor("console", "ann", "Ann")
HOME = Place("console", "ann", private=True)
LIMIT = 100


def _form(ctx: Context, argument: str) -> Form:
    title = f"Notes for {ctx.actor.display_name}"
    return Form(f"note:{argument}", title, (FormField("text", "Your note", max_length=20),))


async def _note(ctx: Context, args: Args) -> Reply:
    return Reply("Write it:", audience=Audience.ONLY_YOU, form=_form(ctx, "g1"))


async def _noted(ctx: Context, argument: str, answers: Args) -> Reply:
    when = ctx.clock.now().date().isoformat()
    text = f"{argument}|{answers.text('text')}|{when}"
    return Reply(text, audience=Audience.ONLY_YOU)


async def _echo(ctx: Context, args: Args) -> Reply:
    return Reply(f"got {args.optional_text('rest')}", audience=Audience.ONLY_YOU)


def _dispatcher() -> Dispatcher:
    registry = CommandRegistry(
        [
            CommandSpec("note", "commands.help", _note, form=FormSpec(_form, _noted)),
            CommandSpec(
                "secret",
                "commands.help",
                _note,
                min_role=Role.FACILITATOR,
                form=FormSpec(_form, _noted),
            ),
            CommandSpec(
                "echo",
                "commands.help",
                _echo,
                (ParamSpec("rest", "params.group", required=False, rest=True, max_length=500),),
            ),
        ]
    )
    clock = FakeClock(datetime(2026, 11, 27, 12, tzinfo=UTC))
    return Dispatcher(
        registry,
        EveryoneIsAMember(),
        Platforms(),
        Catalog.load(),
        clock,
        max_input_chars=LIMIT,
    )


async def _submit(form_id: str, **values: str) -> list[Reply]:
    return await _dispatcher().handle(FormSubmitted(ann, HOME, form_id, values))


async def test_a_submitted_form_reaches_its_handler_with_its_argument() -> None:
    [reply] = await _submit("note:g1:extra", text="feeling ok")
    assert reply.text == "g1:extra|feeling ok|2026-11-27"


async def test_a_form_is_rebuilt_for_the_person_who_submits_it() -> None:
    [opened] = await _dispatcher().handle(TextReceived(ann, HOME, "/note"))
    assert opened.form is not None
    assert opened.form.title == "Notes for Ann"


async def test_a_form_whose_command_is_gone_has_expired() -> None:
    [reply] = await _submit("vanished:x", text="hi")
    assert "isn't available any more" in reply.text
    assert reply.audience is Audience.ONLY_YOU


async def test_a_form_id_longer_than_any_form_of_ours_has_expired() -> None:
    """A client may send any id; one too long for a form (whose rebuilding would fail)
    is none the bot showed. The fuzzing found /checkin's ending in an incident."""
    [reply] = await _submit("note:" + "x" * 60, text="hi")
    [odd] = await _submit("note:g1\ud800\x00", text="hi")
    assert "isn't available any more" in reply.text
    assert odd.text == "g1|hi|2026-11-27"


async def test_a_wrong_answer_is_refused_with_the_field_named() -> None:
    [reply] = await _submit("note:g1", text="x" * 21)
    assert "“Your note” is longer than I can keep (20 characters at most)" in reply.text


async def test_a_form_needs_the_role_its_command_needs() -> None:
    [reply] = await _submit("secret:g1", text="hi")
    assert "/secret is for group facilitators" in reply.text


async def test_a_line_at_the_limit_is_read_and_one_past_it_is_refused() -> None:
    dispatcher = _dispatcher()
    at_limit = "/echo " + "y" * (LIMIT - 6)
    [taken] = await dispatcher.handle(TextReceived(ann, HOME, at_limit))
    [refused] = await dispatcher.handle(TextReceived(ann, HOME, at_limit + "y"))
    assert taken.text.startswith("got y")
    assert f"({LIMIT + 1} characters; I read up to {LIMIT})" in refused.text


async def test_a_button_with_too_much_after_its_command_is_refused() -> None:
    [refused] = await _dispatcher().handle(ActionPressed(ann, HOME, "echo:" + "z" * (LIMIT + 1)))
    assert f"I read up to {LIMIT}" in refused.text


@pytest.mark.parametrize("typed", ["/frobnicate", "/Frob\x1b[31mnicate"])
async def test_an_unknown_command_is_named_back_cleanly(typed: str) -> None:
    [reply] = await _dispatcher().handle(TextReceived(ann, HOME, typed))
    assert reply.text.startswith("I don't know the command /frobnicate.")
