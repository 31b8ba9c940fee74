"""A form as a Discord modal.

Discord opens a modal only as the *first* answer to an interaction, and a handler may
take longer than Discord waits for that answer. So a reply that opens a form is shown as
its text with one button ("📝 <title>"); pressing it answers that press with the modal
at once. The submitted modal comes back as ``FormSubmitted`` with the form's id, and
the core checks the answers against the same form again.

Each field is a label over a text input (one line, or a paragraph) or, for a choice, a
select menu. A modal holds at most five fields, as a ``Form`` does.

The ``Form`` a button opens is kept in this process's memory (``FormShelf``), per person,
for ``ttl`` seconds: after a restart the button answers kindly that the form has expired
(``core.form_expired``) and the person asks for it again. A modal already open when the
bot restarts still submits: the submission needs nothing remembered.
"""

from __future__ import annotations

import time
from collections.abc import Callable

import discord
from discord import ui

from adapters.discord.buttons import FORM_PREFIX
from adapters.discord.render import clip
from bot.events import Actor
from bot.replies import FieldKind, Form, FormField

MAX_TITLE = 45  # a modal's title, and a label's text
MAX_DESCRIPTION = 100  # a label's description
DEFAULT_TTL = 30 * 60.0
MAX_KEPT = 10_000


class FormShelf:
    """The forms people were offered, by (person, form id), for a while."""

    def __init__(
        self, *, ttl: float = DEFAULT_TTL, clock: Callable[[], float] = time.monotonic
    ) -> None:
        self._ttl = ttl
        self._clock = clock
        self._kept: dict[tuple[str, str], tuple[float, Form]] = {}

    def keep(self, actor: Actor, form: Form) -> None:
        now = self._clock()
        if len(self._kept) >= MAX_KEPT:
            self._kept = {k: v for k, v in self._kept.items() if v[0] > now}
            if len(self._kept) >= MAX_KEPT:
                self._kept.clear()
        self._kept[(actor.key, form.form_id)] = (now + self._ttl, form)

    def get(self, actor: Actor, form_id: str) -> Form | None:
        kept = self._kept.get((actor.key, form_id))
        if kept is None or kept[0] <= self._clock():
            return None
        return kept[1]


def modal_for(form: Form) -> ui.Modal:
    """``form`` as a modal (stopped: its submission is read from the interaction itself,
    so discord.py need not keep it)."""
    modal = ui.Modal(title=clip(form.title, MAX_TITLE), custom_id=FORM_PREFIX + form.form_id)
    for question in form.fields:
        label = clip(question.label, MAX_TITLE)
        # a label too long for Discord is shown whole underneath, with its hint
        whole = question.label if label != question.label else ""
        description = " — ".join(part for part in (whole, question.hint) if part)
        modal.add_item(
            ui.Label(
                text=label,
                description=clip(description, MAX_DESCRIPTION) or None,
                component=_input(question),
            )
        )
    modal.stop()
    return modal


def _input(question: FormField) -> ui.Item[ui.Modal]:
    if question.kind is FieldKind.CHOICE:
        options = [
            discord.SelectOption(label=clip(choice.label, 100), value=choice.value)
            for choice in question.choices[:25]
        ]
        return ui.Select(
            custom_id=question.name,
            options=options,
            min_values=1 if question.required else 0,
            max_values=1,
            required=question.required,
        )
    style = (
        discord.TextStyle.paragraph
        if question.kind is FieldKind.LONG_TEXT
        else discord.TextStyle.short
    )
    return ui.TextInput(
        custom_id=question.name,
        style=style,
        required=question.required,
        max_length=question.max_length,
    )


def form_id_of(custom_id: str) -> str | None:
    """The form id in a modal's custom id, or None if the modal is not one of ours."""
    if not custom_id.startswith(FORM_PREFIX):
        return None
    return custom_id[len(FORM_PREFIX) :] or None
