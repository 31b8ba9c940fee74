"""SQL for anonymous check-ins: the only place that knows the three tables.

Nothing here takes a person: answers go in with a group, a period and a keyed replace
tag; markers are opaque keyed codes. Reads come back in an order that depends on the
answers alone (mood, then note), never on when they arrived.
"""

from __future__ import annotations

import json
import secrets
from dataclasses import dataclass
from datetime import datetime

from bot.instants import from_epoch_ms, to_epoch_ms
from bot.storage.database import Executor, Row
from groups.checkin_periods import Period
from groups.models import CheckinRules

_GROUP_ID = "(SELECT id FROM groups WHERE slug = :slug)"
MOODS = (1, 2, 3, 4, 5)


@dataclass(frozen=True, slots=True)
class Answer:
    mood: int
    note: str


@dataclass(frozen=True, slots=True)
class Release:
    """What facilitators see of one closed period, computed once at close."""

    period: str
    opens: datetime
    closes: datetime
    suppressed: bool  # too few answered: no figures at all
    respondents: int | None = None
    mood_counts: tuple[int, ...] | None = None  # how many chose 1, 2, 3, 4, 5
    notes: tuple[str, ...] = ()  # shuffled, undated; only at notes_min_respondents

    @property
    def mean(self) -> float | None:
        if self.suppressed or not self.mood_counts or not self.respondents:
            return None
        total = sum(mood * count for mood, count in zip(MOODS, self.mood_counts, strict=True))
        return total / self.respondents


@dataclass(frozen=True, slots=True)
class PeriodState:
    period: str
    opens: datetime
    closes: datetime
    released: bool
    min_respondents: int
    notes_min_respondents: int


