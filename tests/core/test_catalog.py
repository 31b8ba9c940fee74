"""The message catalog: every key the code uses exists, and the tone rules hold."""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path

import pytest

from bot.catalog import Catalog

ROOT = Path(__file__).parents[2]
SOURCES = [p for d in ("bot", "groups", "adapters") for p in (ROOT / d).rglob("*.py")]
SECTIONS = sorted({key.split(".")[0] for key in Catalog.load("en").all_keys()})
KEY_LITERAL = re.compile(rf"\"((?:{'|'.join(SECTIONS)})\.[a-z0-9_.]+)\"")
PACKAGE_NAMES = {"groups.data", "telegram.ext"}  # look like keys, but name packages

# Safe-messaging and respectful-language rules: none of these may appear in any text.
BANNED = [
    "committed suicide",
    "successful suicide",
    "failed attempt",
    "crazy",
    "insane",
    "psycho",
    "junkie",
    "addict",
    "you should",
    "calm down",
    "i understand how you feel",
]


@pytest.fixture(scope="module")
def catalog() -> Catalog:
    return Catalog.load("en")


def test_every_section_of_the_catalog_is_checked() -> None:
    assert {"core", "groups", "console", "audience", "crisis"} <= set(SECTIONS)


def test_every_key_used_in_code_exists(catalog: Catalog) -> None:
    found = {key for path in SOURCES for key in KEY_LITERAL.findall(path.read_text())}
    used = found - PACKAGE_NAMES
    assert len(used) > 40
    assert sorted(key for key in used if not catalog.has(key)) == []


def test_keys_built_at_run_time_exist(catalog: Catalog) -> None:
    for role in ("member", "facilitator", "organizer"):
        assert catalog.has(f"core.needs_role.{role}")
    for day in ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"):
        assert catalog.has(f"weekdays.{day}")
    for which in ("1", "2", "3", "4", "last"):
        assert catalog.has(f"schedule.ordinal.{which}")


@pytest.mark.parametrize("phrase", BANNED)
def test_no_text_uses_a_banned_phrase(catalog: Catalog, phrase: str) -> None:
    offenders = [k for k in catalog.all_keys() if phrase in catalog.template(k).casefold()]
    assert offenders == []


def test_the_bot_says_it_is_not_a_counsellor(catalog: Catalog) -> None:
    assert "I'm a bot, not a counsellor" in catalog.template("groups.help")


def test_crisis_texts_always_offer_a_human_line(catalog: Catalog) -> None:
    for key in ("crisis.known_country", "crisis.unknown_country"):
        assert "{url}" in catalog.template(key)
    assert "{emergency}" in catalog.template("crisis.known_country")


def test_a_remembered_text_is_built_once_per_key_and_the_oldest_go_first(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr("bot.catalog.REMEMBERED", 2)
    texts = Catalog("en", {"hi": "Hello, {name}"})
    built: list[str] = []

    def make(name: str) -> Callable[[], str]:
        def build() -> str:
            built.append(name)
            return texts.text("hi", name=name)

        return build

    assert texts.remembered("a", make("Ann")) == "Hello, Ann"
    assert texts.remembered("a", make("Other")) == "Hello, Ann"  # kept: not built again
    assert texts.remembered("b", make("Bo")) == "Hello, Bo"
    assert texts.remembered("c", make("Cy")) == "Hello, Cy"  # two kept at most: "a" goes
    assert texts.remembered("b", make("Other")) == "Hello, Bo"
    assert texts.remembered("a", make("Ann again")) == "Hello, Ann again"
    assert built == ["Ann", "Bo", "Cy", "Ann again"]
