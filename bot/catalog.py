"""Every user-facing text, in one reviewable place per language.

Texts live in ``bot/messages/<language>.toml`` as nested tables; code refers to them by
dotted key (``groups.join.seated``) and fills ``{placeholders}`` by name.
"""

from __future__ import annotations

import tomllib
from collections.abc import Iterator, Mapping
from importlib import resources
from typing import Any


class Catalog:
    def __init__(self, language: str, texts: Mapping[str, str]) -> None:
        self.language = language
        self._texts = dict(texts)

    @classmethod
    def load(cls, language: str = "en") -> Catalog:
        source = resources.files("bot.messages").joinpath(f"{language}.toml")
        with source.open("rb") as handle:
            return cls(language, dict(_flatten(tomllib.load(handle))))

    def text(self, key: str, /, **params: object) -> str:
        """The text for ``key`` with its placeholders filled. A missing key or placeholder
        is a programming error (the catalog tests catch both)."""
        return self._texts[key].format_map(params)

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
