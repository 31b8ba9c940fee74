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

import unicodedata
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
    return _duplicate_slugs(entries) + _look_alike_names(entries)


def _text(value: object) -> str | None:
    return value if isinstance(value, str) else None


def _duplicate_slugs(entries: list[_Entry]) -> list[Finding]:
    """The same slug twice, or two slugs that differ only in punctuation or look-alike
    characters (``youth-space`` and ``youthspace``): either could be typed for the other."""
    findings = []
    first: dict[str, int] = {}
    seen: dict[int, frozenset[str]] = {}
    for entry in entries:
        if entry.slug is None:
            continue
        keys = look_alike_keys(entry.slug)
        similar = [index for index, known in seen.items() if known & keys]
        loc = ("groups", entry.index, "slug")
        if entry.slug in first:
            reason = f"is already used by groups[{first[entry.slug]}]; {_OWN_SLUG}"
            findings.append(Finding(loc, f"{entry.slug!r} {reason}", reason))
        elif similar:
            reason = f"looks the same as groups[{similar[0]}].slug; {_OWN_SLUG}"
            findings.append(Finding(loc, f"{entry.slug!r} {reason}", reason))
        first.setdefault(entry.slug, entry.index)
        seen.setdefault(entry.index, keys)
    return findings


def _look_alike_names(entries: list[_Entry]) -> list[Finding]:
    keys = {e.index: look_alike_keys(e.name) for e in entries if e.name is not None}
    slug_keys = {e.index: look_alike_keys(e.slug) for e in entries if e.slug is not None}
    by_index = {entry.index: entry for entry in entries}
    findings = []
    for index, mine in keys.items():
        earlier = [i for i in keys if i < index and keys[i] & mine]
        slugs = [i for i in slug_keys if i != index and slug_keys[i] & mine]
        if earlier:
            other, field = by_index[earlier[0]], "name"
        elif slugs:
            other, field = by_index[slugs[0]], "slug"
        else:
            continue
        shown = other.name if field == "name" else other.slug
        reason = f"looks the same as groups[{other.index}].{field}"
        message = f'"{by_index[index].name}" {reason} "{shown}"; {_APART}'
        findings.append(Finding(("groups", index, "name"), message, f"{reason}; {_APART}"))
    return findings
