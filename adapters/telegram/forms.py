"""A form as a step-by-step private conversation: one question per message.

Choice questions come with a button per choice, optional questions with a Skip button,
and every question with a Cancel button. A text question is answered by the person's
next private message; an answer that does not fit (empty, too long, not one of the
choices) is asked for again, kindly. When the last question is answered the form is
handed over as ``FormSubmitted``.

Button data is compact (``~f:<form>:<step>:<choice>``, well under Telegram's 64 bytes)
and names the open form by a random tag, so a press on an old form's button cannot
answer a newer one. A person has at most one open form.

**Where the conversation is kept.** In this process's memory, and written through to a
``FormProgressStore`` (``bot.form_progress``: the bot's database in production), so a
restart continues the conversation where it was. The answers so far are kept only while
the form is open: deleted when it is submitted, cancelled or put away, and wiped when it
is left untouched for ``idle_timeout`` (30 minutes); an answer after that is told kindly
that the form timed out, and how to start again (``/checkin``). A store that fails (the
database is down) is logged by type only and the conversation goes on in memory. A press
of a form's button, or a reply to its question, that no kept form knows of gets the
kind ``core.form_expired`` text.

**A command costs no read.** Every command in a private chat puts the person's open
form away, so it must know whether they have one. When this process is the only one
receiving the bot's updates (long polling: Telegram hands them to one poller), a form is
opened only here, so ``recall`` (at each start) notes who had a form kept in the store
before, and a command from anyone else who has none in memory reads nothing. Answers
and presses still look in the store (a form another process opened is still found
there); with a webhook (perhaps several processes) every lookup does.
"""

from __future__ import annotations

import logging
import secrets
from dataclasses import dataclass
from datetime import timedelta

from bot.catalog import Catalog
from bot.clock import Clock, SystemClock
from bot.errors import log_incident, new_incident_id
from bot.events import Actor, FormSubmitted, Place
from bot.form_progress import FormProgress, FormProgressStore, MemoryFormProgress
from bot.forms import choice_for
from bot.replies import Audience, Button, FieldKind, Form, FormField, Reply

FORM_PREFIX = "~f"  # never a command name, so form buttons and command buttons differ
_CANCEL = "x"
_SKIP = "s"
IDLE_TIMEOUT = timedelta(minutes=30)
EXPIRED_KEPT = timedelta(days=1)  # a timed-out form's marker (no answers), for a kind word
logger = logging.getLogger(__name__)


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


def _step(progress: FormProgress) -> int:
    return len(progress.answers)


def _current(progress: FormProgress) -> FormField:
    return progress.form.fields[_step(progress)]


