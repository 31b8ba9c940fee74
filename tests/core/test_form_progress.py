"""Forms in progress kept in the database (``bot.form_progress``): what is stored, and
that answers go when the form is done or left too long."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from bot.app import MIGRATIONS_DIR
from bot.events import Actor, Place
from bot.form_progress import (
    FormProgress,
    FormProgressStore,
    MemoryFormProgress,
    decode_form,
    encode_form,
)
from bot.form_progress_sql import SqlFormProgress
from bot.replies import Choice, FieldKind, Form, FormField
from bot.storage import SqliteDatabase, load_migrations

NOW = datetime(2026, 11, 26, 9, 0, tzinfo=UTC)
ALEX = Actor("telegram", "1001", "Alex")
SAM = Actor("telegram", "1002", "Sam")
FORM = Form(
    "checkin:tuesday",
    "Check-in: Tuesday",
    (
        FormField(
            "mood",
            "How are you?",
            FieldKind.CHOICE,
            choices=(Choice("1", "1 — low"), Choice("2", "2 — okay")),
        ),
        FormField("note", "A note", FieldKind.LONG_TEXT, required=False, max_length=500, hint="h"),
    ),
)
WHERE = Place("telegram", "-100123", private=False, thread_id="7")
NOTE = "a private note about my week"


def _progress(touched: datetime = NOW, *answers: tuple[str, str]) -> FormProgress:
    return FormProgress("a1b2c3d4", FORM, WHERE, tuple(answers), touched)


@pytest.fixture
async def sql(tmp_path: Path) -> AsyncIterator[tuple[SqlFormProgress, SqliteDatabase]]:
    database = SqliteDatabase(tmp_path / "bot.sqlite3", load_migrations(MIGRATIONS_DIR))
    await database.connect()
    try:
        yield SqlFormProgress(database), database
    finally:
        await database.close()


def test_a_form_and_its_place_survive_the_round_trip() -> None:
    assert decode_form(encode_form(FORM, WHERE)) == (FORM, WHERE)


async def test_the_database_keeps_a_form_between_answers(
    sql: tuple[SqlFormProgress, SqliteDatabase],
) -> None:
    store, _ = sql
    assert await store.load(ALEX) is None
    await store.save(ALEX, _progress(NOW, ("mood", "2")))
    await store.save(SAM, _progress(NOW))
    kept = await store.load(ALEX)
    assert kept == _progress(NOW, ("mood", "2"))

    later = kept.answered("note", NOTE, NOW + timedelta(minutes=1))
    await store.save(ALEX, later)  # one row per person: replaced
    assert await store.load(ALEX) == later
    await store.forget(ALEX)
    assert await store.load(ALEX) is None
    assert await store.load(SAM) == _progress(NOW)


@pytest.mark.parametrize("kind", ["memory", "sql"])
async def test_a_form_left_too_long_loses_its_answers_then_goes(
    sql: tuple[SqlFormProgress, SqliteDatabase], kind: str
) -> None:
    store: FormProgressStore = sql[0] if kind == "sql" else MemoryFormProgress()
    await store.save(ALEX, _progress(NOW, ("mood", "1"), ("note", NOTE)))
    await store.save(SAM, _progress(NOW + timedelta(minutes=20), ("mood", "2")))

    idle_before = NOW + timedelta(minutes=31) - timedelta(minutes=30)
    assert await store.expire(idle_before, NOW - timedelta(days=1)) == 1
    marker = await store.load(ALEX)
    assert marker is not None
    assert (marker.answers, marker.expired, marker.tag) == ((), True, "a1b2c3d4")
    assert await store.load(SAM) == _progress(NOW + timedelta(minutes=20), ("mood", "2"))

    assert await store.expire(idle_before, NOW + timedelta(minutes=10)) == 1
    assert await store.load(ALEX) is None  # the marker is gone too


async def test_no_answer_outlives_its_expiry_in_the_file(
    sql: tuple[SqlFormProgress, SqliteDatabase], tmp_path: Path
) -> None:
    store, database = sql
    await store.save(ALEX, _progress(NOW, ("note", NOTE)))
    await store.expire(NOW + timedelta(seconds=1), NOW - timedelta(days=1))
    rows = await database.fetch_all("SELECT answers, form FROM form_progress")
    assert [row["answers"] for row in rows] == [None]
    assert NOTE not in str(rows[0]["form"])


@pytest.mark.parametrize("kind", ["memory", "sql"])
async def test_kept_keys_names_everyone_with_a_form_kept(
    sql: tuple[SqlFormProgress, SqliteDatabase], kind: str
) -> None:
    store: FormProgressStore = sql[0] if kind == "sql" else MemoryFormProgress()
    assert await store.kept_keys() == set()
    await store.save(ALEX, _progress(NOW))
    await store.save(SAM, _progress(NOW))
    await store.expire(NOW + timedelta(hours=1), NOW - timedelta(days=1))  # a marker stays
    assert await store.kept_keys() == {ALEX.key, SAM.key}
    await store.forget(SAM)
    assert await store.kept_keys() == {ALEX.key}
