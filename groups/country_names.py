"""Finding a country from what someone typed: a code (``ie``) or a name in any case, with
or without accents, with extra spaces or dots (``ESPAÑA``, ``espana``, ``U.K.``,
``the netherlands``)."""

from __future__ import annotations

import unicodedata
from collections.abc import Iterable, Mapping

_DROPPED = frozenset(".'’")  # U.K. -> uk, Côte d'Ivoire -> cote divoire
_ARTICLES = ("the ",)


def normalise(text: str) -> str:
    """A form two spellings of one name share: accents removed, case folded, anything
    that is not a letter or digit made a space, spaces collapsed, a leading "the" gone."""
    decomposed = unicodedata.normalize("NFKD", text)
    kept = []
    for char in decomposed:
        if unicodedata.combining(char) or char in _DROPPED:
            continue
        kept.append(char if char.isalnum() else " ")
    folded = " ".join("".join(kept).casefold().split())
    for article in _ARTICLES:
        if folded.startswith(article):
            folded = folded[len(article) :]
    return folded


class CountryNames:
    """Every name (and code) of the countries given, to find one's ISO code."""

    def __init__(self, names: Mapping[str, Iterable[str]]) -> None:
        """``names`` maps each ISO code to the names people may type for it."""
        self._codes = {code.upper() for code in names}
        self._by_name: dict[str, str] = {}
        for code, its_names in names.items():
            for name in its_names:
                self._by_name.setdefault(normalise(name), code.upper())

    def find(self, typed: str) -> str | None:
        """The ISO code ``typed`` names, or None. Two letters are a code first (``in`` is
        India, ``de`` Germany), then a name."""
        wanted = normalise(typed)
        if not wanted:
            return None
        if len(wanted) == 2 and wanted.upper() in self._codes:
            return wanted.upper()
        return self._by_name.get(wanted)
