"""5. Scale: a large organization on SQLite.

``bench.scale_data`` writes the organization (10,000 groups, 200,000 members, 1,000,000
check-ins, a year of check-in periods and of outbox rows: see there); each run
starts from a copy of it, in a fresh process (``bench.scale_worker``), and times the
start-up, each command, a check-in release and the timers' ticks, and reads the
process's resident memory.

Start-up is everything ``run`` does before it serves: reading the config (10,000
``[[groups]]``), opening the app, filling open seats and planning the reminder and
check-in timers, whose first wake-up is at once. That first tick of each (which catches
up: it looks at every group's meetings and check-ins) runs right after, beside the first
commands: "first ticks done" is start-up until then.
"""

from __future__ import annotations

import asyncio
import json
import os
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from bench import process
from bench.report import Figure, Goal, measured
from bench.scale_data import ScaleSizes, count_rows, generate
from bench.stats import percentile

SECTION = "5"
COMMANDS = ("/join", "/mygroups", "/roster", "/next", "/groups", "/groups <words>", "release")
MB = 1024 * 1024


@dataclass(frozen=True, slots=True)
class ScaleRuns:
    data: ScaleSizes = field(default_factory=ScaleSizes)
    samples: int = 300  # of each command, per run
    repeats: int = 3  # at most 7 (see bench.scale_worker)


async def measure(runs: ScaleRuns, directory: Path) -> tuple[float, dict[str, int], list[Any]]:
    """Seconds to write the data, its row counts, and each run's figures. The runs share
    the database (each releases check-ins of its own groups; their joins add up)."""
    began = time.perf_counter()
    config = await asyncio.to_thread(generate, directory, runs.data)
    written = time.perf_counter() - began
    # The 6 GB just written go to disk now, not while the runs are timed (the system's
    # writeback beside them slowed one run's start-up by a third).
    await asyncio.to_thread(os.sync)
    rows = await asyncio.to_thread(count_rows, config.with_name("scale.sqlite3"))
    found = []
    for n in range(runs.repeats):
        args = ["-m", "bench.scale_worker", str(config), "--run", str(n)]
        args += ["--groups", str(runs.data.groups), "--members", str(runs.data.members)]
        args += ["--samples", str(runs.samples)]
        out = await process.run_to_end(args, directory / f"worker{n}.log", within=900)
        found.append(json.loads(out))
    return written, rows, found


def figures(
    written: float, rows: dict[str, int], found: list[Any], runs: ScaleRuns
) -> list[Figure]:
    data = runs.data
    shape = (
        f"{rows['groups']:,} groups, {rows['members']:,} members, {rows['checkins']:,}"
        f" check-ins, {rows['outbox']:,} outbox rows"
    )
    steps = [run["start_up"] for run in found]
    serving = [s["open"] + s["open_seats"] + s["planned"] for s in steps]
    result = [
        measured(SECTION, "data written (one transaction)", [written], "s", note=shape),
        measured(
            SECTION,
            "start-up: ready to answer",
            _of(steps, "ready"),
            "s",
            Goal("at most", 2.0),
            f"{runs.repeats} runs, a fresh process each; jobs planned, first ticks next",
        ),
        measured(
            SECTION, f"  reading the config ({data.groups:,} groups)", _of(steps, "config"), "s"
        ),
        measured(SECTION, "  open, seats, jobs planned (config read)", serving, "s"),
        measured(SECTION, "start-up: first ticks done", _of(steps, "total"), "s"),
        measured(SECTION, "  reminder timer's first tick", _of(steps, "reminders"), "s"),
        measured(SECTION, "  check-in timer's first tick", _of(steps, "checkins"), "s"),
        measured(
            SECTION, "reminder tick (every minute or sooner)", _of(steps, "reminder_tick"), "s"
        ),
        measured(SECTION, "check-in tick", _of(steps, "checkin_tick"), "s"),
    ]
    for command in COMMANDS:
        timings = [run["milliseconds"][command] for run in found]
        name = "check-in release" if command == "release" else command
        result += [
            measured(SECTION, f"{name} p50", [percentile(t, 50) for t in timings], "ms"),
            measured(
                SECTION,
                f"{name} p99",
                [percentile(t, 99) for t in timings],
                "ms",
                Goal("at most", 10.0),
                f"{runs.samples} each run" if command == "/join" else "",
            ),
        ]
    result += [
        measured(
            SECTION,
            "resident memory after start-up",
            [r["rss_after_start"] / MB for r in found],
            "MB",
        ),
        measured(
            SECTION,
            "resident memory at its highest",
            [r["rss_peak"] / MB for r in found],
            "MB",
            Goal("at most", 150.0),
        ),
    ]
    return result


def _of(steps: list[dict[str, float]], name: str) -> list[float]:
    return [step[name] for step in steps]


async def run(runs: ScaleRuns, directory: Path) -> list[Figure]:
    written, rows, found = await measure(runs, directory)
    return figures(written, rows, found, runs)
