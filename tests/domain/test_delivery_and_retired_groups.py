"""What facilitators learn of notices that did not arrive, and groups that leave the config."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.replies import Audience
from tests.engines import every_table
from tests.fakes.clock import FakeClock
from tests.harness import Harness, person, write_config

pytestmark = pytest.mark.both_engines

alice, bob, cara, dan = (person(n) for n in ("alice", "bob", "cara", "dan"))
fran = person("fran")
FILE = "sqlite:///members.sqlite3"


async def test_the_roster_says_who_could_not_be_reached_and_nothing_more(
    harness: Harness,
) -> None:
    harness.outbound["console"].unreachable.add(cara.key)
    for member in (alice, bob, cara, dan):
        await harness.say("/join circle", as_=member)
    await harness.say("/leave circle", as_=alice)  # cara's seat offer cannot be delivered

    [roster] = await harness.say("/roster circle", as_=fran)

    assert roster.audience is Audience.ONLY_YOU
    lines = roster.text.splitlines()
    [cara_line] = [line for line in lines if "console:cara" in line]
    [bob_line] = [line for line in lines if "console:bob" in line]
    assert "couldn't be reached" in cara_line
    assert "couldn't be reached" not in bob_line
    assert "Good news" not in roster.text  # never the message itself

    harness.outbound["console"].unreachable.discard(cara.key)
    await harness.say("/remove circle console:cara", as_=fran)  # this notice arrives
    [later] = await harness.say("/roster circle", as_=fran)
    assert "couldn't be reached" not in later.text


async def test_a_removed_member_is_told_once_through_the_outbox(harness: Harness) -> None:
    for member in (alice, bob, cara):
        await harness.say("/join circle", as_=member)

    await harness.say("/remove circle console:alice", as_=fran)
    await harness.say("/remove circle console:alice", as_=fran)  # already gone

    assert len(harness.inbox(alice)) == 1
    assert "no longer on the list" in harness.inbox(alice)[0].text
    assert len(harness.inbox(cara)) == 1  # her seat offer


def _config_without_carers(tmp_path: Path) -> Path:
    path = write_config(tmp_path, storage_url=FILE)
    head = path.read_text(encoding="utf-8").partition('[[groups]]\nslug = "carers"')[0]
    path.write_text(head, encoding="utf-8")
    return path


async def test_a_group_taken_out_of_the_config_can_still_be_seen_and_left(
    tmp_path: Path,
) -> None:
    first = await Harness.open(write_config(tmp_path, storage_url=FILE))
    await first.say("/join carers", as_=alice)
    await first.close()

    second = await Harness.open(_config_without_carers(tmp_path))
    mine = await second.text("/mygroups", as_=alice)
    [choose] = await second.say("/leave", as_=alice)
    left = await second.text("/leave carers", as_=alice)
    after = await second.text("/mygroups", as_=alice)
    again = await second.text("/leave carers", as_=alice)
    await second.close()

    assert "carers — this group isn't running any more" in mine
    assert "/leave carers" in mine
    assert [b.action for b in choose.buttons] == ["leave:carers"]
    assert "carers is off your list" in left
    assert "haven't joined any groups" in after
    assert "off your list" not in again  # an unknown group now
    assert "carers" in again


async def test_memberships_of_a_long_retired_group_are_forgotten(tmp_path: Path) -> None:
    first = await Harness.open(write_config(tmp_path, storage_url=FILE))
    await first.say("/join carers", as_=alice)
    await first.close()
    clock = FakeClock()
    second = await Harness.open(_config_without_carers(tmp_path), clock=clock)
    kept = await second.text("/mygroups", as_=alice)  # retired now, kept for 90 days
    await second.close()

    clock.advance(days=91)
    last = await Harness.open(_config_without_carers(tmp_path), clock=clock)
    mine = await last.text("/mygroups", as_=alice)
    await last.close()

    assert "isn't running any more" in kept
    assert "haven't joined any groups" in mine


async def test_a_group_given_a_new_slug_keeps_its_members(tmp_path: Path) -> None:
    first = await Harness.open(write_config(tmp_path, storage_url=FILE))
    await first.say("/join carers", as_=alice)
    await first.close()

    path = write_config(tmp_path, storage_url=FILE)
    renamed = path.read_text(encoding="utf-8").replace(
        'slug = "carers"', 'slug = "carers-circle"\npreviously = ["carers"]'
    )
    path.write_text(renamed, encoding="utf-8")
    second = await Harness.open(path)
    mine = await second.text("/mygroups", as_=alice)
    await second.close()

    assert "Carers' Circle — you have a seat" in mine
    groups = sorted(every_table(tmp_path / "members.sqlite3")["groups"])  # by id
    assert [row[1] for row in groups] == ["circle", "carers-circle"]
