"""What `peercircle schedule` prints is when reminders actually go out: its reminder
instants, across a daylight-saving change and with a cancelled and a moved meeting, are
exactly the instants at which the running planner reminds a member."""

from __future__ import annotations

import io
import re
from datetime import UTC, date, datetime
from pathlib import Path

from groups.schedule_cli import Terminal, print_schedule
from tests.fakes.clock import FakeClock
from tests.harness import Harness, person, write_config

alice, fran = person("alice"), person("fran")
INSTANT = re.compile(r"reminder .* before\s+(\S+)Z$")
END = datetime(2026, 11, 12, tzinfo=UTC)


async def _printed_reminders(harness: Harness) -> list[datetime]:
    out = io.StringIO()
    terminal = Terminal(out, io.StringIO())
    settings = harness.app.settings
    code = await print_schedule(
        settings,
        terminal,
        slug="circle",
        first_day=date(2026, 10, 19),
        count=4,
        now=harness.clock.now(),
    )
    assert code == 0
    found = [INSTANT.search(line) for line in out.getvalue().splitlines()]
    return sorted(datetime.fromisoformat(m[1]).replace(tzinfo=UTC) for m in found if m)


async def _sent_reminders(harness: Harness) -> list[datetime]:
    sent: list[datetime] = []
    while (due := await harness.app.reminders.next_due()) is not None and due < END:
        harness.clock.advance(seconds=(due - harness.clock.now()).total_seconds())
        before = len(harness.inbox(alice))
        await harness.app.reminders.send_due()
        await harness.app.delivery.deliver_due()
        if len(harness.inbox(alice)) > before:
            sent.append(harness.clock.now())
    return sent


async def test_the_printed_schedule_is_when_reminders_are_sent(tmp_path: Path) -> None:
    clock = FakeClock(datetime(2026, 10, 18, 23, 0, tzinfo=UTC))
    config = write_config(tmp_path, storage_url="sqlite:///bot.sqlite3")
    harness = await Harness.open(config, clock=clock)
    try:
        await harness.say("/join circle", as_=alice)
        await harness.say("/cancel circle 2026-10-27 half-term", as_=fran)
        await harness.say("/move circle 2026-11-03 2026-11-04 18:30", as_=fran)
        printed = await _printed_reminders(harness)
        sent = await _sent_reminders(harness)
    finally:
        await harness.close()

    assert len(printed) == 6  # 20 Oct (BST), 4 Nov (moved) and 10 Nov (GMT), two each
    assert sent == printed
    assert datetime(2026, 10, 20, 17, 0, tzinfo=UTC) in sent  # 18:00 BST
    assert datetime(2026, 11, 4, 17, 30, tzinfo=UTC) in sent  # the moved meeting, 1h before
    assert datetime(2026, 11, 10, 18, 0, tzinfo=UTC) in sent  # 18:00 GMT
