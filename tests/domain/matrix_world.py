"""The authorization matrix's world: its rule table, its actors and places, and one cell.

``RULES`` declares, for every registered command, the least role that may run it,
whether that role must be held *for the group named* (a facilitator of another group is
not enough), and the argument lines to try. The matrix test asserts the table names
exactly the registered commands, so a new command fails until someone declares its rule.

Every command is tried by six people (five from the issue, plus a chat admin whose
facilitation comes from the platform, so the place matters too) in three places, and
``run_cell`` says what was wrong with a cell (nothing, if it passed).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from enum import Enum
from pathlib import Path

from bot.catalog import Catalog
from bot.events import Actor, Place
from bot.replies import Audience, Reply
from bot.roles import Role
from tests.harness import Harness

MEMBER, FACILITATOR, ORGANIZER = Role.MEMBER, Role.FACILITATOR, Role.ORGANIZER
GROUP = "circle"  # the group the per-group commands name; it lives in GROUP_CHAT


@dataclass(frozen=True)
class Rule:
    """``min_role``: the least role that may run the command at all. ``per_group``: that
    role must be held for the group the command names. ``lines``: the argument lines to
    try (one cell each). ``listed``: whether /help shows it (False: a button's command)."""

    min_role: Role
    per_group: bool = False
    lines: tuple[str, ...] = ("",)
    listed: bool = True


RULES: dict[str, Rule] = {
    "start": Rule(MEMBER),
    "help": Rule(MEMBER),
    "crisis": Rule(MEMBER, lines=("", "IE")),
    "groups": Rule(MEMBER),
    "join": Rule(MEMBER, lines=(GROUP, "")),
    "leave": Rule(MEMBER, lines=(GROUP,)),
    "mygroups": Rule(MEMBER),
    "next": Rule(MEMBER, lines=(GROUP, "")),
    "rsvp": Rule(MEMBER, lines=(f"{GROUP} yes",)),
    "calendar": Rule(MEMBER, lines=(GROUP,)),
    "cancel": Rule(FACILITATOR, per_group=True, lines=(f"{GROUP} snow",)),
    "move": Rule(FACILITATOR, per_group=True, lines=(f"{GROUP} 2026-12-01 20:00",)),
    "attendance": Rule(FACILITATOR, per_group=True, lines=(GROUP,)),
    "roster": Rule(FACILITATOR, per_group=True, lines=(GROUP,)),
    "remove": Rule(FACILITATOR, per_group=True, lines=(f"{GROUP} Bartholomew", f"{GROUP} Bar")),
    "announce": Rule(FACILITATOR, per_group=True, lines=(f"{GROUP} Bring a mug!",)),
    "settings": Rule(MEMBER, lines=("", "timezone Europe/Dublin")),
    "checkin": Rule(MEMBER, lines=(GROUP,)),
    "contactme": Rule(MEMBER, lines=(GROUP,)),
    "checkins": Rule(FACILITATOR, per_group=True, lines=(GROUP,)),
    "mydata": Rule(MEMBER),
    "forgetme": Rule(MEMBER, lines=("", "cancel", "confirm")),
    "supportalert": Rule(MEMBER, lines=("me", "anon", "no"), listed=False),
}

GROUP_CHAT = Place("telegram", chat_id="-100123", private=False)  # where "circle" lives
UNRELATED_CHAT = Place("telegram", chat_id="-100999", private=False)  # no group lives here
PLACES = ("private", "group chat", "unrelated chat")


class Outcome(Enum):
    ALLOWED = "allowed"
    NEEDS_ROLE = "refused: needs a role"  # the dispatcher refuses before the handler runs
    NOT_YOUR_GROUP = "refused: not your group"  # the handler refuses for this group


@dataclass(frozen=True)
class Person:
    """Someone trying commands: the role they hold wherever they speak (``here``) and for
    the group (``in_group``); a chat admin holds both only in the group's chat."""

    label: str
    actor: Actor
    here: Role = MEMBER
    in_group: Role = MEMBER
    chat_admin: bool = False
    joins: bool = False

    def roles(self, place: str) -> tuple[Role, Role]:
        if self.chat_admin:
            return (FACILITATOR, FACILITATOR) if place == "group chat" else (MEMBER, MEMBER)
        return self.here, self.in_group

    def place(self, place: str) -> Place:
        if place == "private":
            return Place(self.actor.platform, self.actor.user_id, private=True)
        return GROUP_CHAT if place == "group chat" else UNRELATED_CHAT


def _tg(user_id: str, name: str) -> Actor:
    return Actor("telegram", user_id, name)


PEOPLE = (
    Person("member", _tg("61730001", "Wilhelmina"), joins=True),
    Person("facilitator", _tg("4242", "Fenella"), FACILITATOR, FACILITATOR),
    Person("other facilitator", _tg("61730003", "Gideon"), FACILITATOR, MEMBER),
    Person("organizer", _tg("61730004", "Ottoline"), ORGANIZER, ORGANIZER),
    Person("non-member", _tg("61730005", "Nathaniel")),
    Person("chat admin", _tg("61730006", "Adelaide"), chat_admin=True),
)
BYSTANDER = _tg("61730007", "Bartholomew")  # seated in circle: what a roster would show
EVERYONE = (*(p.actor for p in PEOPLE), BYSTANDER)


MATRIX_CONFIG = (  # (what the harness config says, what the matrix's says instead)
    ('organizers = ["console:olive"]', 'organizers = ["console:olive", "telegram:61730004"]'),
    ('facilitators = ["console:gus"]', 'facilitators = ["console:gus", "telegram:61730003"]'),
    ("per_group_chat_per_minute = 600", "per_group_chat_per_minute = 600\nper_chat_burst = 10"),
    ("per_chat_burst = 10", "per_chat_burst = 10\nper_chat_per_second = 10"),
)


def matrix_config(config: Path) -> Path:
    """The harness config, plus a Telegram organizer and a Telegram facilitator of the
    other group ("carers"), so all five can speak in the group's Telegram chat; and
    Telegram's pacing at its ceilings, so the many notices of the matrix need not wait."""
    text = config.read_text(encoding="utf-8")
    for old, new in MATRIX_CONFIG:
        assert text.count(old) == 1, f"the harness config no longer says {old!r}"
        text = text.replace(old, new)
    config.write_text(text, encoding="utf-8")
    return config


def expected(rule: Rule, here: Role, in_group: Role) -> Outcome:
    """What the declared rule says, worked out apart from the code under test."""
    if here < rule.min_role:
        return Outcome.NEEDS_ROLE
    if rule.per_group and in_group < rule.min_role:
        return Outcome.NOT_YOUR_GROUP
    return Outcome.ALLOWED


def _pattern(catalog: Catalog, key: str) -> re.Pattern[str]:
    """A catalog text with any placeholder values."""
    parts = re.split(r"\{[a-z_]+\}", catalog.template(key))
    return re.compile(".+?".join(re.escape(part) for part in parts), re.DOTALL)


@dataclass(frozen=True)
class Texts:
    """The refusals and the failures a cell's replies are recognised by."""

    needs_role: re.Pattern[str]
    not_your_group: re.Pattern[str]
    failures: tuple[re.Pattern[str], ...]

    @classmethod
    def of(cls, catalog: Catalog) -> Texts:
        roles = "|".join(
            _pattern(catalog, f"core.needs_role.{role.label}").pattern for role in Role
        )
        failures = ("core.incident", "core.storage_unavailable", "degraded.unavailable")
        return cls(
            re.compile(roles, re.DOTALL),
            _pattern(catalog, "groups.roster.not_your_group"),
            tuple(_pattern(catalog, key) for key in failures),
        )

    def outcome(self, replies: Sequence[Reply]) -> Outcome:
        for reply in replies:
            if self.needs_role.fullmatch(reply.text):
                return Outcome.NEEDS_ROLE
            if self.not_your_group.fullmatch(reply.text):
                return Outcome.NOT_YOUR_GROUP
        return Outcome.ALLOWED


def personal_data(reply: Reply) -> list[str]:
    """The names and ids of people in the world that ``reply`` shows (text or buttons)."""
    shown = "\n".join([reply.text, *(button.label for button in reply.buttons)])
    return [
        found
        for actor in EVERYONE
        for found in (actor.display_name, actor.user_id)
        if re.search(rf"(?<!\w){re.escape(found)}(?!\w)", shown)
    ]


async def snapshot(harness: Harness) -> dict[str, list[tuple[object, ...]]]:
    """Every row of every table: what a refusal must leave as it was."""
    database = harness.app.database
    tables = await database.fetch_all(
        "SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name"
    )
    return {
        row["name"]: [
            tuple(r.values()) for r in await database.fetch_all(f"SELECT * FROM {row['name']}")
        ]
        for row in tables
    }


async def setup_world(harness: Harness) -> None:
    """The member and a bystander hold seats in the group."""
    for actor in (*(p.actor for p in PEOPLE if p.joins), BYSTANDER):
        await harness.say(f"/join {GROUP}", as_=actor)


async def run_cell(harness: Harness, texts: Texts, line: str, who: Person, place: str) -> list[str]:
    """``who`` types ``line`` in ``place``; what was wrong with the result."""
    rule = RULES[line.split()[0].lstrip("/")]
    here, in_group = who.roles(place)
    want = expected(rule, here, in_group)
    where = who.place(place)
    granted = FACILITATOR if who.chat_admin else MEMBER
    before = await snapshot(harness) if want is not Outcome.ALLOWED else None
    posted = {p: len(o.posted) for p, o in harness.outbound.items()}
    replies = await harness.say(line, as_=who.actor, role=granted, place=where)
    problems = _failures(texts, replies)
    got = texts.outcome(replies)
    if got is not want:
        problems.append(f"expected {want.value}, got {got.value}")
    if want is not Outcome.ALLOWED:
        if [reply.audience for reply in replies] != [Audience.ONLY_YOU]:
            problems.append("a refusal is one reply for the person only")
        if await snapshot(harness) != before:
            problems.append("a refusal changed stored data")
    for reply in replies:
        if reply.audience is Audience.HERE and (found := personal_data(reply)):
            problems.append(f"a reply for everyone shows {found}")
    for platform, outbound in harness.outbound.items():
        for _, reply in outbound.posted[posted[platform] :]:
            if found := personal_data(reply):
                problems.append(f"a message posted to a chat shows {found}")
    return problems


def _failures(texts: Texts, replies: Sequence[Reply]) -> list[str]:
    problems = [] if replies else ["no reply at all"]
    for reply in replies:
        if any(pattern.fullmatch(reply.text) for pattern in texts.failures):
            problems.append("an incident reply")
    return problems


async def run_matrix(harness: Harness, command: str) -> tuple[int, list[str]]:
    """Every cell of ``command``: how many ran, and what failed (labelled)."""
    texts = Texts.of(harness.app.catalog)
    failures: list[str] = []
    cells = 0
    for line in RULES[command].lines:
        typed = f"/{command} {line}".strip()
        for who in PEOPLE:
            for place in PLACES:
                cells += 1
                for problem in await run_cell(harness, texts, typed, who, place):
                    failures.append(f"{typed!r} by {who.label} in {place}: {problem}")
    return cells, failures
