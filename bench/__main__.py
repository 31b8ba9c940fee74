"""``python -m bench``: PeerCircle's figures against the bare libraries, the platforms'
rate limits and a large organization (issue 12), each beside its goal.

Prints a table and writes ``bench/results/latest.json`` (with the machine: its cores,
CPU, Python and library versions, and its load before and after). Each part runs its
bots in processes of their own, repeated, and reports the median of the runs and their
spread (the lowest and highest run). A ratio is PeerCircle ÷ the reference: higher is
better. A missed goal is a finding, not a failure: the exit status is 1 only when a
part could not run.
"""

from __future__ import annotations

import argparse
import asyncio
import dataclasses
import json
import os
import sys
import tempfile
import time
import traceback
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from bench.machine import describe_machine
from bench.plan import FULL, QUICK, SECTIONS, Part, Sizes
from bench.report import Section, render_table

RESULTS = Path(__file__).parent / "results"


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m bench",
        description="Measure PeerCircle against the bare libraries, the platforms' rate "
        "limits and a large organization; print each figure beside its goal and keep them "
        "as JSON. The full run takes about six minutes on two cores.",
        epilog="Parts: "
        + "; ".join(f"{part.number}. {part.title}" for part in SECTIONS)
        + ". Run it on a quiet machine: other busy programs show up in the figures.",
    )
    parser.add_argument(
        "--quick",
        action="store_true",
        help="tiny sizes, to check that every part runs (seconds); the figures mean nothing",
    )
    parser.add_argument(
        "--only",
        metavar="N",
        action="append",
        choices=[part.number for part in SECTIONS],
        help="run only part N (may be given more than once)",
    )
    parser.add_argument(
        "--outbox-days",
        type=int,
        metavar="DAYS",
        help="part 5: write the outbox rows of this many days (default: 365, a year: 21 "
        "million rows, about 6 GB of disk; 30 is what the bot keeps, and a minute quicker)",
    )
    parser.add_argument(
        "--output",
        type=Path,
        help="where to write the JSON (default: bench/results/latest.json, or "
        "bench/results/quick.json with --quick)",
    )
    parser.add_argument(
        "--workdir",
        type=Path,
        help="keep the bots' configs, databases and logs here (default: a temporary "
        "directory, removed at the end)",
    )
    return parser


async def run_parts(parts: list[Part], sizes: Sizes, workdir: Path) -> list[Section]:
    sections = []
    for index, part in enumerate(parts, start=1):
        print(f"[{index}/{len(parts)}] {part.number}. {part.title} ...", file=sys.stderr)
        section = Section(part.number, part.title)
        began = time.perf_counter()
        try:
            section.figures = await part.run(sizes, workdir / f"part{part.number}")
        except Exception as error:
            traceback.print_exc()
            section.error = f"{type(error).__name__}: {error}".splitlines()[0][:300]
        section.seconds = time.perf_counter() - began
        print(f"      done in {section.seconds:.0f} s", file=sys.stderr)
        sections.append(section)
    return sections


def report(sections: list[Section], sizes: Sizes, quick: bool, **facts: Any) -> dict[str, Any]:
    return {
        "benchmark": "python -m bench" + (" --quick" if quick else ""),
        "quick": quick,
        **facts,
        "machine": describe_machine(),
        "sizes": dataclasses.asdict(sizes),
        "sections": [section.as_json() for section in sections],
    }


async def main_async(args: argparse.Namespace) -> int:
    sizes = QUICK if args.quick else FULL
    if args.outbox_days is not None:
        data = dataclasses.replace(sizes.scale.data, outbox_days=args.outbox_days)
        sizes = dataclasses.replace(sizes, scale=dataclasses.replace(sizes.scale, data=data))
    parts = [part for part in SECTIONS if not args.only or part.number in args.only]
    output = args.output or RESULTS / ("quick.json" if args.quick else "latest.json")
    started = datetime.now(UTC)
    load_before = os.getloadavg()
    began = time.perf_counter()
    if args.workdir is not None:
        args.workdir.mkdir(parents=True, exist_ok=True)
        sections = await run_parts(parts, sizes, args.workdir)
    else:
        with tempfile.TemporaryDirectory(prefix="peercircle-bench-") as folder:
            sections = await run_parts(parts, sizes, Path(folder))
    took = time.perf_counter() - began
    kept = report(
        sections,
        sizes,
        args.quick,
        started=started.isoformat(timespec="seconds"),
        seconds=round(took, 1),
        load_average={"before": load_before, "after": os.getloadavg()},
    )
    output.parent.mkdir(parents=True, exist_ok=True)
    output.write_text(json.dumps(kept, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    machine = kept["machine"]
    print(
        f"PeerCircle benchmarks{' (quick: sizes too small to mean anything)' if args.quick else ''}"
        f" — {machine['cores']} cores, Python {machine['python']},"
        f" python-telegram-bot {machine['libraries']['python-telegram-bot']},"
        f" SQLite {machine['sqlite']}; {took:.0f} s"
    )
    print(render_table(sections))
    print(f"\nwritten to {output}")
    return 1 if any(section.error for section in sections) else 0


def main(argv: list[str] | None = None) -> int:
    return asyncio.run(main_async(_parser().parse_args(argv)))


if __name__ == "__main__":
    raise SystemExit(main())
