"""Reloading the config (SIGHUP): new, changed and removed groups take effect at once."""

from __future__ import annotations

from pathlib import Path

from bot.config import load_settings
from tests.harness import Harness, person, write_config

alice, bob, cara, dan = (person(n) for n in ("alice", "bob", "cara", "dan"))
FILE = "sqlite:///reload.sqlite3"


async def test_a_reloaded_config_changes_groups_without_a_restart(tmp_path: Path) -> None:
    harness = await Harness.open(write_config(tmp_path, storage_url=FILE))
    try:
        for member in (alice, bob, cara):  # two seats: cara waits
            await harness.say("/join circle", as_=member)
        await harness.say("/join carers", as_=dan)

        bigger = write_config(tmp_path, capacity=3, storage_url=FILE)
        text = bigger.read_text(encoding="utf-8")
        without_carers = text.partition('[[groups]]\nslug = "carers"')[0]
        bigger.write_text(without_carers, encoding="utf-8")
        synced = await harness.app.reload_groups(load_settings(bigger, environ={}))
        await harness.app.delivery.deliver_due()

        groups = await harness.text("/groups", as_=alice)
        dans = await harness.text("/mygroups", as_=dan)
        caras = await harness.text("/mygroups", as_=cara)
    finally:
        await harness.close()

    assert synced.retired == ("carers",)
    assert "Carers' Circle" not in groups
    assert "carers — this group isn't running any more" in dans
    assert "Tuesday Circle — you have a seat" in caras  # the new third seat
    assert any("Good news" in r.text for r in harness.inbox(cara))
