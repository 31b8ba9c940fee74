"""Turning a closed period's answers into what facilitators may see, once.

Below ``min_respondents`` nothing is released, not even the count: a count of 2 next to
last week's 6 would say too much. Notes appear only from ``notes_min_respondents``,
shuffled (a fresh secure shuffle, stored with the release, so every later look shows the
same order) and without dates.
"""

from __future__ import annotations

import random
from collections.abc import Sequence
from datetime import datetime, tzinfo

from bot.catalog import Catalog
from groups.checkin_store import MOODS, Answer, PeriodState, Release
from groups.models import Group

MOOD_KEYS = ("struggling", "low", "okay", "good", "doing_well")
MAX_NOTES_TEXT = 2500  # a release message stays well inside one platform message


def compute_release(
    state: PeriodState, answers: Sequence[Answer], shuffle: random.Random | None = None
) -> Release:
    count = len(answers)
    if count < state.min_respondents:
        return Release(state.period, state.opens, state.closes, suppressed=True)
    counts = tuple(sum(1 for a in answers if a.mood == mood) for mood in MOODS)
    notes: list[str] = []
    if count >= state.notes_min_respondents:
        notes = [a.note for a in answers if a.note]
        (shuffle or random.SystemRandom()).shuffle(notes)
    return Release(
        state.period,
        state.opens,
        state.closes,
        suppressed=False,
        respondents=count,
        mood_counts=counts,
        notes=tuple(notes),
    )


def mood_words(catalog: Catalog) -> tuple[str, ...]:
    return tuple(catalog.text(f"checkins.mood.{key}") for key in MOOD_KEYS)


def period_label(release: Release | datetime, zone: tzinfo) -> str:
    opens = release.opens if isinstance(release, Release) else release
    return f"{opens.astimezone(zone):%-d %b}"


def release_summary(group: Group, release: Release, catalog: Catalog, zone: tzinfo) -> str:
    """One period, as facilitators read it (in a release message and in /checkins)."""
    week = period_label(release, zone)
    if release.suppressed or release.mood_counts is None:
        return catalog.text("checkins.release.too_few", group=group.name, week=week)
    words = mood_words(catalog)
    spread = " · ".join(
        f"{word} {count}" for word, count in zip(words, release.mood_counts, strict=True)
    )
    return catalog.text(
        "checkins.release.figures",
        group=group.name,
        week=week,
        count=release.respondents,
        mean=f"{release.mean:.1f}",
        spread=spread,
    )


def release_notes(release: Release, catalog: Catalog) -> str:
    """The notes block ("" when none were released), trimmed to fit one message."""
    if not release.notes:
        return ""
    shown: list[str] = []
    used = 0
    for note in release.notes:
        if used + len(note) > MAX_NOTES_TEXT:
            break
        shown.append(f"• {note}")
        used += len(note)
    left = len(release.notes) - len(shown)
    more = catalog.text("checkins.release.more_notes", count=left) if left else ""
    return catalog.text("checkins.release.notes", notes="\n".join(shown), more=more)
