"""/crisis for the member's own country (/settings), and still at once, for the bot's
country, whenever storage cannot answer quickly: closed, or locked by our own write."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest

from bot.events import TextReceived
from bot.replies import Audience
from tests.adapters.write_lock import WriteLock
from tests.harness import Harness, person, private_chat, write_config

alice, bob = person("alice"), person("bob")


async def test_crisis_uses_my_country_and_everyone_else_keeps_the_bots(
    harness: Harness,
) -> None:
    await harness.say("/settings country IE", as_=alice)
    [mine] = await harness.say("/crisis", as_=alice)
    [theirs] = await harness.say("/crisis", as_=bob)
    helped = await harness.text("/help", as_=alice)

    assert mine.audience is Audience.ONLY_YOU
    assert "call 112 or 999 now" in mine.text
    assert "50808: text 50808" in mine.text
    assert "call 999 now" in theirs.text
    assert "Shout" in theirs.text
    assert "50808: text 50808" in helped


async def test_crisis_with_storage_closed_answers_with_the_bots_country(
    harness: Harness, caplog: pytest.LogCaptureFixture
) -> None:
    await harness.say("/settings country IE", as_=alice)
    await harness.app.database.close()
    [crisis] = await harness.say("/crisis", as_=alice)

    assert crisis.audience is Audience.ONLY_YOU
    assert "Samaritans: call 116 123" in crisis.text
    assert "Shout" in crisis.text  # GB's, the bot's country
    assert "country not read for /crisis (RuntimeError)" in caplog.text
    assert "alice" not in caplog.text.lower()


async def test_crisis_never_waits_behind_our_own_write(harness: Harness) -> None:
    """In memory, reads share the writer's lock: a transaction that holds it (a slow
    write) must not hold crisis help up. It answers with the bot's country at once."""
    await harness.say("/settings country IE", as_=alice)
    holding, release = asyncio.Event(), asyncio.Event()

    async def slow_write() -> None:
        async with harness.app.database.transaction():
            holding.set()
            await release.wait()

    writer = asyncio.create_task(slow_write())
    await holding.wait()
    started = asyncio.get_running_loop().time()
    [crisis] = await harness.app.dispatcher.handle(
        TextReceived(alice, private_chat(alice), "/crisis")
    )
    waited = asyncio.get_running_loop().time() - started
    release.set()
    await writer

    assert "Shout" in crisis.text
    assert waited < 1.0


async def test_crisis_reads_my_country_beside_another_programs_write_lock(
    tmp_path: Path,
) -> None:
    """On a file, reads go through their own connection: a write lock held by another
    program does not stop /crisis from finding my country."""
    database = tmp_path / "locked.sqlite3"
    harness = await Harness.open(write_config(tmp_path, database_path=database))
    await harness.say("/settings country IE", as_=alice)
    with WriteLock(database):
        started = asyncio.get_running_loop().time()
        [crisis] = await harness.app.dispatcher.handle(
            TextReceived(alice, private_chat(alice), "/crisis")
        )
        waited = asyncio.get_running_loop().time() - started
    await harness.close()

    assert "50808: text 50808" in crisis.text
    assert waited < 1.0
