"""Who could not be reached, as /roster marks them: the latest finished private message
to each person decides. Read per person through the recipient index (a whole-table scan
took 200 ms with a month of a large organization's outbox)."""

from __future__ import annotations

import random

from bot.events import Actor
from bot.outbox import OutboxStore
from tests.harness import Harness

# The query /roster used before: every unreachable row in the table, then the people.
WHOLE_TABLE = (
    "SELECT o.platform, o.recipient FROM outbox o"
    " WHERE o.recipient IS NOT NULL AND o.status = 'unreachable'"
    " AND o.finished_at = (SELECT MAX(i.finished_at) FROM outbox i"
    "  WHERE i.platform = o.platform AND i.recipient = o.recipient"
    "  AND i.status IN ('sent', 'unreachable'))"
)


async def _row(harness: Harness, key: str, to: Actor, status: str, finished: int | None) -> None:
    async with harness.app.database.transaction() as tx:
        await tx.execute(
            "INSERT INTO outbox (dedupe_key, kind, platform, recipient, body, status,"
            " not_before, next_attempt_at, created_at, finished_at)"
            " VALUES (:key, 'reminder', :platform, :user, '', :status, 0, 0, 0, :finished)",
            {
                "key": key,
                "platform": to.platform,
                "user": to.user_id,
                "status": status,
                "finished": finished,
            },
        )


async def test_the_latest_finished_message_decides(harness: Harness) -> None:
    ana, ben, cy, dee, eve = (Actor("telegram", str(n), f"P{n}") for n in range(1, 6))
    ana_elsewhere = Actor("discord", "1", "Ana")
    rows = [
        (ana, "unreachable", 10),
        (ben, "unreachable", 10),
        (ben, "sent", 20),  # reached since
        (cy, "sent", 10),
        (cy, "unreachable", 20),  # not any more
        (dee, "sent", 30),
        (dee, "unreachable", 30),  # the same instant: counted as not reached
        (eve, "pending", None),  # nothing finished yet
        (ana_elsewhere, "sent", 40),  # another platform, the same id
    ]
    for n, (to, status, finished) in enumerate(rows):
        await _row(harness, f"k{n}", to, status, finished)
    people = [ana, ben, cy, dee, eve, ana_elsewhere]

    found = await OutboxStore().unreachable_among(harness.app.database, people)

    assert found == {"telegram:1", "telegram:3", "telegram:4"}
    assert await OutboxStore().unreachable_among(harness.app.database, []) == set()


async def test_many_people_match_the_whole_table_query(harness: Harness) -> None:
    rng = random.Random(5)
    people = [Actor("telegram", str(n), f"P{n}") for n in range(1_200)]  # over one chunk
    for n in range(3_000):
        to = rng.choice(people)
        status = rng.choice(("sent", "sent", "unreachable", "expired"))
        await _row(harness, f"k{n}", to, status, rng.randrange(50))
    everyone = {
        f"{row['platform']}:{row['recipient']}"
        for row in await harness.app.database.fetch_all(WHOLE_TABLE)
    }

    found = await OutboxStore().unreachable_among(harness.app.database, people[:1_100])

    assert found == everyone & {person.key for person in people[:1_100]}
    assert len(found) > 100
