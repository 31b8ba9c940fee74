"""Start-up brings the groups table in step with the config, writing only what changed
(an organization with 10,000 groups would otherwise rewrite every row at each start)."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta

from groups.group_table import GroupSync, sync_groups
from tests.harness import Harness

FORGET = timedelta(days=90)


async def _names(harness: Harness) -> dict[str, tuple[str, bool]]:
    rows = await harness.app.database.fetch_all("SELECT slug, name, retired_at FROM groups")
    return {row["slug"]: (row["name"], row["retired_at"] is not None) for row in rows}


async def test_a_new_name_is_written_and_an_unchanged_group_is_left_alone(
    harness: Harness,
) -> None:
    db, now = harness.app.database, harness.clock.now()
    circle, carers = harness.app.directory.all()
    before = await _names(harness)

    unchanged = await sync_groups(db, [circle, carers], now, FORGET)
    renamed = replace(carers, name="Family Carers")
    changed = await sync_groups(db, [circle, renamed], now, FORGET)
    after = await _names(harness)
    back = await sync_groups(db, [circle], now, FORGET)
    returned = await sync_groups(db, [circle, renamed], now, FORGET)

    assert unchanged == GroupSync()
    assert changed == GroupSync()
    assert before["carers"] == ("Carers' Circle", False)
    assert after == {"circle": before["circle"], "carers": ("Family Carers", False)}
    assert back.retired == ("carers",)
    assert returned.returned == ("carers",)
    assert (await _names(harness))["carers"] == ("Family Carers", False)
