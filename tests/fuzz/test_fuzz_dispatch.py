"""Fuzzing every handler through the dispatcher: any command with any arguments, any
message, any button, any slash command's options, any form's answers, from anyone,
anywhere. None may end in an incident (a reply or a logged one) or show raw control
characters; every command of the registry is fuzzed (the matrix's table lists them)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bot.events import ActionPressed, Actor, CommandInvoked, FormSubmitted, TextReceived
from bot.roles import Role
from bot.text import clean_input
from tests.domain.matrix_world import RULES
from tests.fuzz.strategies import examples, mutated, nasty_text, numbers, pick, words
from tests.fuzz.world import FuzzWorld, grants, open_world, places, speakers


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory) -> Iterator[FuzzWorld]:
    with open_world(tmp_path_factory.mktemp("fuzz")) as opened:
        yield opened


def test_every_registered_command_is_fuzzed(world: FuzzWorld) -> None:
    assert {spec.name for spec in world.harness.app.dispatcher.commands} == set(RULES)


def _invocation(name: str) -> st.SearchStrategy[str]:
    """``/name args`` as people type it: any case, maybe @bot, odd separators."""
    typed = st.sampled_from([name, name.upper(), name.capitalize(), f"{name}@PeerCircleBot"])
    separator = st.sampled_from([" ", "  ", "\n", "\t", "\u00a0"])
    arguments = pick(nasty_text(), *(mutated(line) for line in RULES[name].lines))
    return st.builds(lambda n, s, a: f"/{n}{s}{a}", typed, separator, arguments)


@pytest.mark.parametrize("command", sorted(RULES))
@examples(10)
@given(speakers(), st.data(), grants())
def test_any_arguments_to_any_command(
    world: FuzzWorld, command: str, actor: Actor, data: st.DataObject, role: Role
) -> None:
    place = data.draw(places(actor))
    text = data.draw(_invocation(command))
    world.grant(actor, place, role)
    world.handle(TextReceived(actor, place, text))


@examples(40)
@given(speakers(), st.data(), grants(), nasty_text())
def test_any_message_anywhere(
    world: FuzzWorld, actor: Actor, data: st.DataObject, role: Role, text: str
) -> None:
    place = data.draw(places(actor))
    world.grant(actor, place, role)
    replies = world.handle(TextReceived(actor, place, text))
    # People talking to each other get no word from the bot. (What it reads is the text
    # cleaned: "\x1b[31m/join" is a command, as the escape is never shown.)
    if not place.private and not clean_input(text).startswith("/"):
        assert replies == []


def _values(world: FuzzWorld, name: str) -> st.SearchStrategy[dict[str, str]]:
    """A slash command's options: its parameters' names (and sometimes others), with
    values that work, or odd ones."""
    spec = world.harness.app.dispatcher.commands.get(name)
    params = [] if spec is None else [param.name for param in spec.params]
    seeds = [word for line in RULES.get(name, RULES["help"]).lines for word in line.split()]
    value = pick(nasty_text(), *(mutated(seed) for seed in seeds))
    keys = pick(st.sampled_from(params or ["group"]), words())
    return st.dictionaries(keys, value, max_size=4)


@examples(40)
@given(speakers(), st.data(), grants(), st.sampled_from(sorted(RULES)))
def test_any_slash_command_options(
    world: FuzzWorld, actor: Actor, data: st.DataObject, role: Role, name: str
) -> None:
    place = data.draw(places(actor))
    values = data.draw(_values(world, name))
    typed_name = data.draw(st.sampled_from([name, name.upper(), data.draw(words())]))
    world.grant(actor, place, role)
    world.handle(CommandInvoked(actor, place, typed_name, values))


@examples(40)
@given(speakers(), st.data(), grants(), st.sampled_from(sorted(RULES)))
def test_any_button_press(
    world: FuzzWorld, actor: Actor, data: st.DataObject, role: Role, name: str
) -> None:
    """A button's action as a client could forge it: any command, any arguments."""
    place = data.draw(places(actor))
    rest = data.draw(pick(nasty_text(), *(mutated(line) for line in RULES[name].lines)))
    action = data.draw(pick(st.just(f"{name}:{rest}"), nasty_text()))
    world.grant(actor, place, role)
    world.handle(ActionPressed(actor, place, action))


FORM_FIELDS = ("timezone", "country", "quiet", "mood", "note")


@examples(40)
@given(speakers(), st.data(), grants())
def test_any_form_submission(
    world: FuzzWorld, actor: Actor, data: st.DataObject, role: Role
) -> None:
    """A form's answers as a client could forge them: any form id, any fields."""
    place = data.draw(places(actor))
    form_id = data.draw(
        pick(
            st.sampled_from(["settings:", "checkin:circle", "checkin:carers", "checkin:"]),
            st.builds(
                lambda name, rest: f"{name}:{rest}",
                st.sampled_from(["settings", "checkin", *sorted(RULES)]),
                pick(words(), nasty_text()),
            ),
            nasty_text(),
        )
    )
    keys = pick(st.sampled_from(FORM_FIELDS), words())
    answers = pick(nasty_text(), numbers(), st.sampled_from(["1", "3", "5", "Europe/Dublin", "IE"]))
    values = data.draw(st.dictionaries(keys, answers, max_size=6))
    world.grant(actor, place, role)
    world.handle(FormSubmitted(actor, place, form_id, values))
