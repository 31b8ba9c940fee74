"""Fuzzing what turns typed text into a command and its checked arguments, and what
checks a form's answers: they never fail except with a ``UserError`` the catalog can
word, and what they pass on is clean and within its limits."""

from __future__ import annotations

import re

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bot.args import Args, ParamSpec, bind_args, split_text
from bot.catalog import Catalog
from bot.commands import parse_command_text
from bot.errors import UserError
from bot.forms import check_answers, choice_for
from bot.replies import Choice, FieldKind, Form, FormField
from bot.text import clean_input, clean_input_thoroughly
from tests.fuzz.strategies import examples, nasty_text, unsafe_characters, words

CATALOG = Catalog.load()
NAME = re.compile(r"[a-z][a-z0-9_]{0,11}")
ARGUMENT_ERRORS = {"core.unknown_argument", "core.missing_argument", "core.argument_too_long"}
FORM_ERRORS = {"core.form.missing", "core.form.not_a_choice", "core.form.too_long"}


def _worded(error: UserError, keys: set[str]) -> None:
    """A refusal the person is shown: a known key whose text fills in."""
    assert error.key in keys
    assert CATALOG.text(error.key, **error.params)


@examples(60)
@given(nasty_text())
def test_any_line_is_a_command_or_not(text: str) -> None:
    parsed = parse_command_text(text)

    if parsed is None:
        return
    assert text.strip().startswith("/")
    assert re.fullmatch(r"[a-z0-9_]+", parsed.name)
    assert parsed.rest == parsed.rest.strip()


@examples(60)
@given(st.from_regex(r"[A-Za-z0-9_]{1,40}", fullmatch=True), nasty_text())
def test_a_command_line_keeps_its_name_and_arguments(name: str, rest: str) -> None:
    parsed = parse_command_text(f"/{name} {rest}")

    assert parsed is not None
    assert parsed.name == name.lower()
    assert parsed.rest == rest.strip()
    assert parsed.bot is None


@st.composite
def param_lists(draw: st.DrawFn) -> tuple[ParamSpec, ...]:
    names = draw(st.lists(st.from_regex(NAME, fullmatch=True), max_size=4, unique=True))
    params = [
        ParamSpec(
            name,
            "params.group",
            required=draw(st.booleans()),
            max_length=draw(st.integers(min_value=1, max_value=300)),
        )
        for name in names
    ]
    last_takes_the_rest: bool = draw(st.booleans())
    if params and last_takes_the_rest:
        last = params[-1]
        params[-1] = ParamSpec(
            last.name, last.description_key, last.required, True, last.max_length
        )
    return tuple(params)


def _bound_well(params: tuple[ParamSpec, ...], args: Args) -> None:
    for param in params:
        value = args.optional_text(param.name)
        if value is None:
            assert not param.required
            continue
        assert value
        assert value == value.strip()
        assert len(value) <= param.max_length
        assert unsafe_characters(value) == []
        if not param.rest:
            assert value == " ".join(value.split())


@examples(80)
@given(param_lists(), nasty_text())
def test_typed_arguments_are_split_then_bound_or_refused_kindly(
    params: tuple[ParamSpec, ...], text: str
) -> None:
    values = split_text(params, clean_input(text))

    assert set(values) <= {param.name for param in params}
    for param in params:
        if param.name in values and not param.rest:
            assert values[param.name].split() == [values[param.name]]
    try:
        args = bind_args(params, values, "/fuzz")
    except UserError as error:
        _worded(error, ARGUMENT_ERRORS)
        return
    _bound_well(params, args)


@examples(60)
@given(
    param_lists(),
    st.dictionaries(st.one_of(st.from_regex(NAME, fullmatch=True), st.text()), nasty_text()),
)
def test_a_platforms_separated_arguments_are_bound_or_refused_kindly(
    params: tuple[ParamSpec, ...], values: dict[str, str]
) -> None:
    """A Discord slash command's options arrive already split: any names, any values."""
    try:
        args = bind_args(params, values, "/fuzz")
    except UserError as error:
        _worded(error, ARGUMENT_ERRORS)
        return
    _bound_well(params, args)


@st.composite
def forms(draw: st.DrawFn) -> Form:
    names = draw(st.lists(st.from_regex(NAME, fullmatch=True), min_size=1, max_size=5, unique=True))
    fields = []
    for name in names:
        kind = draw(st.sampled_from(FieldKind))
        choices: tuple[Choice, ...] = ()
        if kind is FieldKind.CHOICE:
            values = draw(st.lists(words(), min_size=1, max_size=5, unique=True))
            choices = tuple(Choice(value, draw(words())) for value in values)
        fields.append(
            FormField(
                name,
                draw(words()),
                kind,
                required=draw(st.booleans()),
                max_length=draw(st.integers(min_value=1, max_value=4000)),
                choices=choices,
            )
        )
    return Form("fuzz:x", "Fuzz", tuple(fields))


@examples(60)
@given(forms(), st.data())
def test_a_forms_answers_are_checked_or_refused_kindly(form: Form, data: st.DataObject) -> None:
    keys = st.one_of(st.sampled_from([f.name for f in form.fields]), st.text(max_size=8))
    submitted = data.draw(st.dictionaries(keys, nasty_text()))
    try:
        answers = check_answers(form, submitted)
    except UserError as error:
        _worded(error, FORM_ERRORS)
        return
    for form_field in form.fields:
        answer = answers.text(form_field.name)
        assert answer or not form_field.required
        if not answer:
            continue
        if form_field.kind is FieldKind.CHOICE:
            assert answer in {choice.value for choice in form_field.choices}
            continue
        assert len(answer) <= form_field.max_length
        assert unsafe_characters(answer) == []
        if form_field.kind is FieldKind.SHORT_TEXT:
            assert "\n" not in answer


@examples(60)
@given(forms(), nasty_text())
def test_a_typed_choice_names_one_of_the_choices_or_none(form: Form, typed: str) -> None:
    for question in form.fields:
        if question.kind is not FieldKind.CHOICE:
            continue
        chosen = choice_for(question, typed)
        assert chosen is None or chosen in {choice.value for choice in question.choices}


@pytest.mark.parametrize("typed", ["9" * 5000, "١" * 10, "²", "0", "-1"])
def test_a_typed_choice_by_number_only_counts_in_range(typed: str) -> None:
    question = FormField(
        "mood", "Mood", FieldKind.CHOICE, choices=(Choice("a", "A"), Choice("b", "B"))
    )
    assert choice_for(question, typed) is None


@examples(200)
@given(st.one_of(nasty_text(), st.text(alphabet=st.characters(max_codepoint=127))))
def test_the_printable_ascii_shortcut_cleans_as_the_full_pass_does(text: str) -> None:
    assert clean_input(text) == clean_input_thoroughly(text)
