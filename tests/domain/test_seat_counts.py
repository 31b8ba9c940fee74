"""The seat counts each group's row keeps (migration 0008): every change to the
memberships moves them in the same transaction, and a start recounts any that drifted.

The truth here is counted straight from the memberships, not through the repository's
own recount, so a wrong count anywhere shows."""

from __future__ import annotations

import logging
import random
from datetime import timedelta
from pathlib import Path

import pytest

from bot.app import MIGRATIONS_DIR
from bot.storage import SqliteDatabase, load_migrations
from bot.storage.database import Database
from groups.group_table import sync_groups
from groups.membership_repo import MembershipRepository
from groups.models import Occupancy
from tests.harness import Harness, person

pytestmark = pytest.mark.both_engines

alice, bob, cara, dan = (person(n) for n in ("alice", "bob", "cara", "dan"))


async def _counted(db: Database) -> dict[str, Occupancy]:
    rows = await db.fetch_all(
        "SELECT g.slug, m.status, COUNT(*) AS n FROM groups g"
        " JOIN memberships m ON m.group_id = g.id GROUP BY g.slug, m.status"
    )
    counted: dict[str, dict[str, int]] = {}
    for row in rows:
        counted.setdefault(row["slug"], {})[row["status"]] = int(row["n"])
    slugs = [row["slug"] for row in await db.fetch_all("SELECT slug FROM groups")]
    return {
        slug: Occupancy(
            counted.get(slug, {}).get("seated", 0), counted.get(slug, {}).get("waitlisted", 0)
        )
        for slug in slugs
    }


async def _assert_in_step(harness: Harness, what: str) -> None:
    kept = await harness.app.membership.occupancy()
    assert kept == await _counted(harness.app.database), f"after {what}"


async def test_kept_counts_follow_every_change_to_the_memberships(harness: Harness) -> None:
    app, repo = harness.app, MembershipRepository()
    groups = [app.directory.get("circle"), app.directory.get("carers")]  # 2 and 5 seats
    people = [person(f"p{n}") for n in range(10)]
    rng = random.Random(2026)
    for step in range(160):
        who, group = rng.choice(people), rng.choice(groups)
        assert group is not None
        kind = rng.choice(("join", "join", "join", "leave", "removed", "everything", "erase"))
        if kind == "join":
            await app.membership.join(who, group)
        elif kind in ("leave", "removed"):
            await app.membership.leave(who, group, removed=kind == "removed")
        elif kind == "everything":
            async with app.database.transaction() as tx:
                await app.membership.leave_everything(tx, who)
        else:  # the members row goes while memberships remain: they go with it
            async with app.database.transaction() as tx:
                await repo.forget_member(tx, who)
        await _assert_in_step(harness, f"step {step}: {kind} {who.user_id} {group.slug}")
    seen = await app.membership.occupancy()
    assert seen["circle"].seated == 2
    assert seen["circle"].waiting > 0


async def test_counts_follow_a_retired_group_left_and_then_forgotten(harness: Harness) -> None:
    app = harness.app
    for member in (alice, bob, cara):
        await harness.say("/join carers", as_=member)
    circle = app.directory.get("circle")
    assert circle is not None
    now = harness.clock.now()
    await sync_groups(app.database, [circle], now, timedelta(days=90))  # carers retired

    assert await app.membership.leave_retired(alice, "carers") is not None
    await _assert_in_step(harness, "leaving a retired group")
    assert (await app.membership.occupancy())["carers"] == Occupancy(2, 0)

    synced = await sync_groups(app.database, [circle], now + timedelta(days=91), timedelta(days=90))
    assert synced.forgotten_memberships == 2
    await _assert_in_step(harness, "forgetting a long-retired group")
    assert (await app.membership.occupancy())["carers"] == Occupancy(0, 0)


async def test_counts_that_drifted_are_recounted_at_start_and_the_seat_passes_on(
    harness: Harness, caplog: pytest.LogCaptureFixture
) -> None:
    for member in (alice, bob, cara):  # two seats, cara waits
        await harness.say("/join circle", as_=member)
    # An operator deletes a membership by hand, leaving the kept counts behind.
    await harness.app.database.execute("DELETE FROM memberships WHERE user_id = 'alice'")
    assert (await harness.app.membership.occupancy())["circle"] == Occupancy(2, 1)
    caplog.set_level(logging.WARNING, logger="groups.membership")

    await harness.app.start()
    await harness.app.delivery.deliver_due()

    [warning] = [r.getMessage() for r in caplog.records if "seat counts" in r.getMessage()]
    assert "1 group(s)" in warning
    assert "circle" in warning
    await _assert_in_step(harness, "the start")
    assert (await harness.app.membership.occupancy())["circle"] == Occupancy(2, 0)
    [notice] = harness.inbox(cara)  # the seat alice's row left went to the first in line
    assert "a seat has opened up in Tuesday Circle" in notice.text


async def test_a_start_with_counts_in_step_changes_nothing(
    harness: Harness, caplog: pytest.LogCaptureFixture
) -> None:
    for member in (alice, bob, cara):
        await harness.say("/join circle", as_=member)
    caplog.set_level(logging.WARNING, logger="groups.membership")

    assert await harness.app.membership.settle_seat_counts() == {}
    assert not [r for r in caplog.records if "seat counts" in r.getMessage()]
    assert (await harness.app.membership.occupancy())["circle"] == Occupancy(2, 1)


@pytest.mark.sqlite_only("it builds a version-7 SQLite file by hand; the SQL is the same on both")
async def test_migration_0008_counts_the_memberships_already_there(tmp_path: Path) -> None:
    path = tmp_path / "before.sqlite3"
    database = SqliteDatabase(path, load_migrations(MIGRATIONS_DIR)[:7])
    await database.connect()
    async with database.transaction() as tx:
        await tx.execute("INSERT INTO groups (id, slug, name) VALUES (1, 'a', 'A'), (2, 'b', 'B')")
        await tx.execute(
            "INSERT INTO members VALUES ('console', 'x', 'X', 0, 0), ('console', 'y', 'Y', 0, 0)"
        )
        await tx.execute(
            "INSERT INTO memberships VALUES (1, 'console', 'x', 'seated', 1, 0, 0),"
            " (1, 'console', 'y', 'waitlisted', 2, 0, NULL), (2, 'console', 'y', 'seated', 1, 0, 0)"
        )
    await database.close()

    upgraded = SqliteDatabase(path, load_migrations(MIGRATIONS_DIR))
    await upgraded.connect()
    try:
        assert await MembershipRepository().drifted(upgraded) == {}
        assert await _counted(upgraded) == {"a": Occupancy(1, 1), "b": Occupancy(1, 0)}
        rows = await upgraded.fetch_all("SELECT slug, seated_count, waiting_count FROM groups")
        assert {r["slug"]: (r["seated_count"], r["waiting_count"]) for r in rows} == {
            "a": (1, 1),
            "b": (1, 0),
        }
    finally:
        await upgraded.close()
