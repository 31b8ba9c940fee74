"""/mydata and /forgetme through the whole core, on a real SQLite file: the export is
valid JSON holding every store's rows, only for the member; the erasure leaves no row in
any table that refers to them, passes their seat on, and keeps everyone else's rows."""

from __future__ import annotations

import json
import logging
from datetime import datetime
from pathlib import Path

import pytest

from bot.events import Actor
from bot.replies import Audience, Reply
from tests.domain.data_rights_world import (
    START,
    alice,
    bob,
    cara,
    dan,
    dump,
    open_world,
    rows_naming,
    zeph,
)
from tests.fakes.clock import FakeClock
from tests.harness import Harness

pytestmark = pytest.mark.both_engines


def exported(reply: Reply) -> dict[str, object]:
    assert reply.attachment is not None
    assert reply.attachment.filename == "peercircle-my-data.json"
    assert reply.attachment.media_type == "application/json"
    data = json.loads(reply.attachment.content.decode("utf-8"))
    assert isinstance(data, dict)
    return data


def confirm_button(reply: Reply) -> str:
    labels = {button.label: button.action for button in reply.buttons}
    assert set(labels) == {"Yes, erase everything", "No, keep it"}
    assert labels["No, keep it"] == "forgetme:cancel"
    assert labels["Yes, erase everything"].startswith("forgetme:confirm ")
    return labels["Yes, erase everything"]


async def test_mydata_is_a_json_file_of_everything_stored_only_for_the_member(
    tmp_path: Path,
) -> None:
    harness = await open_world(tmp_path)
    try:
        [reply] = await harness.say("/mydata", as_=zeph)
    finally:
        await harness.close()

    assert reply.audience is Audience.ONLY_YOU
    assert "/forgetme" in reply.text
    assert "anonymous" in reply.text
    assert b'\n  "about"' in reply.attachment.content  # type: ignore[union-attr]
    data = exported(reply)
    assert datetime.fromisoformat(str(data["generated_at"])).utcoffset() is not None
    assert "stored without your name or id" in str(data["check_ins"])
    mine = data["your_data"]
    assert isinstance(mine, dict)
    assert set(mine) == {
        "memberships",
        "rsvps",
        "settings",
        "messages",
        "checkins",
        "form_in_progress",
        "member",
    }
    assert mine["checkins"] == []
    assert [(m["group"], m["status"], m["waiting_list_position"]) for m in mine["memberships"]] == [
        ("carers", "waitlisted", 1),
        ("circle", "seated", None),
    ]
    assert [(r["group"], r["answer"], r["meeting"]) for r in mine["rsvps"]] == [
        ("circle", "yes", "2026-12-01T19:00:00Z")
    ]
    assert mine["settings"]["quiet_hours"] == "18:00-21:00"
    assert mine["member"]["display_name"] == "Zephyrine"
    assert mine["member"]["user_id"] == zeph.user_id
    messages = {(m["kind"], m["status"], m["to_you"]) for m in mine["messages"]}
    assert messages == {
        ("membership", "sent", True),  # her seat offer
        ("reminder", "pending", True),  # held back by her quiet hours
        ("facilitator", "sent", False),  # two facilitators were told about her
    }
    [reminder] = [m for m in mine["messages"] if m["kind"] == "reminder"]
    assert "Tuesday Circle" in reminder["text"]
    assert reminder["not_before"] == "2026-11-30T21:00:00Z"


async def test_mydata_of_someone_unknown_is_a_file_with_empty_sections(tmp_path: Path) -> None:
    harness = await open_world(tmp_path)
    try:
        [reply] = await harness.say("/mydata", as_=Actor("console", "eve", "Eve"))
    finally:
        await harness.close()
    data = exported(reply)
    assert data["your_data"] == {
        "memberships": [],
        "rsvps": [],
        "settings": None,
        "messages": [],
        "checkins": [],
        "form_in_progress": None,
        "member": None,
    }


async def test_forgetme_erases_every_row_about_her_and_her_seat_passes_on(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO)
    harness = await open_world(tmp_path)
    try:
        before = dump(tmp_path)
        [ask] = await harness.say("/forgetme", as_=zeph)
        asked = dump(tmp_path)
        [done] = await harness.press(confirm_button(ask), as_=zeph)
        after = dump(tmp_path)
        bob_notices = [reply.text for reply in harness.inbox(bob)]
        bob_groups = await harness.text("/mygroups", as_=bob)
        dan_groups = await harness.text("/mygroups", as_=dan)
        [again] = await harness.say("/mydata", as_=zeph)
        after_export = dump(tmp_path)
    finally:
        await harness.close()

    # Before: she is in every table that can refer to a member.
    tables = {row.split(":")[0] for row in rows_naming(before)}
    assert tables == {"members", "memberships", "rsvps", "member_settings", "outbox"}
    assert ask.audience is Audience.ONLY_YOU
    assert "can't be undone" in ask.text
    assert rows_naming(asked) == rows_naming(before)  # asking erased nothing

    assert done.audience is Audience.ONLY_YOU
    assert "erased everything" in done.text
    assert rows_naming(after) == []
    assert rows_naming(after_export) == []  # /mydata afterwards stores nothing new
    assert exported(again)["your_data"]["member"] is None  # type: ignore[index]

    # Everyone else's rows are still there.
    for other in (alice, bob, cara, dan):
        assert rows_naming(after, (other.user_id,)), other
    assert rows_naming(after, ("maybe",))  # alice's RSVP
    assert len(after["outbox"]) == len(before["outbox"]) - 4 + 1  # hers gone, bob's offer
    # Bob was next in line for her seat in circle, and was told; dan moved up in carers.
    assert any("a seat has opened up in Tuesday Circle" in text for text in bob_notices)
    assert "Tuesday Circle — you have a seat" in bob_groups
    assert "waiting list, number 1" in dan_groups
    # The log says that it happened, and how much; never who.
    [line] = [r.getMessage() for r in caplog.records if "erased" in r.getMessage()]
    assert "row(s)" in line
    for record in caplog.records:
        message = record.getMessage().casefold()
        assert "zeph" not in message
        assert zeph.key not in message


async def test_forgetme_also_lets_go_of_a_group_that_is_no_longer_running(
    tmp_path: Path,
) -> None:
    """Her place on carers' waiting list outlives carers leaving the config; it goes too."""
    world = await open_world(tmp_path)
    await world.close()
    config = tmp_path / "peercircle.toml"
    text = config.read_text(encoding="utf-8")
    config.write_text(text[: text.index('[[groups]]\nslug = "carers"')], encoding="utf-8")
    harness = await Harness.open(config, clock=FakeClock(START))
    try:
        retired = await harness.text("/mygroups", as_=zeph)
        [ask] = await harness.say("/forgetme", as_=zeph)
        [done] = await harness.press(confirm_button(ask), as_=zeph)
        after = dump(tmp_path)
    finally:
        await harness.close()
    assert "carers" in retired
    assert "erased everything" in done.text
    assert rows_naming(after) == []
    assert rows_naming(after, (dan.user_id,))  # dan's place on carers' list is his own
