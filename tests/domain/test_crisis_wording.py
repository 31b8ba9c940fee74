"""Safe-messaging lint for every crisis template (R9): no stigmatising or judging words,
no diagnosis, no method, means or place. Applies to every catalog key under ``crisis.``:
the helpline directory's texts and the supportive reply's (``crisis.support.*``)."""

from __future__ import annotations

import re

import pytest

from bot.catalog import Catalog

BANNED = [
    # stigmatising or sensational framing
    r"commit(s|ted|ting)? suicide",
    r"(un)?successful (suicide|attempt)",
    r"failed (suicide|attempt)",
    r"epidemic",
    r"cry for help",
    r"attention[ -]seeking",
    r"selfish",
    r"coward(ly)?",
    # judging, dismissing, ordering
    r"calm down",
    r"cheer up",
    r"snap out of it",
    r"(it'?s|it is) not that bad",
    r"others have it worse",
    r"you should",
    r"crazy",
    r"insane",
    r"psycho",
    # diagnosis: a bot does not assess anyone
    r"you('re| are) (depressed|suicidal|mentally ill|unwell)",
    r"you have (depression|a disorder|an illness)",
    r"diagnos\w*",
    r"disorder",
    r"mental illness",
    # methods, means and places
    r"hang(s|ing|ed)?",
    r"noose",
    r"overdos\w*",
    r"pills?",
    r"tablets?",
    r"jump(s|ing|ed)?",
    r"bridges?",
    r"ropes?",
    r"guns?",
    r"shoot(ing)?",
    r"poison\w*",
    r"cut(s|ting)?",
    r"blades?",
    r"knife|knives",
    r"razors?",
    r"wrists?",
    r"trains?",
    r"cliffs?",
    r"roofs?",
    r"drown\w*",
    r"methods?",
    r"how to",
]
_BANNED = [re.compile(rf"\b(?:{pattern})\b", re.IGNORECASE) for pattern in BANNED]


def crisis_offences(catalog: Catalog) -> dict[str, list[str]]:
    """By key, the banned wordings found in each ``crisis.*`` template."""
    found: dict[str, list[str]] = {}
    for key in sorted(catalog.all_keys()):
        if not key.startswith("crisis."):
            continue
        template = catalog.template(key)
        hits = [m.group(0) for rule in _BANNED if (m := rule.search(template)) is not None]
        if hits:
            found[key] = hits
    return found


def _with(extra: dict[str, str]) -> Catalog:
    real = Catalog.load("en")
    texts = {key: real.template(key) for key in real.all_keys()}
    return Catalog("en", {**texts, **extra})


def test_the_lint_covers_the_directorys_texts_and_the_supportive_reply() -> None:
    keys = {key for key in Catalog.load("en").all_keys() if key.startswith("crisis.")}
    assert {"crisis.known_country", "crisis.unknown_country", "crisis.pointer"} <= keys
    assert {"crisis.support.message", "crisis.support.facilitator_anon"} <= keys


def test_no_crisis_template_uses_banned_wording() -> None:
    assert crisis_offences(Catalog.load("en")) == {}


@pytest.mark.parametrize(
    "planted",
    [
        "Please calm down, things will look better tomorrow.",
        "It sounds like you are depressed.",
        "Someone committed suicide nearby.",
        "Stay away from the bridge tonight.",
        "Don't be selfish.",
    ],
)
def test_the_lint_catches_a_planted_bad_template(planted: str) -> None:
    offences = crisis_offences(_with({"crisis.support.planted": planted}))
    assert list(offences) == ["crisis.support.planted"]


def test_the_lint_reads_whole_words_only() -> None:
    assert crisis_offences(_with({"crisis.support.planted": "A shortcut: /crisis"})) == {}


def test_the_supportive_reply_says_it_is_a_bot_and_offers_support() -> None:
    message = Catalog.load("en").template("crisis.support.message")
    assert "automated message" in message
    assert "not a counsellor" in message
    assert "You deserve support right now" in message
    assert "{helplines}" in message


def test_facilitator_messages_have_no_room_for_what_the_member_wrote() -> None:
    catalog = Catalog.load("en")
    named = catalog.template("crisis.support.facilitator_me")
    anonymous = catalog.template("crisis.support.facilitator_anon")
    assert set(re.findall(r"\{(\w+)\}", named)) == {"name", "group", "bot"}
    assert set(re.findall(r"\{(\w+)\}", anonymous)) == {"group"}
