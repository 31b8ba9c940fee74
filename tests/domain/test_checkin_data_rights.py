"""Check-ins and a member's data rights: during an open week their keyed codes are the
only link, and /mydata shows it while /forgetme cuts it (their answer goes too)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.domain.checkin_helpers import check_in, join_all, open_harness, people
from tests.harness import person

pytestmark = pytest.mark.both_engines


async def test_mydata_lists_an_open_week_answered_and_forgetme_erases_codes_and_answer(
    tmp_path: Path,
) -> None:
    harness = await open_harness(tmp_path)
    try:
        alice = person("alice")
        others = people(3)
        await join_all(harness, [alice, *others])
        await check_in(harness, alice, 2, "alice's words")
        for member in others:
            await check_in(harness, member, 4)
        [export] = await harness.say("/mydata", as_=alice)
        assert export.attachment is not None
        data = json.loads(export.attachment.content)
        assert data["your_data"]["checkins"] == [
            {"group": "circle", "week_opened_on": "2026-11-29"}
        ]
        [ask] = await harness.say("/forgetme", as_=alice)
        [confirm] = [b for b in ask.buttons if b.action.startswith("forgetme:confirm")]
        await harness.press(confirm.action, as_=alice)
        answers = await harness.app.database.fetch_all("SELECT mood, note FROM checkins")
        assert sorted((row["mood"], row["note"]) for row in answers) == [(4, None)] * 3
        markers = await harness.app.database.fetch_all("SELECT marker FROM checkin_markers")
        assert len(markers) == 3  # the others' stay
        [again] = await harness.say("/mydata", as_=alice)
        assert again.attachment is not None
        assert json.loads(again.attachment.content)["your_data"]["checkins"] == []
    finally:
        await harness.close()


async def test_a_form_in_progress_is_exported_and_erased(tmp_path: Path) -> None:
    harness = await open_harness(tmp_path)
    try:
        alice = person("alice")
        await join_all(harness, [alice])
        async with harness.app.database.transaction() as tx:
            await tx.execute(
                "INSERT INTO form_progress (platform, user_id, tag, form, answers, touched_at)"
                " VALUES ('console', 'alice', 'checkin:circle', '{}', '[[\"mood\", \"2\"]]', 0)"
            )
        [export] = await harness.say("/mydata", as_=alice)
        assert export.attachment is not None
        found = json.loads(export.attachment.content)["your_data"]["form_in_progress"]
        assert found["form"] == "checkin:circle"
        assert found["answers_so_far"] == {"mood": "2"}
        [ask] = await harness.say("/forgetme", as_=alice)
        [confirm] = [b for b in ask.buttons if b.action.startswith("forgetme:confirm")]
        await harness.press(confirm.action, as_=alice)
        assert await harness.app.database.fetch_all("SELECT * FROM form_progress") == []
    finally:
        await harness.close()
