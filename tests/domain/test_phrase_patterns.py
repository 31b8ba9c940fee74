"""The pattern language the crisis-phrase lists are written in."""

from __future__ import annotations

import pytest

from groups.crisis_phrases import LanguagePhrases
from groups.phrase_patterns import BOUNDARY, ends, parse, words


def _matches(pattern: str, text: str, macros: dict[str, str] | None = None) -> bool:
    node = parse(pattern, macros or {})
    found = words(text)
    return any(end > start for start in range(len(found)) for end in ends(node, found, start))


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Don't", ("dont",)),
        ("I’m", ("im",)),
        ("j'ai", ("j", "ai")),
        ("qu'il", ("qu", "il")),
        ("Sooooo   TIRED", ("so", "tired")),
        ("Ça déçoit", ("ca", "decoit")),
        ("Schluss", ("schlus",)),
        ("ＦＵＬＬ ｗｉｄｔｈ", ("ful", "width")),
        ("one. two", ("one", BOUNDARY, "two")),
        ("one... two", ("one", "two")),
        ("one!!! two?", ("one", BOUNDARY, "two", BOUNDARY)),
        ("", ()),
    ],
)
def test_words_normalise(text: str, expected: tuple[str, ...]) -> None:
    assert words(text) == expected


def test_a_typo_is_forgiven_only_where_marked_and_long_enough() -> None:
    assert _matches("~myself", "mysefl")
    assert _matches("~myself", "myslf")
    assert not _matches("myself", "mysefl")
    assert not _matches("~myself", "nyself")  # the first letter must match
    assert _matches("~myself", "mysellff")  # repeated letters are not typos
    assert not _matches("~myself", "myzelv")  # two typos
    assert not _matches("~kil", "kol")  # too short to guess


def test_alternatives_options_gaps_and_prefixes() -> None:
    assert _matches("(a b|c) d", "a b d")
    assert _matches("(a b|c) d", "c d")
    assert not _matches("(a b|c) d", "a d")
    assert _matches("want (to)? die", "wanna die want die")
    assert _matches("no reason ... to live", "no reason for me to live")
    assert not _matches("no reason ... to live", "no reason at all for me to live")
    assert not _matches("no reason ... to live", "no reason. to live")
    assert _matches("suicid*", "suicidal")


def test_not_takes_one_word_that_does_not_start_the_item() -> None:
    assert _matches("de !(vez|uma vez)", "de fome")
    assert _matches("de !(vez|uma vez)", "de uma coisa")
    assert not _matches("de !(vez|uma vez)", "de vez")
    assert not _matches("de !(vez|uma vez)", "de uma vez")
    assert not _matches("de !(vez)", "de")


def test_macros_expand_as_groups() -> None:
    assert _matches("@want to die", "wanna to die", {"want": "want|wanna"})
    with pytest.raises(ValueError, match="unknown macro"):
        parse("@nope", {})
    with pytest.raises(ValueError, match="too deep"):
        parse("@a", {"a": "@a"})


@pytest.mark.parametrize("broken", ["(a b", "a b)", "a (|b)", "? a", "!", "a ! )", "~*"])
def test_a_broken_pattern_is_refused(broken: str) -> None:
    with pytest.raises(ValueError, match="pattern"):
        parse(broken, {})


def test_an_excluded_phrase_hides_only_the_crisis_match_it_shares_a_word_with() -> None:
    phrases = LanguagePhrases.from_toml(
        "xx", {"crisis": ["want to die"], "exclude": ["die of"], "macros": {}}
    )
    text = words("I want to die of boredom")
    assert not phrases.matches(text, phrases.excluded(text))
    text = words("I want to die of boredom. I want to die")
    assert phrases.matches(text, phrases.excluded(text))


def test_a_language_without_crisis_phrases_is_refused() -> None:
    with pytest.raises(ValueError, match="no pattern"):
        LanguagePhrases.from_toml("xx", {"crisis": []})