class CheckinStore:
    async def open_period(
        self, tx: Executor, slug: str, period: Period, rules: CheckinRules
    ) -> bool:
        """Record that ``period`` has opened, with the thresholds in force now (later
        config changes do not reach it). False if it was recorded before."""
        changed = await tx.execute(
            "INSERT INTO checkin_periods (group_id, period, opens_at, closes_at,"
            " min_respondents, notes_min_respondents)"
            " SELECT id, :period, :opens, :closes, :minimum, :notes FROM groups"
            " WHERE slug = :slug ON CONFLICT (group_id, period) DO NOTHING",
            {
                "slug": slug,
                "period": period.name,
                "opens": to_epoch_ms(period.opens),
                "closes": to_epoch_ms(period.closes),
                "minimum": rules.min_respondents,
                "notes": rules.notes_min_respondents,
            },
        )
        return changed == 1

    async def period_state(self, db: Executor, slug: str, period: str) -> PeriodState | None:
        row = await db.fetch_one(
            "SELECT period, opens_at, closes_at, released, min_respondents,"
            f" notes_min_respondents FROM checkin_periods WHERE group_id = {_GROUP_ID}"
            " AND period = :period",
            {"slug": slug, "period": period},
        )
        return None if row is None else _state(row)

    async def record(
        self, tx: Executor, slug: str, period: str, answer: Answer, tag: str, now: datetime
    ) -> bool:
        """Store ``answer`` (replacing the one with the same tag) if the period is open
        and not released; False otherwise (nothing stored).

        The period's row is locked first, as ``claim_release`` locks it: an answer
        arriving as the period is released (in another process, on PostgreSQL) is
        either counted in the release or refused, never stored after it."""
        await tx.execute(
            "UPDATE checkin_periods SET released = released"
            f" WHERE group_id = {_GROUP_ID} AND period = :period AND released = 0",
            {"slug": slug, "period": period},
        )
        changed = await tx.execute(
            "INSERT INTO checkins (id, group_id, period, mood, note, replace_tag)"
            " SELECT :id, p.group_id, p.period, :mood, :note, :tag FROM checkin_periods p"
            f" WHERE p.group_id = {_GROUP_ID} AND p.period = :period AND p.released = 0"
            " AND p.opens_at <= :now AND p.closes_at > :now"
            " ON CONFLICT (replace_tag) DO UPDATE SET mood = excluded.mood,"
            " note = excluded.note",
            {
                "id": secrets.token_hex(16),
                "slug": slug,
                "period": period,
                "mood": answer.mood,
                "note": answer.note or None,
                "tag": tag,
                "now": to_epoch_ms(now),
            },
        )
        return changed == 1

    async def has_answer(self, db: Executor, tag: str) -> bool:
        row = await db.fetch_one("SELECT 1 FROM checkins WHERE replace_tag = :tag", {"tag": tag})
        return row is not None

    async def answers(self, db: Executor, slug: str, period: str) -> list[Answer]:
        rows = await db.fetch_all(
            f"SELECT mood, note FROM checkins WHERE group_id = {_GROUP_ID} AND period = :period"
            " ORDER BY mood, note",
            {"slug": slug, "period": period},
        )
        return [Answer(int(row["mood"]), row["note"] or "") for row in rows]

    async def claim_release(self, tx: Executor, slug: str, period: str, now: datetime) -> bool:
        """Mark a closed period released; False if it was already (or is still open)."""
        changed = await tx.execute(
            f"UPDATE checkin_periods SET released = 1 WHERE group_id = {_GROUP_ID}"
            " AND period = :period AND released = 0 AND closes_at <= :now",
            {"slug": slug, "period": period, "now": to_epoch_ms(now)},
        )
        return changed == 1

    async def store_release(self, tx: Executor, slug: str, release: Release) -> None:
        """Keep the release as computed, and cut every link to a person: replace tags
        cleared, markers deleted."""
        counts = None if release.mood_counts is None else json.dumps(list(release.mood_counts))
        notes = json.dumps(list(release.notes), ensure_ascii=False) if release.notes else None
        params = {"slug": slug, "period": release.period}
        await tx.execute(
            "UPDATE checkin_periods SET suppressed = :suppressed, respondents = :respondents,"
            " mood_counts = :counts, notes = :notes"
            f" WHERE group_id = {_GROUP_ID} AND period = :period",
            {
                **params,
                "suppressed": int(release.suppressed),
                "respondents": release.respondents,
                "counts": counts,
                "notes": notes,
            },
        )
        await tx.execute(
            "UPDATE checkins SET replace_tag = NULL"
            f" WHERE group_id = {_GROUP_ID} AND period = :period",
            params,
        )
        await tx.execute(
            f"DELETE FROM checkin_markers WHERE group_id = {_GROUP_ID} AND period = :period",
            params,
        )

    async def not_closed(self, db: Executor, now: datetime) -> set[tuple[str, str]]:
        """Every (group slug, period) recorded as open that has not closed by ``now``."""
        rows = await db.fetch_all(
            "SELECT g.slug, p.period FROM checkin_periods p JOIN groups g ON g.id = p.group_id"
            " WHERE p.closes_at > :now",
            {"now": to_epoch_ms(now)},
        )
        return {(str(row["slug"]), str(row["period"])) for row in rows}

    async def unreleased_closed(self, db: Executor, now: datetime) -> list[tuple[str, str]]:
        rows = await db.fetch_all(
            "SELECT g.slug, p.period FROM checkin_periods p JOIN groups g ON g.id = p.group_id"
            " WHERE p.released = 0 AND p.closes_at <= :now ORDER BY p.closes_at, g.slug",
            {"now": to_epoch_ms(now)},
        )
        return [(row["slug"], row["period"]) for row in rows]

    async def unreleased(self, db: Executor) -> list[tuple[str, str]]:
        """Every (group slug, period) not released yet: where keyed codes may exist."""
        rows = await db.fetch_all(
            "SELECT g.slug, p.period FROM checkin_periods p JOIN groups g ON g.id = p.group_id"
            " WHERE p.released = 0 ORDER BY g.slug, p.period"
        )
        return [(row["slug"], row["period"]) for row in rows]

    async def erase_answer(self, tx: Executor, tag: str) -> int:
        """The answer with this replace tag (a member erasing their data mid-period)."""
        return await tx.execute("DELETE FROM checkins WHERE replace_tag = :tag", {"tag": tag})

    async def releases(self, db: Executor, slug: str, limit: int) -> list[Release]:
        """The group's released periods, newest first."""
        rows = await db.fetch_all(
            "SELECT period, opens_at, closes_at, suppressed, respondents, mood_counts, notes"
            f" FROM checkin_periods WHERE group_id = {_GROUP_ID} AND released = 1"
            " ORDER BY period DESC LIMIT :limit",
            {"slug": slug, "limit": limit},
        )
        return [_release(row) for row in rows]

    async def purge_before(self, tx: Executor, before: datetime) -> int:
        """Past retention: raw answers go, and released notes with them; the released
        figures (counts and distribution, only ever kept at or above the threshold)
        stay for the trend."""
        params = {"before": to_epoch_ms(before)}
        removed = await tx.execute(
            f"DELETE FROM checkins WHERE (group_id, period) IN ({_old_periods('checkins')})",
            params,
        )
        await tx.execute(
            "UPDATE checkin_periods SET notes = NULL WHERE closes_at < :before"
            " AND notes IS NOT NULL",
            params,
        )
        await tx.execute(
            "DELETE FROM checkin_markers"
            f" WHERE (group_id, period) IN ({_old_periods('checkin_markers')})",
            params,
        )
        return removed


