"""Groups people can tell apart: no two share a slug, and no group's name looks like another's.

Members choose a group by its name or slug. Two names that look the same (even when
their letters differ, like a Cyrillic "а" standing in for a Latin "a") could seat
someone in the wrong group, so such names are a config error.

Names are compared by :func:`look_alike_keys`: Unicode NFKC, then the Unicode TR39
confusables skeleton from the ``disarm`` library (look-alike letters from other
scripts, fullwidth and mathematical forms, invisible characters, case), then only
letters and digits, so spacing and punctuation do not count either.

The checks run on the raw data, before model validation, so a duplicate is reported
even when some unrelated setting of the same group is wrong.
"""

from __future__ import annotations

import functools
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass

from disarm import skeleton_key

from bot.config.problems import Finding

__all__ = ["group_identity_findings", "look_alike_keys"]

_APART = "give each group a name people can tell apart"
_OWN_SLUG = "each group needs a slug of its own"


def look_alike_keys(text: str) -> frozenset[str]:
    """Keys for what ``text`` looks like; texts sharing a key could be mistaken for each other.

    Two keys, because the skeleton folds look-alikes before case (a capital "I" is an
    "l") and a casefolded copy also catches names that differ only in case.
    """
    normal = unicodedata.normalize("NFKC", text)
    keys = set()
    for variant in (normal, normal.casefold()):
        skeleton = skeleton_key(variant, digit_policy="tr39")
        keys.add("".join(char for char in skeleton if char.isalnum()) or skeleton)
    return frozenset(keys)


_KeysOf = Callable[[str], frozenset[str]]


@dataclass(frozen=True)
class _Entry:
    index: int
    slug: str | None
    name: str | None


def group_identity_findings(groups: object) -> list[Finding]:
    """Duplicate slugs and look-alike names in ``groups``, the ``[[groups]]`` list as read.

    Entries or values of the wrong type are skipped: validation reports those.
    """
    if not isinstance(groups, list):
        return []
    entries = [
        _Entry(index, _text(group.get("slug")), _text(group.get("name")))
        for index, group in enumerate(groups)
        if isinstance(group, dict)
    ]
    # Each text's keys once per load (a slug is looked at twice), and dropped after it: a
    # cache kept for the process held 5 MB for a 10,000-group config.
    keys_of = functools.cache(look_alike_keys)
    return _duplicate_slugs(entries, keys_of) + _look_alike_names(entries, keys_of)


def _text(value: object) -> str | None:
    return value if isinstance(value, str) else None


def _duplicate_slugs(entries: list[_Entry], keys_of: _KeysOf) -> list[Finding]:
    """The same slug twice, or two slugs that differ only in punctuation or look-alike
    characters (``youth-space`` and ``youthspace``): either could be typed for the other."""
    findings = []
    first: dict[str, int] = {}
    seen: dict[str, list[int]] = {}  # look-alike key -> indexes of the slugs with it, in order
    for entry in entries:
        if entry.slug is None:
            continue
        keys = keys_of(entry.slug)
        similar = _smallest_other(seen, keys, entry.index)
        loc = ("groups", entry.index, "slug")
        if entry.slug in first:
            reason = f"is already used by groups[{first[entry.slug]}]; {_OWN_SLUG}"
            findings.append(Finding(loc, f"{entry.slug!r} {reason}", reason))
        elif similar is not None:
            reason = f"looks the same as groups[{similar}].slug; {_OWN_SLUG}"
            findings.append(Finding(loc, f"{entry.slug!r} {reason}", reason))
        first.setdefault(entry.slug, entry.index)
        for key in keys:
            seen.setdefault(key, []).append(entry.index)
    return findings


def _look_alike_names(entries: list[_Entry], keys_of: _KeysOf) -> list[Finding]:
    """A name that looks like an earlier group's name, or like another group's slug.
    Keys are looked up, not compared pairwise, so 10,000 groups take no longer than a
    look at each."""
    keys = {e.index: keys_of(e.name) for e in entries if e.name is not None}
    names = _indexes_by_key(keys)
    slugs = _indexes_by_key({e.index: keys_of(e.slug) for e in entries if e.slug is not None})
    by_index = {entry.index: entry for entry in entries}
    findings = []
    for index, mine in keys.items():
        earlier = _smallest_other(names, mine, index)
        if earlier is not None and earlier < index:
            other, field = by_index[earlier], "name"
        elif (slug := _smallest_other(slugs, mine, index)) is not None:
            other, field = by_index[slug], "slug"
        else:
            continue
        shown = other.name if field == "name" else other.slug
        reason = f"looks the same as groups[{other.index}].{field}"
        message = f'"{by_index[index].name}" {reason} "{shown}"; {_APART}'
        findings.append(Finding(("groups", index, "name"), message, f"{reason}; {_APART}"))
    return findings


def _indexes_by_key(keys: dict[int, frozenset[str]]) -> dict[str, list[int]]:
    """Look-alike key -> the indexes that have it, smallest first."""
    found: dict[str, list[int]] = {}
    for index in sorted(keys):
        for key in keys[index]:
            found.setdefault(key, []).append(index)
    return found


def _smallest_other(by_key: dict[str, list[int]], keys: frozenset[str], index: int) -> int | None:
    """The smallest index other than ``index`` sharing one of ``keys`` (None: none)."""
    best: int | None = None
    for key in keys:
        other = next((i for i in by_key.get(key, ()) if i != index), None)
        if other is not None and (best is None or other < best):
            best = other
    return best
