"""A second process planning reminders on the same database at the same instant: opens the
app with a clock stopped at INSTANT (ISO 8601), says "ready", waits for a line on stdin
(the go signal), runs the reminder planner ROUNDS times and prints how many reminders it
queued.

    python -m tests.process.reminder_racer CONFIG INSTANT ROUNDS
"""

from __future__ import annotations

import asyncio
import sys
from collections.abc import Sequence
from datetime import datetime
from pathlib import Path

from bot.app import BotApp
from bot.config import load_settings
from tests.fakes.clock import FakeClock

READY = "ready"


async def plan_rounds(app: BotApp, rounds: int) -> int:
    queued = 0
    for _ in range(rounds):
        queued += await app.reminders.send_due()
        await asyncio.sleep(0)
    return queued


async def main(args: Sequence[str]) -> None:
    config, instant, rounds = args
    clock = FakeClock(datetime.fromisoformat(instant))
    app = await BotApp.open(load_settings(Path(config), environ={}), clock=clock)
    try:
        print(READY, flush=True)
        await asyncio.to_thread(sys.stdin.readline)  # go
        queued = await plan_rounds(app, int(rounds))
    finally:
        await app.close()
    print(queued, flush=True)


if __name__ == "__main__":
    asyncio.run(main(sys.argv[1:]))
