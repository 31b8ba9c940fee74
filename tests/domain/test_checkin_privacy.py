"""The storage promise of check-ins, checked on the real database file.

After members check in, nothing the check-ins wrote holds a user id, a name, a username
or an unkeyed hash of any of them, nor a time finer than the period; the order rows
sit in says nothing about who came first; and at close every keyed link is cut."""

from __future__ import annotations

import hashlib
import random
import sqlite3
from datetime import timedelta
from pathlib import Path

import pytest

from bot.events import Actor
from groups.checkin_periods import Period
from groups.checkin_release import compute_release
from groups.checkin_store import Answer, CheckinStore, MarkerStore
from tests.domain.checkin_helpers import (
    OPEN_AT,
    check_in,
    close_period,
    join_all,
    open_harness,
    people,
)
from tests.engines import columns_of, every_table
from tests.harness import CHECKIN_KEY, Harness

pytestmark = pytest.mark.both_engines

Dump = dict[str, list[tuple[object, ...]]]
CHECKIN_TABLES = ("checkin_periods", "checkins", "checkin_markers")


def _dump(path: Path) -> Dump:
    return every_table(path)


def _identities(member: Actor) -> set[str]:
    """Everything that would point at ``member``: ids, names, and unkeyed hashes of them."""
    plain = {
        member.user_id,
        member.display_name,
        member.key,
        f"{member.platform}|{member.user_id}",
        f"{member.platform}{member.user_id}",
    }
    hashes = set()
    for text in plain:
        for name in ("sha256", "sha1", "md5", "blake2b", "sha512"):
            hashes.add(hashlib.new(name, text.encode()).hexdigest())
        for group in ("circle", "1"):  # with the group and the period, unkeyed
            for period in ("2026-11-29",):
                joined = "|".join((member.platform, member.user_id, group, period))
                hashes.add(hashlib.sha256(joined.encode()).hexdigest())
    return plain | hashes


def _text_of(rows: list[tuple[object, ...]]) -> str:
    return "\n".join(repr(row) for row in rows)


async def _checked_in(tmp_path: Path, count: int) -> tuple[Harness, list[Actor], Dump]:
    harness = await open_harness(tmp_path)
    crowd = people(count)
    await join_all(harness, crowd)
    await harness.app.checkins.run_due()  # the period opens: prompts go out first
    await harness.app.delivery.deliver_due(limit=100)
    before = _dump(tmp_path / "bot.db")
    for index, member in enumerate(crowd):
        await check_in(harness, member, index % 5 + 1, f"n{index:02d} this week was long")
    return harness, crowd, before


async def test_a_dump_after_checkins_holds_no_id_name_or_unkeyed_hash(tmp_path: Path) -> None:
    harness, crowd, before = await _checked_in(tmp_path, 12)
    try:
        after = _dump(tmp_path / "bot.db")
        grown = {t for t in after if set(after[t]) - set(before.get(t, []))}
        assert grown <= {"checkins", "checkin_markers"}  # nothing else learnt a thing
        written = "\n".join(_text_of(after[t]) for t in CHECKIN_TABLES)
        for member in crowd:
            for identity in _identities(member):
                assert identity not in written
        assert CHECKIN_KEY not in "\n".join(_text_of(rows) for rows in after.values())
    finally:
        await harness.close()


async def test_checkins_have_no_time_finer_than_the_period(tmp_path: Path) -> None:
    harness, _, _ = await _checked_in(tmp_path, 3)
    try:
        answers = columns_of(tmp_path / "bot.db", "checkins")
        markers = columns_of(tmp_path / "bot.db", "checkin_markers")
        assert answers == ["id", "group_id", "period", "mood", "note", "replace_tag"]
        assert markers == ["group_id", "period", "marker"]
    finally:
        await harness.close()


@pytest.mark.sqlite_only(
    "PostgreSQL keeps a table's rows in the order they were written (and each row's "
    "xmin): README, Scaling out, says what that means for check-ins"
)
async def test_stored_order_says_nothing_about_arrival_order(tmp_path: Path) -> None:
    harness, _, _ = await _checked_in(tmp_path, 12)
    try:
        with sqlite3.connect(tmp_path / "bot.db") as conn:
            stored = [r[0][:3] for r in conn.execute("SELECT note FROM checkins")]
        arrival = [f"n{index:02d}" for index in range(12)]
        assert sorted(stored) == arrival
        assert stored != arrival  # 1 in 12! to be equal by chance
        served = await harness.app.checkins.releases(harness.app.directory.get("circle"))  # type: ignore[arg-type]
        assert served == []  # and nothing is served before close
    finally:
        await harness.close()


async def test_at_close_every_keyed_link_is_cut(tmp_path: Path) -> None:
    harness, _, _ = await _checked_in(tmp_path, 6)
    try:
        await close_period(harness)
        after = _dump(tmp_path / "bot.db")
        assert after["checkin_markers"] == []
        assert all(row[-1] is None for row in after["checkins"])  # replace_tag
    finally:
        await harness.close()


async def test_what_is_released_does_not_depend_on_the_order_answers_came_in(
    tmp_path: Path,
) -> None:
    """The same answers, arriving in 20 different orders, give the same stored read and
    the same release (given the same shuffle of notes)."""
    harness = await open_harness(tmp_path)
    try:
        store, db = CheckinStore(), harness.app.database
        circle = harness.app.directory.get("circle")
        assert circle is not None
        answers = [
            Answer(mood % 5 + 1, f"note {mood % 4}" if mood % 3 else "") for mood in range(11)
        ]
        seen = set()
        for attempt in range(20):
            order = answers[:]
            random.Random(attempt).shuffle(order)
            period = Period(f"2026-01-{attempt + 1:02d}", OPEN_AT, OPEN_AT + timedelta(days=3))
            async with db.transaction() as tx:
                await store.open_period(tx, "circle", period, circle.checkins)
                for index, answer in enumerate(order):
                    await store.record(
                        tx, "circle", period.name, answer, f"t{attempt}-{index}", OPEN_AT
                    )
            stored = await store.answers(db, "circle", period.name)
            state = await store.period_state(db, "circle", period.name)
            assert state is not None
            release = compute_release(state, stored, random.Random(0))
            seen.add((tuple(stored), release.mood_counts, release.notes))
        assert len(seen) == 1
    finally:
        await harness.close()


async def test_a_marker_arriving_after_the_release_is_not_kept(tmp_path: Path) -> None:
    """The marker goes in its own transaction after the answer; if the period closed and
    was released in between, the late marker must not outlive the cut of every link."""
    harness, _, _ = await _checked_in(tmp_path, 5)
    try:
        await close_period(harness)
        async with harness.app.database.transaction() as tx:
            await MarkerStore().add(tx, "circle", "2026-11-29", "late-marker")
        assert _dump(tmp_path / "bot.db")["checkin_markers"] == []
    finally:
        await harness.close()
