"""Telegram forms kept in the database: a restart of the bot continues the conversation
where it was; a form left too long is put away kindly, with its answers wiped; nothing
from a form outlives it, and no answer reaches a log."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest

from adapters.telegram.intake import Receiving
from adapters.telegram.webhook import Webhook
from bot.app import MIGRATIONS_DIR
from bot.catalog import Catalog
from bot.events import Actor
from bot.form_progress import FormProgress, FormProgressStore
from bot.form_progress_sql import SqlFormProgress
from bot.storage import SqliteDatabase, load_migrations
from tests.adapters.conformance import Seen
from tests.adapters.telegram_driver import TelegramDriver
from tests.fakes.clock import FakeClock
from tests.fakes.telegram_api import FakeTelegramApi

CATALOG = Catalog.load()
NOTE = "my-week-was-hard-private-note"
TIMED_OUT = CATALOG.text("telegram.form.timed_out", minutes=30, command="survey")


@pytest.fixture
async def database(tmp_path: Path) -> AsyncIterator[SqliteDatabase]:
    database = SqliteDatabase(tmp_path / "bot.sqlite3", load_migrations(MIGRATIONS_DIR))
    await database.connect()
    try:
        yield database
    finally:
        await database.close()


async def _rows(database: SqliteDatabase) -> list[dict[str, Any]]:
    return [dict(row) for row in await database.fetch_all("SELECT * FROM form_progress")]


def _texts(seen: list[Seen]) -> list[str]:
    return [s.text for s in seen]


async def test_a_restart_continues_an_open_form_where_it_was(
    fake: FakeTelegramApi, database: SqliteDatabase, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    first = TelegramDriver(fake, forms=SqlFormProgress(database))
    await first.start()
    try:
        await first.say("bob", "/survey", shared=True)  # opened in the group, asked privately
        [second_question] = await first.fill_form("bob", ["2"], shared=True)
    finally:
        await first.close()
    assert "question 2 of 2" in second_question.text
    [kept] = await _rows(database)
    assert kept["answers"] == '[["mood", "2"]]'

    restarted = TelegramDriver(fake, users=first.users, forms=SqlFormProgress(database))
    await restarted.start()
    try:
        done = await restarted.say("bob", NOTE, shared=False)
        after = await restarted.say("bob", "3", shared=False)  # the form is over
    finally:
        await restarted.close()

    assert _texts(done) == [f"Thanks: mood 2, note “{NOTE}”."]
    assert _texts(after) == [CATALOG.text("core.not_a_command")]
    assert await _rows(database) == []  # nothing kept once submitted
    assert NOTE not in caplog.text + "".join(str(r.args) for r in caplog.records)


async def test_a_press_on_a_kept_form_works_after_a_restart(
    fake: FakeTelegramApi, database: SqliteDatabase
) -> None:
    first = TelegramDriver(fake, forms=SqlFormProgress(database))
    await first.start()
    await first.say("bob", "/survey", shared=False)
    await first.close()

    restarted = TelegramDriver(fake, users=first.users, forms=SqlFormProgress(database))
    await restarted.start()
    try:
        [next_question] = await restarted.press("bob", "4 of 5", shared=False)
        [thanks] = await restarted.press("bob", "Skip", shared=False)
    finally:
        await restarted.close()
    assert "question 2 of 2" in next_question.text
    assert thanks.text == "Thanks: mood 4, note “”."


async def test_a_form_left_too_long_times_out_kindly_and_its_answers_are_wiped(
    fake: FakeTelegramApi, database: SqliteDatabase
) -> None:
    clock = FakeClock()
    first = TelegramDriver(fake, forms=SqlFormProgress(database), clock=clock)
    await first.start()
    await first.say("bob", "/survey", shared=False)
    await first.fill_form("bob", ["5"], shared=False)
    await first.close()

    clock.advance(minutes=31)
    restarted = TelegramDriver(
        fake, users=first.users, forms=SqlFormProgress(database), clock=clock
    )
    await restarted.start()  # tidies forms at once: the answers go
    try:
        [marker] = await _rows(database)
        timed_out = await restarted.say("bob", NOTE, shared=False)
        after = await restarted.say("bob", NOTE, shared=False)
    finally:
        await restarted.close()

    assert marker["answers"] is None
    assert _texts(timed_out) == [TIMED_OUT]
    assert "start again with /survey" in TIMED_OUT
    assert _texts(after) == [CATALOG.text("core.not_a_command")]  # told once
    assert await _rows(database) == []


async def test_cancel_and_a_command_each_delete_the_kept_form(
    fake: FakeTelegramApi, database: SqliteDatabase
) -> None:
    driver = TelegramDriver(fake, forms=SqlFormProgress(database))
    await driver.start()
    try:
        await driver.say("bob", "/survey", shared=False)
        await driver.fill_form("bob", ["1"], shared=False)
        assert len(await _rows(database)) == 1
        [cancelled] = await driver.press("bob", "Cancel", shared=False)
        assert await _rows(database) == []

        await driver.say("bob", "/survey", shared=False)
        put_away = await driver.say("bob", "/here", shared=False)
        assert await _rows(database) == []
    finally:
        await driver.close()
    assert cancelled.text == CATALOG.text("telegram.form.cancelled")
    assert _texts(put_away)[-1] == CATALOG.text("telegram.form.put_away")


class BrokenStore:
    """A store whose database is down."""

    async def load(self, actor: Actor) -> FormProgress | None:
        raise OSError("disk I/O error")

    async def save(self, actor: Actor, progress: FormProgress) -> None:
        raise OSError("disk I/O error")

    async def forget(self, actor: Actor) -> None:
        raise OSError("disk I/O error")

    async def kept_keys(self) -> set[str]:
        raise OSError("disk I/O error")

    async def expire(self, idle_before: object, forget_before: object) -> int:
        raise OSError("disk I/O error")


async def test_a_store_that_fails_leaves_the_conversation_in_memory(
    fake: FakeTelegramApi, caplog: pytest.LogCaptureFixture
) -> None:
    driver = TelegramDriver(fake, forms=BrokenStore())
    await driver.start()
    try:
        await driver.say("bob", "/survey", shared=False)
        await driver.fill_form("bob", ["3"], shared=False)
        [thanks] = await driver.say("bob", NOTE, shared=False)
    finally:
        await driver.close()
    assert thanks.text == f"Thanks: mood 3, note “{NOTE}”."
    assert "telegram forms save" in caplog.text
    assert NOTE not in caplog.text


class CountedLoads:
    """The database's store, counting the reads of one person's form."""

    def __init__(self, store: FormProgressStore) -> None:
        self.store = store
        self.loads = 0

    async def load(self, actor: Actor) -> FormProgress | None:
        self.loads += 1
        return await self.store.load(actor)

    async def save(self, actor: Actor, progress: FormProgress) -> None:
        await self.store.save(actor, progress)

    async def forget(self, actor: Actor) -> None:
        await self.store.forget(actor)

    async def kept_keys(self) -> set[str]:
        return await self.store.kept_keys()

    async def expire(self, idle_before: Any, forget_before: Any) -> int:
        return await self.store.expire(idle_before, forget_before)


async def test_when_polling_a_command_reads_no_form_yet_a_kept_one_is_put_away(
    fake: FakeTelegramApi, database: SqliteDatabase
) -> None:
    first = TelegramDriver(fake, forms=SqlFormProgress(database))
    await first.start()
    await first.say("bob", "/survey", shared=False)
    await first.close()

    counted = CountedLoads(SqlFormProgress(database))
    restarted = TelegramDriver(fake, users=first.users, forms=counted)
    await restarted.start()  # notes who has a form kept: bob
    try:
        await restarted.say("ann", "/here", shared=False)
        await restarted.say("ann", "/here", shared=False)
        assert counted.loads == 0  # ann never had a form: nothing to read
        put_away = await restarted.say("bob", "/here", shared=False)
        assert await _rows(database) == []
    finally:
        await restarted.close()
    assert _texts(put_away)[-1] == CATALOG.text("telegram.form.put_away")


async def test_an_answer_still_finds_a_form_kept_after_the_start(
    fake: FakeTelegramApi, database: SqliteDatabase
) -> None:
    """A form another process opened (written to the store after this one started) still
    takes its answers here; only commands rely on what was noted at the start."""
    elsewhere = TelegramDriver(fake, forms=SqlFormProgress(database))
    await elsewhere.start()
    await elsewhere.say("bob", "/survey", shared=False)
    await elsewhere.close()
    [row] = await _rows(database)
    await database.execute("DELETE FROM form_progress")

    here = TelegramDriver(fake, users=elsewhere.users, forms=SqlFormProgress(database))
    await here.start()  # notes nobody
    try:
        await here.say("bob", "/here", shared=False)  # nothing to put away
        async with database.transaction() as tx:  # the other process opens bob's form now
            columns = ", ".join(row)
            await tx.execute(
                f"INSERT INTO form_progress ({columns}) VALUES (:{', :'.join(row)})", row
            )
        [second] = await here.say("bob", "2", shared=False)
    finally:
        await here.close()
    assert "question 2 of 2" in second.text


async def test_with_a_webhook_every_command_looks_in_the_store(
    fake: FakeTelegramApi, database: SqliteDatabase
) -> None:
    hook = Webhook(url="https://bot.example.org/telegram", secret="s3cret-0123456789", port=0)
    counted = CountedLoads(SqlFormProgress(database))
    driver = TelegramDriver(fake, forms=counted, receiving=Receiving(webhook=hook))
    await driver.start()
    try:
        await driver.say("ann", "/here", shared=False)
    finally:
        await driver.close()
    assert counted.loads == 1  # another process behind the load balancer may have opened one
