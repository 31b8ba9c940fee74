"""What the soak's members should have left in the database, kept from the answers they
got, and the answers read back into facts with the message catalog's own templates.

A member's membership of a group is known from their own commands' answers: a /join
answered "you have a seat" or "waiting list" (or "already ...") means they are in it, a
/leave answered "Done" or "not in" means they are not. Whether they sit or wait depends on
everyone's joins and leaves, so that split is checked on the database as a whole (no more
seats than the capacity; nobody waits while a seat is free). RSVPs are the last answer
each member gave for a group's next meeting.
"""

from __future__ import annotations

import re
import sqlite3
from collections import Counter
from collections.abc import Iterable
from contextlib import closing
from dataclasses import dataclass, field
from pathlib import Path

from bot.catalog import Catalog
from tests.soak.config import GROUPS

CATALOG = Catalog.load()
SLUG_OF = {g.name: g.slug for g in GROUPS}

# What an answer says, by catalog key; the verdict each gives.
FACTS = {
    "groups.join.seated": "in",
    "groups.join.waitlisted": "in",
    "groups.join.already_seated": "in",
    "groups.join.already_waitlisted": "in",
    "groups.leave.from_seat": "out",
    "groups.leave.from_waitlist": "out",
    "groups.leave.not_member": "out",
    "meetings.rsvp.yes": "yes",
    "meetings.rsvp.no": "no",
    "meetings.rsvp.maybe": "maybe",
    "meetings.rsvp.not_seated": "not seated",
    "groups.notice.promoted": "promoted",
    "core.storage_unavailable": "busy",
    "core.incident": "incident",
    "core.slow_down": "slow down",
    "limits.commands": "flood",
}


def _pattern(template: str) -> re.Pattern[str]:
    parts = re.split(r"\{(\w+)\}", template)
    regex = "".join(
        re.escape(part) if n % 2 == 0 else f"(?P<{part}>.+?)" for n, part in enumerate(parts)
    )
    return re.compile(regex, re.DOTALL)


PATTERNS = {key: _pattern(CATALOG.template(key)) for key in FACTS}


@dataclass(frozen=True, slots=True)
class Fact:
    verdict: str  # see FACTS; "" for an answer that states no fact
    slug: str | None = None


def read(text: str) -> Fact:
    """The fact an answer states."""
    for key, pattern in PATTERNS.items():
        found = pattern.match(text)
        if found is not None:
            group = found.groupdict().get("group")
            return Fact(FACTS[key], SLUG_OF.get(group) if group else None)
    return Fact("")


def is_notice(text: str) -> bool:
    """A message the bot sends on its own (a promotion), not an answer to a command."""
    return read(text).verdict == "promoted"


UNKIND = ("Traceback", "Exception", "Error:", "INC-")


def unkind(text: str) -> bool:
    """An error shown to a member: a generic incident or raw exception text."""
    return read(text).verdict == "incident" or any(word in text for word in UNKIND)


@dataclass
class Model:
    """Membership and RSVPs by member key ("telegram:123") and group slug."""

    members: dict[tuple[str, str], bool] = field(default_factory=dict)
    rsvps: dict[tuple[str, str], str] = field(default_factory=dict)
    verdicts: Counter[str] = field(default_factory=Counter)
    contradictions: list[str] = field(default_factory=list)

    def learn(self, member: str, slug: str | None, text: str) -> Fact:
        """What the answer to ``member``'s command about ``slug`` says happened."""
        fact = read(text)
        self.verdicts[fact.verdict or "other"] += 1
        target = fact.slug or slug
        if target is None:
            return fact
        if fact.verdict in ("in", "out"):
            self.members[(member, target)] = fact.verdict == "in"
        elif fact.verdict in ("yes", "no", "maybe"):
            if not self.members.get((member, target)):
                self.contradictions.append(f"{member} answered for {target} without a seat")
            self.rsvps[(member, target)] = fact.verdict
        return fact

    def expected_members(self) -> set[tuple[str, str]]:
        return {key for key, present in self.members.items() if present}


@dataclass(frozen=True, slots=True)
class Stored:
    """The database's view, read after the run."""

    members: set[tuple[str, str]]
    seated: Counter[str]
    waiting: Counter[str]
    rsvps: dict[tuple[str, str], str]
    outbox: Counter[str]  # rows by status ("pending" counted as "in flight"/"waiting")
    promoted_sent: Counter[str]  # member key -> promotion notices sent


def stored(database: Path) -> Stored:
    with closing(sqlite3.connect(database)) as conn:
        rows = conn.execute(
            "SELECT m.platform || ':' || m.user_id, g.slug, m.status"
            " FROM memberships m JOIN groups g ON g.id = m.group_id"
        ).fetchall()
        answers = conn.execute(
            "SELECT r.platform || ':' || r.user_id, g.slug, r.answer"
            " FROM rsvps r JOIN groups g ON g.id = r.group_id"
        ).fetchall()
        outbox = conn.execute(
            "SELECT status, claimed_until IS NOT NULL, COUNT(*) FROM outbox GROUP BY 1, 2"
        ).fetchall()
        promoted = conn.execute(
            "SELECT platform || ':' || recipient, COUNT(*) FROM outbox"
            " WHERE status = 'sent' AND dedupe_key LIKE 'seat-offer:%' GROUP BY 1"
        ).fetchall()
    return Stored(
        members={(str(m), str(s)) for m, s, _ in rows},
        seated=Counter(str(s) for _, s, status in rows if status == "seated"),
        waiting=Counter(str(s) for _, s, status in rows if status == "waitlisted"),
        rsvps={(str(m), str(s)): str(a) for m, s, a in answers},
        outbox=Counter({_state(str(st), bool(c)): int(n) for st, c, n in outbox}),
        promoted_sent=Counter({str(m): int(n) for m, n in promoted}),
    )


def _state(status: str, claimed: bool) -> str:
    if status != "pending":
        return status
    return "in flight" if claimed else "waiting"


def pending(database: Path) -> int:
    """Outbox rows not yet ended."""
    with closing(sqlite3.connect(database, timeout=10)) as conn:
        [(count,)] = conn.execute("SELECT COUNT(*) FROM outbox WHERE status = 'pending'")
    return int(count)


def seat_problems(found: Stored) -> list[str]:
    """Groups with more seats than places, or people waiting beside a free seat."""
    problems = []
    for group in GROUPS:
        seated, waiting = found.seated[group.slug], found.waiting[group.slug]
        if seated > group.capacity:
            problems.append(f"{group.slug}: {seated} seated of {group.capacity}")
        if waiting and seated < group.capacity:
            problems.append(f"{group.slug}: {waiting} waiting beside a free seat")
    return problems


def differences(expected: Iterable[object], found: Iterable[object]) -> dict[str, list[str]]:
    wanted, got = set(expected), set(found)
    return {
        "missing": sorted(map(str, wanted - got))[:10],
        "unexpected": sorted(map(str, got - wanted))[:10],
    }
