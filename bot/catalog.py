"""Every user-facing text, in one reviewable place per language.

Texts live in ``bot/messages/<language>.toml`` as nested tables, and in topic files
``bot/messages/<language>/*.toml`` (check-ins, crisis...), all merged into one catalog; a
key defined twice is an error. Code refers to texts by dotted key (``groups.join.seated``)
and fills ``{placeholders}`` by name.
"""

from __future__ import annotations

import tomllib
from collections.abc import Callable, Hashable, Iterator, Mapping
from importlib import resources
from typing import Any

REMEMBERED = 4096  # texts ``remembered`` keeps per catalog; the oldest go first


class Catalog:
    def __init__(self, language: str, texts: Mapping[str, str]) -> None:
        self.language = language
        self._texts = dict(texts)
        self._remembered: dict[Hashable, str] = {}

    @classmethod
    def load(cls, language: str = "en") -> Catalog:
        messages = resources.files("bot.messages")
        sources = [messages.joinpath(f"{language}.toml")]
        topics = messages.joinpath(language)
        if topics.is_dir():
            sources += sorted(
                (item for item in topics.iterdir() if item.name.endswith(".toml")),
                key=lambda item: item.name,
            )
        texts: dict[str, str] = {}
        for source in sources:
            with source.open("rb") as handle:
                for key, text in _flatten(tomllib.load(handle)):
                    if key in texts:
                        raise ValueError(f"catalog key {key} is defined twice ({source.name})")
                    texts[key] = text
        return cls(language, texts)

    def text(self, key: str, /, **params: object) -> str:
        """The text for ``key`` with its placeholders filled. A missing key or placeholder
        is a programming error (the catalog tests catch both)."""
        return self._texts[key].format_map(params)

    def remembered(self, key: Hashable, make: Callable[[], str]) -> str:
        """A text that ``make`` builds from this catalog's texts and that only ``key``
        decides (a group's schedule in words, say), built once and then kept: up to
        ``REMEMBERED`` of them, the oldest dropped first."""
        found = self._remembered.get(key)
        if found is None:
            if len(self._remembered) >= REMEMBERED:
                del self._remembered[next(iter(self._remembered))]
            found = self._remembered[key] = make()
        return found

    def has(self, key: str) -> bool:
        return key in self._texts

    def all_keys(self) -> frozenset[str]:
        return frozenset(self._texts)

    def template(self, key: str) -> str:
        """The unfilled text, for reviews and tone checks."""
        return self._texts[key]


def _flatten(table: Mapping[str, Any], prefix: str = "") -> Iterator[tuple[str, str]]:
    for name, value in table.items():
        key = f"{prefix}{name}"
        if isinstance(value, Mapping):
            yield from _flatten(value, f"{key}.")
        elif isinstance(value, str):
            yield key, value
        else:
            raise TypeError(f"catalog entry {key} must be text, not {type(value).__name__}")
