"""/forgetme never erases by accident, and never by half: "No" keeps everything, a typed
"/forgetme confirm" or an old button asks again, and storage failing in the middle of
an erasure leaves every row as it was."""

from __future__ import annotations

import re
import sqlite3
from pathlib import Path

import pytest

from bot.replies import Audience, Reply
from groups.data_rights import export_file
from tests.domain.data_rights_world import (
    bob,
    database_path,
    dump,
    open_world,
    rows_naming,
    zeph,
)
from tests.engines import current_engine
from tests.harness import Harness

pytestmark = pytest.mark.both_engines


def yes_button(replies: list[Reply]) -> str:
    [reply] = replies
    [action] = [b.action for b in reply.buttons if b.action.startswith("forgetme:confirm ")]
    return action


async def test_no_keeps_everything(tmp_path: Path) -> None:
    harness = await open_world(tmp_path)
    try:
        before = dump(tmp_path)
        await harness.say("/forgetme", as_=zeph)
        [reply] = await harness.press("forgetme:cancel", as_=zeph)
        after = dump(tmp_path)
    finally:
        await harness.close()
    assert reply.audience is Audience.ONLY_YOU
    assert "nothing was erased" in reply.text
    assert rows_naming(after) == rows_naming(before) != []


async def test_a_typed_confirm_asks_with_buttons_first(tmp_path: Path) -> None:
    harness = await open_world(tmp_path)
    try:
        before = dump(tmp_path)
        replies = await harness.say("/forgetme confirm", as_=zeph)
        after = dump(tmp_path)
        [done] = await harness.press(yes_button(replies), as_=zeph)  # the button it showed
    finally:
        await harness.close()
    [reply] = replies
    assert reply.audience is Audience.ONLY_YOU
    assert "always ask with buttons first" in reply.text
    assert "can't be undone" in reply.text
    assert rows_naming(after) == rows_naming(before) != []
    assert "erased everything" in done.text


async def test_an_old_or_made_up_button_asks_again(tmp_path: Path) -> None:
    harness = await open_world(tmp_path)
    try:
        old = yes_button(await harness.say("/forgetme", as_=zeph))
        harness.clock.advance(minutes=16)
        before = dump(tmp_path)
        [stale] = await harness.press(old, as_=zeph)
        later = int(harness.clock.now().timestamp()) + 3600
        [future] = await harness.say(f"/forgetme confirm {later}", as_=zeph)
        [junk] = await harness.say("/forgetme confirm soon", as_=zeph)
        # Digits str.isdigit() takes and int() refuses (the fuzzing found these).
        odd = [await harness.say(f"/forgetme confirm {stamp}", as_=zeph) for stamp in "²①"]
        after = dump(tmp_path)
    finally:
        await harness.close()
    assert "has run out" in stale.text
    assert "has run out" in future.text
    assert "has run out" in junk.text
    assert all("has run out" in reply.text for [reply] in odd)
    assert rows_naming(after) == rows_naming(before) != []


async def test_storage_failing_in_the_middle_of_an_erasure_keeps_everything(
    tmp_path: Path,
) -> None:
    """Her memberships go first (bob is given her seat, inside the transaction); then
    deleting her RSVP fills the disk (a trigger writes 200 kB into a file that may not
    grow). The whole erasure is rolled back: she keeps everything, bob keeps waiting."""
    harness = await open_world(tmp_path)
    try:
        ask = await harness.say("/forgetme", as_=zeph)
        await fill_the_disk_when_an_rsvp_is_deleted(harness, database_path(tmp_path))
        before = dump(tmp_path)
        [refused] = await harness.press(yes_button(ask), as_=zeph)
        after = dump(tmp_path)
        bob_groups = await harness.text("/mygroups", as_=bob)
    finally:
        await harness.close()
    assert refused.audience is Audience.ONLY_YOU
    incident = re.search(r"INC-[0-9A-F]{6}", refused.text)
    assert incident is not None
    expected = harness.app.catalog.text("core.storage_unavailable", incident_id=incident[0])
    assert refused.text == expected
    assert after == before
    assert rows_naming(after) != []
    assert harness.inbox(bob) == []
    assert "waiting list, number 1" in bob_groups


async def fill_the_disk_when_an_rsvp_is_deleted(harness: Harness, path: Path) -> None:
    if current_engine().is_postgres:  # the server says its disk is full (SQLSTATE 53100)
        async with harness.app.database.transaction() as tx:
            await tx.execute(
                "CREATE FUNCTION full_disk() RETURNS trigger AS $$ BEGIN"
                " RAISE EXCEPTION 'could not extend file' USING ERRCODE = 'disk_full';"
                " END $$ LANGUAGE plpgsql"
            )
            await tx.execute(
                "CREATE TRIGGER heavy BEFORE DELETE ON rsvps"
                " FOR EACH ROW EXECUTE FUNCTION full_disk()"
            )
        return
    with sqlite3.connect(path) as conn:
        conn.execute("CREATE TABLE ballast (data BLOB)")
        conn.execute(
            "CREATE TRIGGER heavy AFTER DELETE ON rsvps"
            " BEGIN INSERT INTO ballast VALUES (randomblob(200000)); END"
        )
    conn.close()
    row = await harness.app.database.fetch_one("PRAGMA page_count")
    assert row is not None
    pages = int(next(iter(row.values())))
    await harness.app.database.execute(f"PRAGMA max_page_count = {pages + 2}")


def test_an_export_too_big_for_one_file_is_compacted_then_refused() -> None:
    content: dict[str, object] = {"rsvps": [{"group": "circle", "answer": "yes"}] * 50}
    pretty = export_file(content)
    assert pretty is not None
    compact = export_file(content, limit=len(pretty.content) - 1)
    assert compact is not None
    assert b"\n" not in compact.content
    assert export_file(content, limit=len(compact.content) - 1) is None
