"""A form on the console: one prompt per field, answered line by line."""

from __future__ import annotations

from dataclasses import dataclass, field

from bot.catalog import Catalog
from bot.events import Actor, Place
from bot.forms import choice_for
from bot.replies import FieldKind, Form, FormField


@dataclass
class PendingForm:
    """A form someone is filling in; lines they type answer its fields in order."""

    form: Form
    actor: Actor
    place: Place
    answers: dict[str, str] = field(default_factory=dict)

    @property
    def current(self) -> FormField:
        return self.form.fields[len(self.answers)]

    @property
    def done(self) -> bool:
        return len(self.answers) == len(self.form.fields)

    def prompt(self, catalog: Catalog) -> str:
        """The question for the current field, with its choices or limits."""
        question = self.current
        lines = [f"{question.label}{' — ' + question.hint if question.hint else ''}"]
        if question.kind is FieldKind.CHOICE:
            lines += [f"[{n}] {c.label}" for n, c in enumerate(question.choices, start=1)]
            lines.append(catalog.text("console.form.choose", count=len(question.choices)))
        else:
            lines.append(catalog.text("console.form.type", limit=question.max_length))
        if not question.required:
            lines.append(catalog.text("console.form.optional"))
        return "\n".join(lines)

    def answer(self, text: str) -> str | None:
        """Take ``text`` as the current field's answer. Returns a catalog key explaining
        why it was not taken (the field is asked again), or None."""
        question = self.current
        value = text.strip()
        if not value:
            if question.required:
                return "console.form.required"
            self.answers[question.name] = ""
            return None
        if question.kind is FieldKind.CHOICE:
            chosen = choice_for(question, value)
            if chosen is None:
                return "console.form.not_a_choice"
            value = chosen
        elif len(value) > question.max_length:
            return "console.form.too_long"
        self.answers[question.name] = value
        return None
