"""Two processes planning the same reminders on one SQLite file at the same moment:
every reminder is queued once, by one of them."""

from __future__ import annotations

import asyncio
import os
import sys
from datetime import UTC, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

from tests.fakes.clock import FakeClock
from tests.harness import Harness, person, write_config
from tests.process.cli import ROOT
from tests.process.reminder_racer import READY, plan_rounds

DUE = datetime(2026, 12, 1, 18, 0, tzinfo=ZoneInfo("Europe/London")).astimezone(UTC)
MEMBERS = 2  # the circle's two seats, plus its Telegram chat: 3 reminders


async def test_two_processes_queue_each_reminder_once(tmp_path: Path) -> None:
    config = write_config(tmp_path, storage_url="sqlite:///race.sqlite3")
    harness = await Harness.open(config, clock=FakeClock(DUE))
    try:
        for name in ("alice", "bob"):
            await harness.say("/join circle", as_=person(name))
    finally:
        await harness.close()

    env = {k: v for k, v in os.environ.items() if not k.startswith("PEERCIRCLE_")}
    env["PYTHONPATH"] = str(ROOT)
    child = await asyncio.create_subprocess_exec(
        *(sys.executable, "-m", "tests.process.reminder_racer", str(config), DUE.isoformat(), "20"),
        stdin=asyncio.subprocess.PIPE,
        stdout=asyncio.subprocess.PIPE,
        env=env,
    )
    here = await Harness.open(config, clock=FakeClock(DUE))
    try:
        assert child.stdin is not None
        assert child.stdout is not None
        assert (await child.stdout.readline()).decode().strip() == READY
        child.stdin.write(b"go\n")
        await child.stdin.drain()
        mine = await plan_rounds(here.app, 20)
        theirs = int((await asyncio.wait_for(child.stdout.read(), 30)).decode().strip())
        rows = await here.app.database.fetch_all(
            "SELECT dedupe_key FROM outbox WHERE kind = 'reminder'"
        )
    finally:
        await here.close()
        if child.returncode is None:
            child.kill()
        await child.wait()

    assert mine + theirs == MEMBERS + 1
    assert len(rows) == MEMBERS + 1
