"""A form as a step-by-step private conversation: one question per message.

Choice questions come with a button per choice, optional questions with a Skip button,
and every question with a Cancel button. A text question is answered by the person's
next private message; an answer that does not fit (empty, too long, not one of the
choices) is asked for again, kindly. When the last question is answered the form is
handed over as ``FormSubmitted``.

Button data is compact (``~f:<form>:<step>:<choice>``, well under Telegram's 64 bytes)
and names the open form by a random tag, so a press on an old form's button cannot
answer a newer one.

**State lives in this process's memory** (this slice of the adapter): a restart forgets
every unfinished form. A later press of one of its buttons, or a reply to one of its
questions, gets the kind ``core.form_expired`` text; so does an answer after the form
was left untouched for ``idle_timeout`` seconds. A person has at most one open form.
"""

from __future__ import annotations

import secrets
import time
from collections.abc import Callable
from dataclasses import dataclass, field

from bot.catalog import Catalog
from bot.events import Actor, FormSubmitted, Place
from bot.forms import choice_for
from bot.replies import Audience, Button, FieldKind, Form, FormField, Reply

FORM_PREFIX = "~f"  # never a command name, so form buttons and command buttons differ
_CANCEL = "x"
_SKIP = "s"
IDLE_TIMEOUT = 30 * 60.0


@dataclass(frozen=True, slots=True)
class FormPress:
    """A form button's data, read back: which form, which step, what was chosen."""

    tag: str
    step: int | None = None  # None: Cancel (any step)
    choice: int | None = None  # None with a step: Skip


def form_press(data: str) -> FormPress | None:
    """The form button ``data`` stands for, or None if it is no form button."""
    prefix, _, rest = data.partition(":")
    if prefix != FORM_PREFIX:
        return None
    parts = rest.split(":")
    if len(parts) == 2 and parts[1] == _CANCEL:
        return FormPress(parts[0])
    if len(parts) == 3 and parts[1].isdecimal():
        if parts[2] == _SKIP:
            return FormPress(parts[0], int(parts[1]))
        if parts[2].isdecimal():
            return FormPress(parts[0], int(parts[1]), int(parts[2]))
    return FormPress(parts[0], step=-1)  # a form button, but none this process made


@dataclass(frozen=True, slots=True)
class Outcome:
    """What a step of a conversation leads to: texts for the person (privately), and
    the filled-in form once the last question is answered."""

    replies: tuple[Reply, ...] = ()
    submitted: FormSubmitted | None = None


@dataclass
class _OpenForm:
    form: Form
    actor: Actor
    place: Place  # where the form was opened: the submission is checked there
    tag: str
    touched: float
    answers: dict[str, str] = field(default_factory=dict)

    @property
    def step(self) -> int:
        return len(self.answers)

    @property
    def current(self) -> FormField:
        return self.form.fields[self.step]


