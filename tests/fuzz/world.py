"""The world the dispatcher fuzz tests run in, and what every answer must be.

One harness (the real core on SQLite) serves a whole module: hypothesis runs its examples
in a plain function, so the harness lives in an ``asyncio.Runner`` of its own and each
example runs to completion on it. State piles up from example to example (people join,
leave, check in, get removed), which only makes the fuzzing reach further.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from hypothesis import strategies as st

from bot.events import Actor, Incoming, Place
from bot.replies import Reply
from bot.roles import Role
from tests.domain.matrix_world import (
    GROUP_CHAT,
    PEOPLE,
    UNRELATED_CHAT,
    Texts,
    matrix_config,
    setup_world,
)
from tests.fuzz.strategies import nasty_text, unsafe_characters
from tests.harness import Harness, write_config


class ErrorLog(logging.Handler):
    """Every record at ERROR or above: an incident, even one no reply mentions (the
    outbox's sends after a command)."""

    def __init__(self) -> None:
        super().__init__(logging.ERROR)
        self.records: list[logging.LogRecord] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.records.append(record)


class FuzzWorld:
    def __init__(
        self, runner: asyncio.Runner, harness: Harness, texts: Texts, errors: ErrorLog
    ) -> None:
        self.runner = runner
        self.harness = harness
        self.texts = texts
        self.errors = errors
        self.handled = 0

    def __repr__(self) -> str:  # hypothesis shows it beside a failing example
        return f"FuzzWorld(handled={self.handled})"

    def grant(self, actor: Actor, place: Place, role: Role) -> None:
        self.harness.outbound[actor.platform].grant(actor, place, role)

    def handle(self, incoming: Incoming) -> list[Reply]:
        """``incoming``'s replies, after checking them and everything sent meanwhile."""
        outbound = self.harness.outbound.values()
        before = [(len(o.sent), len(o.posted)) for o in outbound]
        self.errors.records.clear()
        replies = self.runner.run(self.harness.handle(incoming))
        self.handled += 1
        errors = [f"{r.name}: {r.getMessage()}" for r in self.errors.records]
        sent = [
            reply
            for o, (s, p) in zip(outbound, before, strict=True)
            for reply in (*(r for _, r in o.sent[s:]), *(r for _, r in o.posted[p:]))
        ]
        for reply in (*replies, *sent):
            self.check(reply)
        assert errors == [], "an incident was logged"
        return replies

    def check(self, reply: Reply) -> None:
        failure = next((p for p in self.texts.failures if p.fullmatch(reply.text)), None)
        assert failure is None, f"an incident reply: {reply.text!r}"
        shown = [reply.text, *(button.label for button in reply.buttons)]
        if reply.form is not None:
            shown += [reply.form.title, *(f.label for f in reply.form.fields)]
        for text in shown:
            assert unsafe_characters(text) == [], f"raw control characters in {text!r}"


@contextmanager
def open_world(directory: Path) -> Iterator[FuzzWorld]:
    """The matrix's world (its people, a member and a bystander seated), with room for
    a few more in the group, and every ERROR logged recorded."""
    errors = ErrorLog()
    root = logging.getLogger()
    with asyncio.Runner() as runner:
        config = matrix_config(write_config(directory, capacity=4))
        harness = runner.run(Harness.open(config))
        root.addHandler(errors)
        try:
            runner.run(setup_world(harness))
            yield FuzzWorld(runner, harness, Texts.of(harness.app.catalog), errors)
        finally:
            root.removeHandler(errors)
            runner.run(harness.close())


# A few ids, so the same people come back (and what they did before matters), each time
# with whatever name their platform now reports.
FUZZ_IDS = ("61739001", "61739002", "61739003")


def speakers() -> st.SearchStrategy[Actor]:
    """One of the matrix's people, or someone with an odd name."""
    odd = st.builds(
        lambda user_id, name: Actor("telegram", user_id, name),
        st.sampled_from(FUZZ_IDS),
        nasty_text(),
    )
    return st.one_of(st.sampled_from([p.actor for p in PEOPLE]), odd)


def places(actor: Actor) -> st.SearchStrategy[Place]:
    private = Place(actor.platform, actor.user_id, private=True)
    return st.sampled_from([private, GROUP_CHAT, UNRELATED_CHAT])


def grants() -> st.SearchStrategy[Role]:
    """What the platform says about the speaker there (a chat admin, or nothing)."""
    return st.sampled_from([Role.MEMBER, Role.MEMBER, Role.FACILITATOR, Role.ORGANIZER])
