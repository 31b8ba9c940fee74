"""Serving degraded: the real app and console adapter in-process, the database tried
again in the background and taken over once it opens (then the start-up work runs);
and the stand-in on its own."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from adapters.console.adapter import ConsoleAdapter
from adapters.console.input import InputLine
from bot.app import BotApp
from bot.config import load_settings
from bot.roles import Role
from bot.storage import StandInDatabase, StorageError, StorageKind, StorageNotOpen
from tests.adapters.console_driver import WatchedOutput
from tests.adapters.write_lock import WriteLock
from tests.harness import HARNESS_ENVIRON, Harness, person, write_config


class TypedLines:
    """Lines for the console, typed by the test; ``end()`` is the end of input."""

    def __init__(self) -> None:
        self._queue: asyncio.Queue[InputLine | None] = asyncio.Queue()

    def type(self, text: str) -> None:
        self._queue.put_nowait(InputLine(text))

    def end(self) -> None:
        self._queue.put_nowait(None)

    async def __aiter__(self) -> AsyncIterator[InputLine]:
        while (line := await self._queue.get()) is not None:
            yield line


async def test_the_database_is_taken_over_while_serving_and_start_up_work_then_runs(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    file = tmp_path / "bot.sqlite3"
    full = await Harness.open(write_config(tmp_path, capacity=1, database_path=file))
    await full.say("/join circle", as_=person("alice"))
    await full.say("/join circle", as_=person("bob"))  # waiting for a seat
    await full.close()
    caplog.set_level(logging.INFO)
    roomier = write_config(tmp_path, capacity=2, database_path=file, busy_timeout_ms=50)
    with WriteLock(file) as lock:  # another program holds the lock while the bot starts
        app = await BotApp.open(load_settings(roomier, environ=HARNESS_ENVIRON))
        lines, out = TypedLines(), WatchedOutput()
        notice = app.catalog.text("degraded.console_notice")
        console = ConsoleAdapter(
            app.catalog, bot_name="PeerCircle", user="alice", role=Role.MEMBER, lines=lines,
            out=out, echo=True, notice=notice,
        )  # fmt: skip
        stop = asyncio.Event()
        serving = asyncio.create_task(
            app.serve([console], stop, deliver_after_each=True, retry_storage_every=0.05)
        )
        try:
            lines.type("/mygroups")
            await out.until(lambda text: "isn't available right now" in text)
            await asyncio.sleep(0.3)  # a few tries fail alike: told once only
            assert app.degraded
            lock.release()
            # The start-up work, once the database opened: the seat that opened is filled.
            await out.until(lambda text: "a seat has opened up in Tuesday Circle" in text)
            lines.type("/mygroups")
            await out.until(lambda text: "Tuesday Circle — you have a seat" in text)
        finally:
            lines.end()
            stop.set()
            await asyncio.wait_for(serving, 10)
            await app.close()

    assert notice in out.getvalue()
    assert "(private message to bob)" in out.getvalue()
    messages = [r.getMessage() for r in caplog.records if r.levelno >= logging.WARNING]
    assert len(messages) == 2, messages  # the one degraded message, and the good news
    assert messages[0].startswith("PeerCircle is running WITHOUT its database")
    assert "another program holds its write lock" in messages[0]
    assert "could be opened after all" in messages[1]


async def test_stopping_while_degraded_ends_the_tries_quietly(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    (tmp_path / "data").write_text("not a folder", encoding="utf-8")
    config = write_config(tmp_path, storage_url="sqlite:///data/bot.sqlite3")
    app = await BotApp.open(load_settings(config, environ=HARNESS_ENVIRON))
    lines, out = TypedLines(), WatchedOutput()
    console = ConsoleAdapter(
        app.catalog, bot_name="PeerCircle", user="alice", role=Role.MEMBER, lines=lines,
        out=out, echo=True,
    )  # fmt: skip
    try:
        lines.type("/crisis")
        lines.end()
        stop = asyncio.Event()
        await asyncio.wait_for(app.serve([console], stop, retry_storage_every=0.01), 10)
    finally:
        await app.close()

    assert "Samaritans" in out.getvalue()
    assert app.degraded
    assert len([r for r in caplog.records if r.levelno >= logging.WARNING]) == 1


async def test_the_stand_in_refuses_every_statement_until_a_database_takes_over() -> None:
    stand_in = StandInDatabase(StorageError("gone fishing", StorageKind.CORRUPT))
    for statement in (
        stand_in.execute("SELECT 1"),
        stand_in.fetch_all("SELECT 1"),
        stand_in.fetch_one("SELECT 1"),
        stand_in.schema_version(),
        stand_in.connect(),
    ):
        with pytest.raises(StorageNotOpen) as caught:
            await statement
        assert caught.value.kind is StorageKind.CORRUPT
    with pytest.raises(StorageNotOpen):
        async with stand_in.transaction():
            pytest.fail("a transaction began without a database")
    await stand_in.close()  # nothing to close

    other = StandInDatabase(StorageError("not yet"))
    stand_in.take_over(other)
    assert not stand_in.degraded
    with pytest.raises(StorageNotOpen) as caught:  # now it is the other's answer
        await stand_in.fetch_one("SELECT 1")
    assert caught.value.kind is StorageKind.OTHER
    with pytest.raises(RuntimeError):
        stand_in.take_over(other)
