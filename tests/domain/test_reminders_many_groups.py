"""Reminders for hundreds of groups due at the same tick: one look at all of them (a few
queries in all, not four per group) finds exactly whose reminder is still missing."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

from tests.adapters.write_lock import WriteLock
from tests.fakes.clock import FakeClock
from tests.harness import CHECKIN_KEY, Harness, person

GROUPS = 410  # more than one batch of groups (400) and of key ranges (200)
TUESDAY_18 = datetime(2026, 12, 1, 18, 0, tzinfo=UTC)  # London is on UTC in December


def _config(directory: Path, database: Path) -> Path:
    parts = [
        f'[bot]\ntimezone = "Europe/London"\n[storage]\nurl = "sqlite:///{database}"\n'
        "busy_timeout_ms = 50\n"
    ]
    for n in range(GROUPS):
        parts.append(
            f'[[groups]]\nslug = "g{n:03d}"\nname = "Group {n:03d}"\ncapacity = 5\n'
            + (f"telegram_chat_id = -100{n}\n" if n == 7 else "")
            + '[groups.schedule]\nweekday = "tuesday"\ntime = "19:00"\n'
        )
    path = directory / "many.toml"
    path.write_text("".join(parts), encoding="utf-8")
    return path


async def test_one_tick_queues_exactly_the_missing_reminders(tmp_path: Path) -> None:
    database = tmp_path / "many.sqlite3"
    clock = FakeClock(datetime(2026, 11, 30, 12, 0, tzinfo=UTC))  # before any is due
    harness = await Harness.open(
        _config(tmp_path, database),
        clock=clock,
        environ={"PEERCIRCLE_CHECKINS__HMAC_KEY": CHECKIN_KEY},
    )
    try:
        for n in range(GROUPS):
            await harness.say(f"/join g{n:03d}", as_=person(f"m{n}"))
        no, silent, waiting = person("noor"), person("sid"), person("wade")
        await harness.say("/join g001", as_=no)
        await harness.say("/rsvp g001 no", as_=no)
        await harness.say("/join g002", as_=silent)
        await harness.say("/settings reminders off", as_=silent)
        for n in range(5):  # g003 fills up; wade waits
            await harness.say("/join g003", as_=person(f"extra{n}"))
        await harness.say("/join g003", as_=waiting)
        clock.advance(seconds=TUESDAY_18.timestamp() - clock.now().timestamp())

        first = await harness.app.reminders.send_due()  # the 1h reminder of every group
        again = await harness.app.reminders.send_due()
        late = person("lena")
        await harness.say("/join g200", as_=late)
        for_late = await harness.app.reminders.send_due()
        with WriteLock(database):  # all queued: a tick only reads
            after = await harness.app.reminders.send_due()
    finally:
        await harness.close()

    # One per group, four more seated in g003, g007's Telegram chat; not noor, sid, wade.
    assert first == GROUPS + 4 + 1
    assert again == 0
    assert for_late == 1
    assert after == 0
