"""Where a Telegram command's time goes: one side of the overhead benchmark
(``bench.telegram_overhead``) alone, timed or under cProfile, for before/after work.

    python -m bench.telegram_profile [--side peercircle|bare] [--updates N] [--rounds R]
                                     [--bare-concurrent N] [--profile FILE] [--top K]

The side starts as in the benchmark (same config, same fake, same updates), gets a
warm-up round, then ``rounds`` bursts of ``updates`` (16 members in flight). Each round
prints a JSON line: the rate, the bot process's CPU per update (all threads; also split
into user and system time), the getUpdates calls the round took, and the benchmark
process's own CPU per update (the fake and the driver). ``--threads`` prints each of
the bot's threads' CPU seconds at the end (aiosqlite runs a thread per connection).

With ``--profile`` the bot runs under ``python -m cProfile -o FILE`` and the ``top``
functions by cumulative and by own time are printed after it stops. cProfile sees the
main thread only, times by the wall clock (a busy machine shows in system calls), and
counts each resumption of a coroutine as a call: compare call counts with care, and
CPU figures from rounds without it.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import pstats
import sys
import tempfile
import time
from pathlib import Path

from bench import process
from bench import telegram_overhead as overhead
from tests.fakes.telegram_api import FakeTelegramApi

IN_FLIGHT = 16


def _user_and_system(pid: int) -> tuple[float, float]:
    fields = Path(f"/proc/{pid}/stat").read_text().rpartition(")")[2].split()
    return int(fields[11]) / process.TICKS, int(fields[12]) / process.TICKS


def _threads(pid: int) -> dict[str, float]:
    """CPU seconds so far of each thread of ``pid``, by name and id."""
    found: dict[str, float] = {}
    for task in Path(f"/proc/{pid}/task").iterdir():
        name = (task / "comm").read_text().strip()
        fields = (task / "stat").read_text().rpartition(")")[2].split()
        found[f"{name} {task.name}"] = (int(fields[11]) + int(fields[12])) / process.TICKS
    return found


async def _one_round(side: overhead.Side, fake: FakeTelegramApi, updates: int) -> dict[str, object]:
    polls = len(fake.calls_to("getUpdates"))
    ours = time.process_time()
    user, system = _user_and_system(side.child.pid)
    rate, cpu_ms, _ = await side.flow(updates, IN_FLIGHT)
    user_after, system_after = _user_and_system(side.child.pid)
    per_update = 1000 / updates
    return {
        "side": side.name,
        "rate": round(rate, 1),
        "cpu_ms": round(cpu_ms, 3),
        "user_ms": round((user_after - user) * per_update, 3),
        "sys_ms": round((system_after - system) * per_update, 3),
        "polls": len(fake.calls_to("getUpdates")) - polls,
        "bench_cpu_ms": round((time.process_time() - ours) * per_update, 3),
    }


async def _rounds(args: argparse.Namespace, directory: Path) -> None:
    prefix = ["-m", "cProfile", "-o", str(args.profile)] if args.profile else []
    async with FakeTelegramApi() as fake:
        side = await overhead.start_side(
            args.side, fake, directory, prefix=prefix, bare_concurrent=args.bare_concurrent
        )
        try:
            await side.flow(max(args.updates // 5, 1), IN_FLIGHT)
            for _ in range(args.rounds):
                print(json.dumps(await _one_round(side, fake, args.updates)), flush=True)
            if args.threads:
                print(json.dumps(_threads(side.child.pid)))
        finally:
            await side.child.stop(grace=60)


def _show(profile: Path, top: int) -> None:
    stats = pstats.Stats(str(profile), stream=sys.stdout)
    stats.strip_dirs().sort_stats("cumulative").print_stats(top)
    stats.sort_stats("tottime").print_stats(top)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m bench.telegram_profile",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--side", choices=("peercircle", "bare"), default="peercircle")
    parser.add_argument("--updates", type=int, default=1000, help="per round")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--bare-concurrent", type=int, default=0, metavar="N")
    parser.add_argument("--threads", action="store_true", help="CPU per thread at the end")
    parser.add_argument("--profile", type=Path, metavar="FILE")
    parser.add_argument("--top", type=int, default=60)
    args = parser.parse_args(argv)
    if args.profile is not None:
        args.profile = args.profile.resolve()
    with tempfile.TemporaryDirectory(prefix="peercircle-tgprofile-") as folder:
        asyncio.run(_rounds(args, Path(folder)))
    if args.profile is not None:
        _show(args.profile, args.top)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