class FormConversations:
    """Every open form in this process, one per person (by ``Actor.key``)."""

    def __init__(
        self,
        catalog: Catalog,
        *,
        idle_timeout: float = IDLE_TIMEOUT,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._catalog = catalog
        self._idle_timeout = idle_timeout
        self._clock = clock
        self._open: dict[str, _OpenForm] = {}

    def open(self, form: Form, actor: Actor, place: Place) -> Reply:
        """Start ``form`` for ``actor`` (replacing any form they had open); the first
        question, to send to them privately."""
        now = self._clock()
        self._open = {  # forget forms left too long, so abandoned ones do not pile up
            key: kept
            for key, kept in self._open.items()
            if now - kept.touched <= self._idle_timeout
        }
        opened = _OpenForm(form, actor, place, secrets.token_hex(4), now)
        self._open[actor.key] = opened
        return self._question(opened)

    def discard(self, actor: Actor) -> None:
        """Forget ``actor``'s open form (its first question could not be delivered)."""
        self._open.pop(actor.key, None)

    def is_open(self, actor: Actor, tag: str | None = None) -> bool:
        opened = self._open.get(actor.key)
        return opened is not None and tag in (None, opened.tag)

    def put_away(self, actor: Actor) -> Outcome:
        """The person used a command instead of answering: the form is closed."""
        if self._open.pop(actor.key, None) is None:
            return Outcome()
        return Outcome((self._say("telegram.form.put_away"),))

    def expired(self) -> Outcome:
        return Outcome((self._say("core.form_expired"),))

    def press(self, actor: Actor, press: FormPress) -> Outcome:
        """A form button was pressed."""
        opened = self._live(actor)
        if opened is None or opened.tag != press.tag:
            return self.expired()
        if press.step is None:
            del self._open[actor.key]
            return Outcome((self._say("telegram.form.cancelled"),))
        if press.step != opened.step:
            return Outcome()  # a question already answered: nothing to do
        question = opened.current
        if press.choice is None:
            if question.required:
                return Outcome()
            return self._take(opened, "")
        if question.kind is not FieldKind.CHOICE or press.choice >= len(question.choices):
            return Outcome()
        return self._take(opened, question.choices[press.choice].value)

    def answer(self, actor: Actor, text: str) -> Outcome | None:
        """A private message from ``actor`` while a form is open; None if none is."""
        opened = self._open.get(actor.key)
        if opened is None:
            return None
        if self._live(actor) is None:
            return self.expired()
        question = opened.current
        value = text.strip()
        if not value:
            return self._again(opened, "telegram.form.empty")
        if question.kind is FieldKind.CHOICE:
            chosen = choice_for(question, value)
            if chosen is None:
                return self._again(opened, "telegram.form.not_a_choice")
            value = chosen
        elif len(value) > question.max_length:
            return self._again(opened, "telegram.form.too_long")
        return self._take(opened, value)

    # -- steps ---------------------------------------------------------------------------

    def _live(self, actor: Actor) -> _OpenForm | None:
        """``actor``'s open form, unless it was left too long (then it is forgotten)."""
        opened = self._open.get(actor.key)
        if opened is None:
            return None
        if self._clock() - opened.touched > self._idle_timeout:
            del self._open[actor.key]
            return None
        return opened

    def _take(self, opened: _OpenForm, value: str) -> Outcome:
        opened.answers[opened.current.name] = value
        opened.touched = self._clock()
        if opened.step < len(opened.form.fields):
            return Outcome((self._question(opened),))
        del self._open[opened.actor.key]
        submitted = FormSubmitted(
            opened.actor, opened.place, opened.form.form_id, dict(opened.answers)
        )
        return Outcome(submitted=submitted)

    def _again(self, opened: _OpenForm, problem_key: str) -> Outcome:
        opened.touched = self._clock()
        problem = self._text(problem_key, limit=opened.current.max_length)
        question = self._question(opened)
        again = Reply(
            f"{problem}\n\n{question.text}", audience=question.audience, buttons=question.buttons
        )
        return Outcome((again,))

    def _question(self, opened: _OpenForm) -> Reply:
        question = opened.current
        heading = self._text(
            "telegram.form.question",
            title=opened.form.title,
            number=opened.step + 1,
            count=len(opened.form.fields),
        )
        label = f"{question.label} — {question.hint}" if question.hint else question.label
        lines = [heading, "", label]
        step = f"{FORM_PREFIX}:{opened.tag}:{opened.step}"
        buttons = [
            Button(choice.label, f"{step}:{index}") for index, choice in enumerate(question.choices)
        ]
        if question.kind is FieldKind.CHOICE:
            lines.append(self._text("telegram.form.choose"))
        else:
            lines.append(self._text("telegram.form.type", limit=question.max_length))
        if not question.required:
            lines.append(self._text("telegram.form.optional"))
            buttons.append(Button(self._text("buttons.skip"), f"{step}:{_SKIP}"))
        buttons.append(
            Button(self._text("buttons.cancel"), f"{FORM_PREFIX}:{opened.tag}:{_CANCEL}")
        )
        return Reply("\n".join(lines), audience=Audience.PRIVATE_MESSAGE, buttons=tuple(buttons))

    def _say(self, key: str) -> Reply:
        return Reply(self._text(key), audience=Audience.PRIVATE_MESSAGE)

    def _text(self, key: str, /, **params: object) -> str:
        return self._catalog.text(key, **params)
