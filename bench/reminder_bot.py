"""``peercircle run`` for the fan-out and scheduler benchmarks, with one difference: the
groups' meetings are moved so that their reminder comes due at an instant the
benchmark names, to the second.

    python -m bench.reminder_bot CONFIG

It opens the app as ``run`` does, builds the Telegram adapter as ``run`` does (with the
config's ``[telegram.limits]``), says ``ready`` on standard output and reads the due
instant (ISO 8601, UTC) from standard input. Then every group meets ``offset`` after it
(the config's first reminder offset), on that weekday and at that time of day, and the
bot serves until SIGTERM: the reminder timer, the planner, the outbox and the adapter
are the real ones. (A config's times are whole minutes; the benchmark cannot wait a
minute for each run, so the time of day is set here, with its seconds.)
"""

from __future__ import annotations

import argparse
import asyncio
import signal
import sys
from dataclasses import replace
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

from adapters.telegram import TelegramAdapter
from bot.app import BotApp
from bot.config import load_settings
from groups.models import Group


def meeting_at(group: Group, due: datetime) -> Group:
    """``group``, meeting weekly at the instant its first reminder is due at ``due``."""
    start = (due + group.schedule.reminders[0]).astimezone(ZoneInfo(group.timezone))
    schedule = replace(
        group.schedule,
        frequency="weekly",
        weekday=start.weekday(),
        start=start.time().replace(microsecond=0, tzinfo=None),
        starts_on=None,
        rrule=None,
        until=None,
    )
    return replace(group, schedule=schedule)


async def serve(config: Path) -> None:
    settings = load_settings(config)
    app = await BotApp.open(settings)
    try:
        telegram = settings.telegram
        assert telegram.token is not None, "PEERCIRCLE_TELEGRAM__TOKEN is needed"
        adapter = TelegramAdapter(
            app.catalog,
            token=telegram.token.get_secret_value(),
            bot_name=settings.bot.name,
            base_url=telegram.base_url,
            base_file_url=telegram.base_file_url,
            limiter=app.rate_limits.for_platform(TelegramAdapter.platform),
        )
        print("ready", flush=True)
        line = await asyncio.get_running_loop().run_in_executor(None, sys.stdin.readline)
        due = datetime.fromisoformat(line.strip())
        app.directory.replace(meeting_at(group, due) for group in app.directory.all())
        stop = asyncio.Event()
        loop = asyncio.get_running_loop()
        for signum in (signal.SIGTERM, signal.SIGINT):
            loop.add_signal_handler(signum, stop.set)
        await app.serve([adapter], stop)
    finally:
        await app.close()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.reminder_bot", description=__doc__)
    parser.add_argument("config", type=Path)
    args = parser.parse_args(argv)
    asyncio.run(serve(args.config))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