def _old_periods(table: str) -> str:
    """The (group, period) pairs in ``table`` whose period closed before ``:before``.
    Starting from the periods the table still holds (a few weeks' worth) rather than
    from every period ever (most of them purged long ago) keeps the daily purge quick."""
    return (
        f"SELECT t.group_id, t.period FROM (SELECT DISTINCT group_id, period FROM {table}) t"
        " JOIN checkin_periods p ON p.group_id = t.group_id AND p.period = t.period"
        " WHERE p.closes_at < :before"
    )


class MarkerStore:
    async def add(self, tx: Executor, slug: str, period: str, marker: str) -> None:
        """Only while the period is unreleased: a marker written just after the release
        (its own transaction, racing the close) would outlive the cut of every link."""
        await tx.execute(
            "INSERT INTO checkin_markers (group_id, period, marker)"
            " SELECT p.group_id, p.period, :marker FROM checkin_periods p"
            f" WHERE p.group_id = {_GROUP_ID} AND p.period = :period AND p.released = 0"
            " ON CONFLICT (group_id, period, marker) DO NOTHING",
            {"slug": slug, "period": period, "marker": marker},
        )

    async def present(self, db: Executor, slug: str, period: str) -> frozenset[str]:
        rows = await db.fetch_all(
            f"SELECT marker FROM checkin_markers WHERE group_id = {_GROUP_ID} AND period = :period",
            {"slug": slug, "period": period},
        )
        return frozenset(row["marker"] for row in rows)

    async def open_periods(self, db: Executor) -> list[tuple[str, str]]:
        """Every (group slug, period) that has markers (the periods still open)."""
        rows = await db.fetch_all(
            "SELECT DISTINCT g.slug, m.period FROM checkin_markers m"
            " JOIN groups g ON g.id = m.group_id ORDER BY g.slug, m.period"
        )
        return [(row["slug"], row["period"]) for row in rows]

    async def remove(self, tx: Executor, slug: str, period: str, marker: str) -> int:
        return await tx.execute(
            f"DELETE FROM checkin_markers WHERE group_id = {_GROUP_ID} AND period = :period"
            " AND marker = :marker",
            {"slug": slug, "period": period, "marker": marker},
        )


def _state(row: Row) -> PeriodState:
    return PeriodState(
        period=row["period"],
        opens=from_epoch_ms(row["opens_at"]),
        closes=from_epoch_ms(row["closes_at"]),
        released=bool(row["released"]),
        min_respondents=int(row["min_respondents"]),
        notes_min_respondents=int(row["notes_min_respondents"]),
    )


def _release(row: Row) -> Release:
    counts = row["mood_counts"]
    notes = row["notes"]
    return Release(
        period=row["period"],
        opens=from_epoch_ms(row["opens_at"]),
        closes=from_epoch_ms(row["closes_at"]),
        suppressed=bool(row["suppressed"]),
        respondents=row["respondents"],
        mood_counts=None if counts is None else tuple(json.loads(counts)),
        notes=() if notes is None else tuple(json.loads(notes)),
    )
