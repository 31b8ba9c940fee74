"""A tiny pattern language over normalised words, for the crisis-phrase lists.

Text and patterns go through the same ``words``: Unicode compatibility forms folded,
accents and other diacritics dropped, case folded, punctuation ignored, and any letter
typed several times in a row kept once ("dieeee" -> "die", "Schluss" -> "schlus"), so
all of those differences never matter. Apostrophes: after a lone letter (French ``j'``,
``l'``, ``d'``...) or ``qu`` they separate words (``j'ai`` -> ``j ai``); anywhere else
(``don't``, ``I'm``) they vanish (``dont``, ``im``), so a member who leaves them out is
read the same. The end of a sentence (``.``, ``!``, ``?``, ``;``, a new line; not an
ellipsis, which is only a pause) becomes a boundary no pattern reaches across.

A pattern is a sequence of:

- ``word``: that word (after the same normalising);
- ``~word``: that word or one within one typo (a letter missing, extra, wrong, or two
  swapped; two typos from nine letters up), with the same first letter; only for words
  of five letters or more (shorter words get explicit variants instead);
- ``word*``: any word starting with ``word``;
- ``( a b | c )``: one of the alternatives, each a sequence;
- ``item?``: the item, or nothing;
- ``!item``: one word that does not begin a match of ``item`` (``de !(vez|verdade)``);
- ``...``: up to three words of anything (within one sentence);
- ``@name``: the language file's macro ``name``, as if written in parentheses.

Always put alternatives in parentheses: at the top level ``a b|c`` means ``(a b)|(c)``.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterator, Mapping
from dataclasses import dataclass

BOUNDARY = "."
GAP_WORDS = 3
FUZZY_FROM = 5  # letters; shorter words must match exactly
TWO_TYPOS_FROM = 12
_APOSTROPHES = "'’‘ʼ`´′"
_ELIDED = frozenset({"qu", "jusqu", "lorsqu", "puisqu", "quoiqu"})
_APOSTROPHE = re.compile(rf"(\w*)[{_APOSTROPHES}]")
_ELLIPSIS = re.compile(r"\.{2,}|…")
_TOKEN = re.compile(r"[^\W_]+|[.!?;\r\n]+")
_REPEAT = re.compile(r"(.)\1+")
_PATTERN_TOKEN = re.compile(r"\(|\)|\||\?|!|\.\.\.|[^\s()|?!]+")
_MACRO = re.compile(r"@([a-z_][a-z0-9_]*)")


def words(text: str) -> tuple[str, ...]:
    """The normalised words of ``text`` (with ``BOUNDARY`` between sentences)."""
    folded = _APOSTROPHE.sub(_apostrophe, unicodedata.normalize("NFKC", text))
    folded = _strip_marks(_strip_marks(folded).casefold())
    found = []
    for token in _TOKEN.findall(_ELLIPSIS.sub(" ", folded)):
        if token[0].isalnum():
            found.append(_REPEAT.sub(r"\1", token))
        elif not found or found[-1] != BOUNDARY:
            found.append(BOUNDARY)
    return tuple(found)


def _apostrophe(match: re.Match[str]) -> str:
    before = match[1]
    lower = before.lower()
    elided = (len(before) == 1 and lower != "i") or lower in _ELIDED
    return f"{before} " if elided or not before else before


def _strip_marks(text: str) -> str:
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(char for char in decomposed if not unicodedata.combining(char))


@dataclass(frozen=True, slots=True)
class Word:
    text: str
    fuzzy: bool = False
    prefix: bool = False

    def matches(self, word: str) -> bool:
        if word == BOUNDARY:
            return False
        if self.prefix:
            return word.startswith(self.text)
        if word == self.text:
            return True
        return self.fuzzy and word[:1] == self.text[:1] and _near(word, self.text)


@dataclass(frozen=True, slots=True)
class Chain:
    items: tuple[Node, ...]


@dataclass(frozen=True, slots=True)
class Choice:
    options: tuple[Node, ...]


@dataclass(frozen=True, slots=True)
class Maybe:
    item: Node


@dataclass(frozen=True, slots=True)
class Not:
    item: Node


@dataclass(frozen=True, slots=True)
class Gap:
    most: int = GAP_WORDS


Node = Word | Chain | Choice | Maybe | Not | Gap


def _near(word: str, target: str) -> bool:
    """Within the typos allowed for ``target`` (optimal string alignment distance)."""
    limit = 2 if len(target) >= TWO_TYPOS_FROM else 1
    if len(target) < FUZZY_FROM or abs(len(word) - len(target)) > limit:
        return False
    before: list[int] | None = None
    row = list(range(len(target) + 1))
    for i, char in enumerate(word, 1):
        current = [i] + [0] * len(target)
        for j, wanted in enumerate(target, 1):
            cost = 0 if char == wanted else 1
            current[j] = min(row[j] + 1, current[j - 1] + 1, row[j - 1] + cost)
            swapped = i > 1 and j > 1 and char == target[j - 2] and word[i - 2] == wanted
            if swapped and before is not None:
                current[j] = min(current[j], before[j - 2] + 1)
        if min(current) > limit:
            return False
        before, row = row, current
    return row[-1] <= limit


def ends(node: Node, text: tuple[str, ...], start: int) -> Iterator[int]:
    """Every position where a match of ``node`` beginning at ``start`` can end."""
    match node:
        case Word():
            if start < len(text) and node.matches(text[start]):
                yield start + 1
        case Chain(items=items):
            yield from _sequence_ends(items, text, start)
        case Choice(options=options):
            for option in options:
                yield from ends(option, text, start)
        case Maybe(item=item):
            yield start
            yield from ends(item, text, start)
        case Not(item=item):
            word_here = start < len(text) and text[start] != BOUNDARY
            if word_here and next(ends(item, text, start), None) is None:
                yield start + 1
        case Gap(most=most):
            position = start
            yield position
            while position < len(text) and position - start < most:
                if text[position] == BOUNDARY:
                    return
                position += 1
                yield position


def _sequence_ends(items: tuple[Node, ...], text: tuple[str, ...], start: int) -> Iterator[int]:
    if not items:
        yield start
        return
    for middle in ends(items[0], text, start):
        yield from _sequence_ends(items[1:], text, middle)


def first_words(node: Node) -> frozenset[str] | None:
    """The exact words a match of ``node`` can start with; None when it may start with
    anything (a typo-tolerant or prefix word, a gap, or a node that may match nothing)."""
    match node:
        case Word(text=text, fuzzy=False, prefix=False):
            return frozenset({text})
        case Word() | Gap() | Maybe() | Not():
            return None
        case Choice(options=options):
            found: set[str] = set()
            for option in options:
                firsts = first_words(option)
                if firsts is None:
                    return None
                found |= firsts
            return frozenset(found)
        case Chain(items=items):
            return _sequence_firsts(items)


def _sequence_firsts(items: tuple[Node, ...]) -> frozenset[str] | None:
    found: set[str] = set()
    for item in items:
        inner = item.item if isinstance(item, Maybe) else item
        firsts = first_words(inner)
        if firsts is None:
            return None
        found |= firsts
        if not isinstance(item, Maybe):
            return frozenset(found)
    return None


def parse(pattern: str, macros: Mapping[str, str]) -> Node:
    """The node for ``pattern``; ``ValueError`` names what is wrong with it."""
    tokens = _PATTERN_TOKEN.findall(_expand(pattern, macros))
    node, position = _choice(tokens, 0, pattern)
    if position != len(tokens):
        raise ValueError(f"unbalanced ')' in pattern {pattern!r}")
    return node


def _expand(pattern: str, macros: Mapping[str, str]) -> str:
    for _ in range(10):
        if "@" not in pattern:
            return pattern
        pattern = _MACRO.sub(lambda m: f"({_macro(macros, m[1])})", pattern)
    raise ValueError(f"macros nest too deep in {pattern!r}")


def _macro(macros: Mapping[str, str], name: str) -> str:
    if name not in macros:
        raise ValueError(f"unknown macro @{name}")
    return macros[name]


def _choice(tokens: list[str], position: int, pattern: str) -> tuple[Node, int]:
    options = []
    while True:
        option, position = _sequence(tokens, position, pattern)
        options.append(option)
        if position < len(tokens) and tokens[position] == "|":
            position += 1
            continue
        return (options[0] if len(options) == 1 else Choice(tuple(options))), position


def _sequence(tokens: list[str], position: int, pattern: str) -> tuple[Node, int]:
    items: list[Node] = []
    while position < len(tokens) and tokens[position] not in (")", "|"):
        item, position = _atom(tokens, position, pattern)
        if position < len(tokens) and tokens[position] == "?":
            item, position = Maybe(item), position + 1
        items.append(item)
    if not items:
        raise ValueError(f"empty alternative in pattern {pattern!r}")
    return (items[0] if len(items) == 1 else Chain(tuple(items))), position


def _atom(tokens: list[str], position: int, pattern: str) -> tuple[Node, int]:
    token = tokens[position]
    if token == "(":
        node, position = _choice(tokens, position + 1, pattern)
        if position >= len(tokens) or tokens[position] != ")":
            raise ValueError(f"missing ')' in pattern {pattern!r}")
        return node, position + 1
    if token == "...":
        return Gap(), position + 1
    if token == "!":
        if position + 1 >= len(tokens) or tokens[position + 1] in (")", "|", "?", "!"):
            raise ValueError(f"'!' needs a word or a group after it in pattern {pattern!r}")
        item, position = _atom(tokens, position + 1, pattern)
        return Not(item), position
    if token == "?":
        raise ValueError(f"'?' follows nothing in pattern {pattern!r}")
    return _literal(token, pattern), position + 1


def _literal(token: str, pattern: str) -> Node:
    fuzzy, prefix = token.startswith("~"), token.endswith("*")
    found = [w for w in words(token.strip("~*")) if w != BOUNDARY]
    if not found:
        raise ValueError(f"{token!r} in pattern {pattern!r} has no letters")
    parts: list[Node] = [Word(w, fuzzy=fuzzy) for w in found]
    if prefix:
        parts[-1] = Word(found[-1], prefix=True)
    return parts[0] if len(parts) == 1 else Chain(tuple(parts))
