"""Checking a submitted form against the fields it was opened with."""

from __future__ import annotations

from collections.abc import Mapping

from bot.args import Args
from bot.errors import UserError
from bot.replies import FieldKind, Form, FormField
from bot.text import clean_input

MAX_CHOICE_DIGITS = 6  # a choice's number as typed; longer digit strings are no number


def check_answers(form: Form, submitted: Mapping[str, str]) -> Args:
    """The answers to ``form``, cleaned and checked; fields the form does not have are
    ignored. Raises ``UserError`` naming the field to fix."""
    answers: dict[str, str] = {}
    for form_field in form.fields:
        answer = _clean(form_field, submitted.get(form_field.name, ""))
        if not answer:
            if form_field.required:
                raise UserError("core.form.missing", field=form_field.label)
            answers[form_field.name] = ""
            continue
        if form_field.kind is FieldKind.CHOICE:
            if answer not in {choice.value for choice in form_field.choices}:
                raise UserError("core.form.not_a_choice", field=form_field.label)
        elif len(answer) > form_field.max_length:
            raise UserError(
                "core.form.too_long", field=form_field.label, limit=form_field.max_length
            )
        answers[form_field.name] = answer
    return Args(answers)


def _clean(form_field: FormField, raw: str) -> str:
    cleaned = clean_input(raw)
    if form_field.kind is FieldKind.LONG_TEXT:
        return cleaned
    return " ".join(cleaned.split())


def choice_for(question: FormField, typed: str) -> str | None:
    """The value of the choice someone typed instead of tapping: by its number (from 1),
    its value or its label, in any case. None if it names no choice."""
    number = typed.isdecimal() and len(typed) <= MAX_CHOICE_DIGITS  # int() refuses 4300
    if number and 1 <= int(typed) <= len(question.choices):
        return question.choices[int(typed) - 1].value
    wanted = typed.casefold()
    for choice in question.choices:
        if wanted in (choice.value.casefold(), choice.label.casefold()):
            return choice.value
    return None