class FormConversations:
    """Every open form, one per person (by ``Actor.key``): in memory, written through to
    ``store``."""

    def __init__(
        self,
        catalog: Catalog,
        *,
        store: FormProgressStore | None = None,
        idle_timeout: timedelta = IDLE_TIMEOUT,
        clock: Clock | None = None,
    ) -> None:
        self._catalog = catalog
        self._store = store
        self._idle_timeout = idle_timeout
        self._clock = clock or SystemClock()
        self._open = MemoryFormProgress()
        self._kept_before: set[str] | None = None  # None: not known, so look in the store

    async def recall(self, *, sole_receiver: bool) -> None:
        """Note who has a form kept in the store, when no other process receives this
        bot's updates (see "A command costs no read"); otherwise, or if the store fails,
        it stays unknown and every command looks."""
        self._kept_before = None
        if self._store is None or not sole_receiver:
            return
        try:
            self._kept_before = await self._store.kept_keys()
        except Exception as error:
            log_incident(logger, new_incident_id(), "telegram forms recall", error)

    async def open(self, form: Form, actor: Actor, place: Place) -> Reply:
        """Start ``form`` for ``actor`` (replacing any form they had open); the first
        question, to send to them privately."""
        opened = FormProgress(secrets.token_hex(4), form, place, (), self._clock.now())
        await self._keep(actor, opened)
        return self._question(opened)

    async def discard(self, actor: Actor) -> None:
        """Forget ``actor``'s open form (its first question could not be delivered)."""
        await self._forget(actor)

    async def is_open(self, actor: Actor, tag: str) -> bool:
        """Whether ``tag`` names a form ``actor`` has (open, or timed out but not yet
        forgotten, which an answer is then told)."""
        kept = await self._find(actor)
        return kept is not None and kept.tag == tag

    async def put_away(self, actor: Actor) -> Outcome:
        """The person used a command instead of answering: the form is closed."""
        if not await self._may_have_one(actor):
            return Outcome()
        kept = await self._find(actor)
        if kept is None:
            return Outcome()
        await self._forget(actor)
        if kept.expired:
            return Outcome()  # it was closed already
        return Outcome((self._say("telegram.form.put_away"),))

    def expired(self) -> Outcome:
        return Outcome((self._say("core.form_expired"),))

    async def press(self, actor: Actor, press: FormPress) -> Outcome:
        """A form button was pressed."""
        kept = await self._find(actor)
        if kept is None or kept.tag != press.tag:
            return self.expired()
        if self._timed_out(kept):
            return await self._timed_out_outcome(actor, kept)
        if press.step is None:
            await self._forget(actor)
            return Outcome((self._say("telegram.form.cancelled"),))
        if press.step != _step(kept):
            return Outcome()  # a question already answered: nothing to do
        question = _current(kept)
        if press.choice is None:
            if question.required:
                return Outcome()
            return await self._take(actor, kept, "")
        if question.kind is not FieldKind.CHOICE or press.choice >= len(question.choices):
            return Outcome()
        return await self._take(actor, kept, question.choices[press.choice].value)

    async def answer(self, actor: Actor, text: str) -> Outcome | None:
        """A private message from ``actor`` while a form is open; None if none is."""
        kept = await self._find(actor)
        if kept is None:
            return None
        if self._timed_out(kept):
            return await self._timed_out_outcome(actor, kept)
        question = _current(kept)
        value = text.strip()
        if not value:
            return await self._again(actor, kept, "telegram.form.empty")
        if question.kind is FieldKind.CHOICE:
            chosen = choice_for(question, value)
            if chosen is None:
                return await self._again(actor, kept, "telegram.form.not_a_choice")
            value = chosen
        elif len(value) > question.max_length:
            return await self._again(actor, kept, "telegram.form.too_long")
        return await self._take(actor, kept, value)

    async def tidy(self) -> None:
        """Wipe the answers of forms left too long, and forget old markers (in memory and
        in the store); a store that fails is logged and tried again next time."""
        now = self._clock.now()
        idle_before, forget_before = now - self._idle_timeout, now - EXPIRED_KEPT
        await self._open.expire(idle_before, forget_before)
        if self._store is not None:
            try:
                await self._store.expire(idle_before, forget_before)
            except Exception as error:
                log_incident(logger, new_incident_id(), "telegram forms tidy", error)

    # -- steps ---------------------------------------------------------------------------

    def _timed_out(self, kept: FormProgress) -> bool:
        return kept.expired or self._clock.now() - kept.touched > self._idle_timeout

    async def _timed_out_outcome(self, actor: Actor, kept: FormProgress) -> Outcome:
        await self._forget(actor)
        command = kept.form.form_id.partition(":")[0]
        minutes = int(self._idle_timeout.total_seconds() // 60)
        text = self._text("telegram.form.timed_out", minutes=minutes, command=command)
        return Outcome((Reply(text, audience=Audience.PRIVATE_MESSAGE),))

    async def _take(self, actor: Actor, kept: FormProgress, value: str) -> Outcome:
        answered = kept.answered(_current(kept).name, value, self._clock.now())
        if _step(answered) < len(answered.form.fields):
            await self._keep(actor, answered)
            return Outcome((self._question(answered),))
        await self._forget(actor)
        submitted = FormSubmitted(actor, kept.place, kept.form.form_id, dict(answered.answers))
        return Outcome(submitted=submitted)

    async def _again(self, actor: Actor, kept: FormProgress, problem_key: str) -> Outcome:
        kept = kept.touched_at(self._clock.now())
        await self._keep(actor, kept)
        problem = self._text(problem_key, limit=_current(kept).max_length)
        question = self._question(kept)
        again = Reply(
            f"{problem}\n\n{question.text}", audience=question.audience, buttons=question.buttons
        )
        return Outcome((again,))

    def _question(self, kept: FormProgress) -> Reply:
        question = _current(kept)
        heading = self._text(
            "telegram.form.question",
            title=kept.form.title,
            number=_step(kept) + 1,
            count=len(kept.form.fields),
        )
        label = f"{question.label} — {question.hint}" if question.hint else question.label
        lines = [heading, "", label]
        step = f"{FORM_PREFIX}:{kept.tag}:{_step(kept)}"
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
        buttons.append(Button(self._text("buttons.cancel"), f"{FORM_PREFIX}:{kept.tag}:{_CANCEL}"))
        return Reply("\n".join(lines), audience=Audience.PRIVATE_MESSAGE, buttons=tuple(buttons))

    def _say(self, key: str) -> Reply:
        return Reply(self._text(key), audience=Audience.PRIVATE_MESSAGE)

    def _text(self, key: str, /, **params: object) -> str:
        return self._catalog.text(key, **params)

    # -- keeping -------------------------------------------------------------------------

    async def _may_have_one(self, actor: Actor) -> bool:
        """False when ``actor`` surely has no form: none in memory, and none kept in the
        store at start when only this process opens forms."""
        if self._kept_before is None or actor.key in self._kept_before:
            return True
        return await self._open.load(actor) is not None

    async def _find(self, actor: Actor) -> FormProgress | None:
        """``actor``'s form: from memory, else from the store (after a restart)."""
        kept = await self._open.load(actor)
        if kept is not None or self._store is None:
            return kept
        try:
            kept = await self._store.load(actor)
        except Exception as error:  # as if none were kept: the person can start again
            log_incident(logger, new_incident_id(), "telegram forms load", error)
            return None
        if kept is not None:
            await self._open.save(actor, kept)
        return kept

    async def _keep(self, actor: Actor, progress: FormProgress) -> None:
        await self._open.save(actor, progress)
        if self._store is not None:
            try:
                await self._store.save(actor, progress)
            except Exception as error:  # the conversation goes on in memory
                log_incident(logger, new_incident_id(), "telegram forms save", error)

    async def _forget(self, actor: Actor) -> None:
        await self._open.forget(actor)
        if self._store is not None:
            try:
                await self._store.forget(actor)
            except Exception as error:  # tidy() wipes it when it times out
                log_incident(logger, new_incident_id(), "telegram forms forget", error)
                return
        if self._kept_before is not None:
            self._kept_before.discard(actor.key)
