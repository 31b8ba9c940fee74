"""Finding the member a facilitator means, without ever guessing.

``/remove`` acts only on an exact match: the member's id (``telegram:123``) or their
whole display name, in any case. Anything looser yields candidates for the facilitator
to confirm with a button naming the person; a query of fewer than two characters yields
nothing at all.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass

from bot.context import Context
from bot.events import Actor
from bot.replies import MAX_ACTION_BYTES, Button
from bot.text import quote_back
from groups.models import Membership

MIN_QUERY_LENGTH = 2
MAX_CANDIDATES = 5


@dataclass(frozen=True, slots=True)
class RemovalMatch:
    exact: Actor | None = None
    candidates: tuple[Actor, ...] = ()
    too_short: bool = False

    def buttons(self, ctx: Context, slug: str) -> tuple[Button, ...]:
        """A "Remove <name>" button per candidate whose action fits a button."""
        buttons = []
        for person in self.candidates:
            action = f"remove:{slug} {person.key}"
            if len(action.encode()) <= MAX_ACTION_BYTES:
                label = ctx.text("buttons.remove", name=quote_back(person.display_name, 40))
                buttons.append(Button(label, action))
        return tuple(buttons)


def match_member(memberships: Sequence[Membership], query: str) -> RemovalMatch:
    wanted = _normalise(query).lstrip("@")
    if len(wanted) < MIN_QUERY_LENGTH:
        return RemovalMatch(too_short=True)
    people = [m.member for m in memberships]
    by_key = [p for p in people if p.key.casefold() == wanted]
    if len(by_key) == 1:
        return RemovalMatch(exact=by_key[0])
    named = [p for p in people if _normalise(p.display_name) == wanted]
    if len(named) == 1:
        return RemovalMatch(exact=named[0])
    if not named:
        named = [p for p in people if wanted in _normalise(p.display_name)]
    return RemovalMatch(candidates=tuple(named[:MAX_CANDIDATES]))


def _normalise(text: str) -> str:
    return " ".join(unicodedata.normalize("NFKC", text).casefold().split())
