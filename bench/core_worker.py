"""PeerCircle's core alone, in a fresh process: the CPU time of ``/groups`` and
``/join`` through the real dispatcher on SQLite, with no platform at all.

    python -m bench.core_worker CONFIG --count 500

Used by the Telegram overhead benchmark to split PeerCircle's CPU time per command into
its core (dispatcher, domain, SQLite) and the rest (the adapter and python-telegram-bot).
Prints JSON: milliseconds of CPU per command, by command.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import time
from pathlib import Path

from bot.app import BotApp
from bot.config import load_settings
from bot.events import Actor, Place, TextReceived

WARM_UP = 50


async def measure(config: Path, count: int) -> dict[str, float]:
    environ = {
        "PEERCIRCLE_TELEGRAM__TOKEN": "1:not-used",
        "PEERCIRCLE_CHECKINS__HMAC_KEY": "k" * 40,
    }
    app = await BotApp.open(load_settings(config, environ=environ))
    found: dict[str, float] = {}
    try:
        people = iter(range(10**8, 2 * 10**8))
        for name, text in (("/groups", "/groups"), ("/join", "/join circle-a")):
            for timed in (False, True):
                began = time.process_time()
                for _ in range(count if timed else WARM_UP):
                    actor = Actor("telegram", str(next(people)), "Member")
                    place = Place("telegram", actor.user_id, private=True)
                    await app.dispatcher.handle(TextReceived(actor, place, text))
                if timed:
                    found[name] = (time.process_time() - began) / count * 1000
    finally:
        await app.close()
    return found


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.core_worker", description=__doc__)
    parser.add_argument("config", type=Path)
    parser.add_argument("--count", type=int, default=500)
    args = parser.parse_args(argv)
    print(json.dumps(asyncio.run(measure(args.config, args.count))))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
