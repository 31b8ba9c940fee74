"""Which groups ``/groups`` shows: a page at a time, and only those a search finds.

An organization may run thousands of groups; listing them all would be thousands of
messages in a chat. So ``/groups`` shows ``PER_PAGE`` groups (in the config's order),
each with its join button, says how many there are, and offers "More groups" for the
next page. ``/groups <words>`` shows only the groups whose name, short name,
description or place holds every one of the words (in any case), a page at a time too.

A page button carries where its page starts and the search (``groups:>10 anxiety``), so
it keeps working after a restart and for whoever presses it. Someone may type the same
(``/groups >10``); a ``>`` not followed by a number is just a word to look for.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from bot.args import ParamSpec
from bot.replies import MAX_ACTION_BYTES
from groups.models import Group

PER_PAGE = 10  # also the most join buttons a reply carries
SEARCH_PARAM = ParamSpec("search", "params.groups_search", required=False, rest=True, max_length=60)
_PAGE_START = re.compile(r">(\d{1,6})(?:\s+|$)")


@dataclass(frozen=True, slots=True)
class GroupQuery:
    """Where a page starts (0 is the first group) and the words looked for."""

    start: int = 0
    words: str = ""

    @classmethod
    def parse(cls, text: str | None) -> GroupQuery:
        text = " ".join((text or "").split())
        match = _PAGE_START.match(text)
        if match is None:
            return cls(0, text)
        return cls(int(match.group(1)), text[match.end() :])


@dataclass(frozen=True, slots=True)
class GroupPage:
    groups: tuple[Group, ...]
    start: int  # the first one's place among the groups found, from 0
    found: int  # how many groups the search found (all of them, without one)
    words: str

    @property
    def last(self) -> int:
        """The last one's place, counted from 1."""
        return self.start + len(self.groups)

    @property
    def more_action(self) -> str | None:
        """The button action for the next page; None on the last page, or if the
        search is too long for a button to carry."""
        if self.last >= self.found:
            return None
        action = f"groups:>{self.last} {self.words}".rstrip()
        return action if len(action.encode()) <= MAX_ACTION_BYTES else None


class GroupSearch:
    """Each group's searchable text (name, short name, description and place, in
    lower case), made once for a set of groups and again only when the set changes
    (a reload): a search through 10,000 groups then costs a few milliseconds."""

    def __init__(self) -> None:
        self._groups: Sequence[Group] = ()
        self._texts: list[str] = []

    def page(
        self, groups: Sequence[Group], query: GroupQuery, per_page: int = PER_PAGE
    ) -> GroupPage:
        """The page of ``groups`` that ``query`` asks for: the one holding its start (the
        last page if the start is past the end, as after a reload with fewer groups)."""
        found = self._matching(groups, query.words) if query.words else groups
        last_start = max(len(found) - 1, 0) // per_page * per_page
        start = min(query.start // per_page * per_page, last_start)
        return GroupPage(tuple(found[start : start + per_page]), start, len(found), query.words)

    def _matching(self, groups: Sequence[Group], words: str) -> list[Group]:
        if groups is not self._groups:
            self._groups, self._texts = groups, [_searchable(group) for group in groups]
        wanted = words.casefold().split()
        return [
            g for g, text in zip(groups, self._texts, strict=True) if all(w in text for w in wanted)
        ]


def _searchable(group: Group) -> str:
    return " ".join((group.name, group.slug, group.description, group.location)).casefold()


__all__ = ("PER_PAGE", "SEARCH_PARAM", "GroupPage", "GroupQuery", "GroupSearch")
