"""The one place arguments and form answers are checked, at their limits."""

from __future__ import annotations

import pytest

from bot.args import ParamSpec, bind_args, split_text
from bot.errors import UserError
from bot.forms import check_answers
from bot.replies import Choice, FieldKind, Form, FormField

GROUP = ParamSpec("group", "params.group", max_length=10)
MEMBER = ParamSpec("member", "params.member", rest=True, max_length=10)
NOTE = ParamSpec("note", "params.member", required=False, rest=True)


def test_a_value_at_the_limit_is_taken_and_one_past_it_is_refused() -> None:
    assert bind_args((GROUP,), {"group": "x" * 10}, "/x").text("group") == "x" * 10
    with pytest.raises(UserError) as caught:
        bind_args((GROUP,), {"group": "x" * 11}, "/x")
    assert caught.value.key == "core.argument_too_long"
    assert caught.value.params == {"param": "group", "limit": 10}


def test_missing_values_name_the_parameter_and_the_usage() -> None:
    with pytest.raises(UserError) as caught:
        bind_args((GROUP, MEMBER), split_text((GROUP, MEMBER), "circle"), "/remove <g> <m>")
    assert caught.value.params == {"param": "member", "usage": "/remove <g> <m>"}


def test_fewer_words_than_parameters_leave_the_rest_out() -> None:
    assert split_text((GROUP, MEMBER), "") == {}
    assert split_text((GROUP, MEMBER), "circle") == {"group": "circle"}
    assert split_text((GROUP, NOTE), "circle  two   words") == {
        "group": "circle",
        "note": "two words",
    }


def test_an_optional_value_may_be_absent_and_spaces_are_tidied() -> None:
    bound = bind_args((GROUP, NOTE), {"group": "  my   circle "}, "/x")
    assert bound.text("group") == "my circle"
    assert bound.optional_text("note") is None
    with pytest.raises(KeyError):
        bound.text("note")


MOOD = FormField(
    "mood", "How are you?", FieldKind.CHOICE, choices=(Choice("1", "low"), Choice("5", "good"))
)
WORD = FormField("word", "One word", max_length=5)
STORY = FormField("story", "Tell us", FieldKind.LONG_TEXT, required=False, max_length=50)
FORM = Form("survey:x", "Survey", (MOOD, WORD, STORY))


def test_answers_are_cleaned_and_checked_against_their_fields() -> None:
    answers = check_answers(
        FORM, {"mood": "5", "word": " a \x1b[31m b ", "story": "line one\n\x07line two", "x": "?"}
    )
    assert answers.text("mood") == "5"
    assert answers.text("word") == "a b"  # one line
    assert answers.text("story") == "line one\nline two"  # a paragraph keeps its breaks
    assert answers.optional_text("x") is None  # fields the form does not have are dropped


def test_an_empty_optional_answer_is_empty_not_missing() -> None:
    answers = check_answers(FORM, {"mood": "1", "word": "hi"})
    assert answers.text("story") == ""


@pytest.mark.parametrize(
    ("submitted", "key", "field"),
    [
        ({"word": "hi"}, "core.form.missing", "How are you?"),
        ({"mood": "3", "word": "hi"}, "core.form.not_a_choice", "How are you?"),
        ({"mood": "1", "word": "toolong"}, "core.form.too_long", "One word"),
        ({"mood": "1", "word": "   "}, "core.form.missing", "One word"),
    ],
)
def test_a_wrong_answer_names_the_field_to_fix(
    submitted: dict[str, str], key: str, field: str
) -> None:
    with pytest.raises(UserError) as caught:
        check_answers(FORM, submitted)
    assert caught.value.key == key
    assert caught.value.params["field"] == field


def test_an_answer_at_the_limit_is_taken() -> None:
    assert check_answers(FORM, {"mood": "1", "word": "five5"}).text("word") == "five5"


@pytest.mark.parametrize(
    "make",
    [
        lambda: FormField("Bad Name", "x"),
        lambda: FormField("mood", "x", FieldKind.CHOICE),
        lambda: FormField("word", "x", choices=(Choice("1", "one"),)),
        lambda: FormField("word", "x", max_length=0),
        lambda: FormField("word", "x", max_length=4001),
        lambda: Form("survey:x", "Survey", ()),
        lambda: Form("survey:x", "Survey", (WORD,) * 6),
        lambda: Form("no-colon", "Survey", (WORD,)),
    ],
)
def test_forms_that_no_platform_could_show_are_refused(make: object) -> None:
    with pytest.raises(ValueError):  # noqa: PT011 - each case has its own message
        make()  # type: ignore[operator]


def test_forms_at_the_platform_limits_are_fine() -> None:
    Form("survey:x", "Survey", (WORD,) * 5)
    FormField("word", "x", max_length=4000)
    FormField("word", "x", max_length=1)
