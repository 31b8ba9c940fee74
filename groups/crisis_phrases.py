"""Noticing, in what a member writes to the bot, that they may be thinking of ending
their life or harming themselves, so the bot can answer with support (never with a
penalty: nothing is deleted, muted or reported).

The phrases live in ``groups/data/crisis_phrases/<language>.toml``, one file per
language, written in the pattern language of ``groups.phrase_patterns`` (which also
says what the matching forgives: case, accents, repeated letters, punctuation,
apostrophes, and one typo in words marked ``~``). Each file has:

- ``crisis``: first-person intent or despair ("I want to end my life"). Never a method,
  a means or a place: the lists are reviewed for that, and a test checks it.
- ``exclude``: idioms and negations that contain such words without meaning them ("I'm
  dying of laughter", "me muero de risa", "I don't want to die"). A crisis match that
  shares a word with an excluded phrase of any language does not count (close languages
  overlap: a Portuguese idiom may look like a Spanish crisis phrase); another crisis
  match elsewhere in the message still does.
- ``macros``: named pieces shared by several patterns (``@want``).

Detection is pure once loaded: no storage, no logging; the text is never kept and the
answer says only which language's list matched. The labelled sentences in
``tests/domain/crisis_phrases/`` measure recall and precision for every language.
"""

from __future__ import annotations

import tomllib
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from importlib import resources
from typing import Any

from groups.phrase_patterns import Node, ends, first_words, parse, words

DATA_PACKAGE = "groups.data"
DATA_FOLDER = "crisis_phrases"


@dataclass(frozen=True, slots=True)
class CrisisMatch:
    """A message matched a crisis phrase of ``language`` (its file's name: "en")."""

    language: str


@dataclass(frozen=True, slots=True)
class PhraseSet:
    """Compiled patterns, indexed by the exact word they must start with (those that may
    start with anything are tried at every word)."""

    by_first_word: Mapping[str, tuple[Node, ...]]
    anywhere: tuple[Node, ...]

    @classmethod
    def compile(cls, patterns: Iterable[str], macros: Mapping[str, str]) -> PhraseSet:
        by_first: dict[str, list[Node]] = {}
        anywhere: list[Node] = []
        for pattern in patterns:
            node = parse(pattern, macros)
            firsts = first_words(node)
            if firsts is None:
                anywhere.append(node)
                continue
            for word in firsts:
                by_first.setdefault(word, []).append(node)
        return cls({w: tuple(nodes) for w, nodes in by_first.items()}, tuple(anywhere))

    def spans(self, text: tuple[str, ...]) -> Iterator[range]:
        """Every stretch of ``text`` (as word positions) some pattern matches."""
        for start, word in enumerate(text):
            for node in (*self.by_first_word.get(word, ()), *self.anywhere):
                for end in ends(node, text, start):
                    if end > start:
                        yield range(start, end)


@dataclass(frozen=True, slots=True)
class LanguagePhrases:
    language: str
    crisis: PhraseSet
    exclude: PhraseSet

    @classmethod
    def from_toml(cls, language: str, data: Mapping[str, Any]) -> LanguagePhrases:
        macros = {str(name): str(text) for name, text in data.get("macros", {}).items()}
        crisis = [str(pattern) for pattern in data["crisis"]]
        exclude = [str(pattern) for pattern in data.get("exclude", [])]
        if not crisis:
            raise ValueError(f"crisis phrases for {language!r} list no pattern")
        return cls(language, PhraseSet.compile(crisis, macros), PhraseSet.compile(exclude, macros))

    def excluded(self, text: tuple[str, ...]) -> set[int]:
        """The word positions covered by an idiom or a negation of this language."""
        return {position for span in self.exclude.spans(text) for position in span}

    def matches(self, text: tuple[str, ...], excluded: set[int]) -> bool:
        return any(excluded.isdisjoint(span) for span in self.crisis.spans(text))


class CrisisPhrases:
    """The detector. ``load`` reads every language file once; ``detect`` is then pure."""

    def __init__(self, languages: Iterable[LanguagePhrases]) -> None:
        self._languages = tuple(languages)

    @classmethod
    def load(cls) -> CrisisPhrases:
        folder = resources.files(DATA_PACKAGE).joinpath(DATA_FOLDER)
        found = []
        for item in sorted(folder.iterdir(), key=lambda entry: entry.name):
            if item.name.endswith(".toml"):
                with item.open("rb") as handle:
                    data = tomllib.load(handle)
                found.append(LanguagePhrases.from_toml(item.name.removesuffix(".toml"), data))
        return cls(found)

    @property
    def languages(self) -> tuple[str, ...]:
        return tuple(phrases.language for phrases in self._languages)

    def detect(self, text: str) -> CrisisMatch | None:
        """The first language (in file-name order) with a crisis phrase in ``text``
        that no idiom or negation explains, or None. Never raises for any text."""
        normalised = words(text)
        excluded: set[int] = set()
        for phrases in self._languages:
            excluded |= phrases.excluded(normalised)
        for phrases in self._languages:
            if phrases.matches(normalised, excluded):
                return CrisisMatch(phrases.language)
        return None
