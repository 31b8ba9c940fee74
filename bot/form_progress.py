"""Half-filled forms, kept while a person answers them one question at a time.

A platform without a form window (Telegram) asks a form's questions as a conversation,
so between two answers the answers so far must live somewhere. Kept here, they outlive
a restart of the bot: the conversation goes on where it was.

What is kept, and for how long:

- the form's questions and where it was opened (no member text), a random tag naming
  this conversation, the answers given so far, and when the person last answered;
- a form left untouched for the idle time (``expire``) loses its answers at once and
  stays only as a marker with no answers (so a late answer is told, kindly, that the
  form timed out), and the marker goes too after ``forget_before``;
- submitted, cancelled or put away: deleted at once (``forget``).

Answers never reach a log. ``MemoryFormProgress`` keeps the same in this process only
(tests, and the fallback when no database is given).
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, replace
from datetime import datetime
from typing import Any, Protocol

from bot.events import Actor, Place
from bot.replies import Choice, FieldKind, Form, FormField


@dataclass(frozen=True, slots=True)
class FormProgress:
    """One person's form in progress. ``answers`` are in the order given; ``expired``: it
    was left too long, and its answers are gone (only the marker is left)."""

    tag: str
    form: Form
    place: Place
    answers: tuple[tuple[str, str], ...]
    touched: datetime
    expired: bool = False

    def answered(self, name: str, value: str, when: datetime) -> FormProgress:
        return replace(self, answers=(*self.answers, (name, value)), touched=when)

    def touched_at(self, when: datetime) -> FormProgress:
        return replace(self, touched=when)


class FormProgressStore(Protocol):
    """Where forms in progress are kept, one per person (a new one replaces the old)."""

    async def load(self, actor: Actor) -> FormProgress | None: ...

    async def save(self, actor: Actor, progress: FormProgress) -> None: ...

    async def forget(self, actor: Actor) -> None: ...

    async def kept_keys(self) -> set[str]:
        """Every person (``Actor.key``) with a form kept, open or timed out."""
        ...

    async def expire(self, idle_before: datetime, forget_before: datetime) -> int:
        """Forms untouched since ``idle_before`` lose their answers (they expired);
        markers untouched since ``forget_before`` are deleted. How many rows changed."""
        ...


class MemoryFormProgress:
    """The store in this process's memory: a restart forgets every form."""

    def __init__(self) -> None:
        self._kept: dict[str, FormProgress] = {}

    async def load(self, actor: Actor) -> FormProgress | None:
        return self._kept.get(actor.key)

    async def save(self, actor: Actor, progress: FormProgress) -> None:
        self._kept[actor.key] = progress

    async def forget(self, actor: Actor) -> None:
        self._kept.pop(actor.key, None)

    async def kept_keys(self) -> set[str]:
        return set(self._kept)

    async def expire(self, idle_before: datetime, forget_before: datetime) -> int:
        changed = 0
        for key, kept in list(self._kept.items()):
            if kept.touched < forget_before:
                del self._kept[key]
                changed += 1
            elif kept.touched < idle_before and not kept.expired:
                self._kept[key] = replace(kept, answers=(), expired=True)
                changed += 1
        return changed

    def __len__(self) -> int:
        return len(self._kept)


# -- stored as JSON ------------------------------------------------------------------------


def encode_form(form: Form, place: Place) -> str:
    """The form's questions and where it was opened, as JSON (no member text)."""
    return json.dumps(
        {
            "id": form.form_id,
            "title": form.title,
            "fields": [_field(field) for field in form.fields],
            "place": {
                "platform": place.platform,
                "chat_id": place.chat_id,
                "private": place.private,
                "thread_id": place.thread_id,
                "guild_id": place.guild_id,
            },
        },
        ensure_ascii=False,
    )


def decode_form(text: str) -> tuple[Form, Place]:
    data = json.loads(text)
    form = Form(str(data["id"]), str(data["title"]), tuple(_read_field(f) for f in data["fields"]))
    where = data["place"]
    place = Place(
        str(where["platform"]),
        str(where["chat_id"]),
        private=bool(where["private"]),
        thread_id=_optional(where.get("thread_id")),
        guild_id=_optional(where.get("guild_id")),
    )
    return form, place


def encode_answers(answers: tuple[tuple[str, str], ...]) -> str:
    return json.dumps([[name, value] for name, value in answers], ensure_ascii=False)


def decode_answers(text: str) -> tuple[tuple[str, str], ...]:
    return tuple((str(name), str(value)) for name, value in json.loads(text))


def _field(field: FormField) -> dict[str, Any]:
    return {
        "name": field.name,
        "label": field.label,
        "kind": field.kind.value,
        "required": field.required,
        "max_length": field.max_length,
        "choices": [[choice.value, choice.label] for choice in field.choices],
        "hint": field.hint,
    }


def _read_field(data: Mapping[str, Any]) -> FormField:
    return FormField(
        str(data["name"]),
        str(data["label"]),
        FieldKind(data["kind"]),
        required=bool(data["required"]),
        max_length=int(data["max_length"]),
        choices=tuple(Choice(str(value), str(label)) for value, label in data["choices"]),
        hint=str(data["hint"]),
    )


def _optional(value: object) -> str | None:
    return None if value is None else str(value)
