"""``python -m bench --quick``: every part of the benchmark still runs, end to end, with
tiny sizes (the figures mean nothing then; the benchmark is never a pass criterion).
Its table and its JSON are checked, so it cannot rot."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from bench.report import Figure, Goal, Section, measured, not_yet, render_table
from bench.stats import Summary, percentile

ROOT = Path(__file__).parents[2]


def _bench(*args: str, timeout: float = 150) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "bench", *args],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=timeout,
        env={"PYTHONPATH": str(ROOT), "PATH": "/usr/bin:/bin", "LC_ALL": "C.UTF-8"},
        check=False,
    )


def test_help_names_every_part() -> None:
    done = _bench("--help", timeout=30)
    assert done.returncode == 0, done.stderr
    assert "--quick" in done.stdout
    parts = ("1. Command overhead, Telegram", "2. Command overhead, Discord", "3. Button clicks")
    for part in (*parts, "4. Fan-out", "5. Scale", "6. Scheduler"):
        assert part in " ".join(done.stdout.split())


@pytest.mark.timeout(160)
def test_a_quick_run_measures_every_part(tmp_path: Path) -> None:
    output = tmp_path / "quick.json"
    done = _bench("--quick", "--output", str(output), "--workdir", str(tmp_path / "work"))

    assert done.returncode == 0, done.stdout + done.stderr[-3000:]
    kept = json.loads(output.read_text(encoding="utf-8"))
    assert kept["quick"] is True
    assert kept["machine"]["cores"] >= 1
    assert kept["machine"]["libraries"]["python-telegram-bot"]
    sections = {section["number"]: section for section in kept["sections"]}
    assert sorted(sections) == ["1", "2", "3", "4", "5", "6"]
    assert not [section["error"] for section in sections.values() if "error" in section]
    for number in ("1", "2", "3", "4", "5", "6"):
        figures = sections[number]["figures"]
        assert figures, number
        assert all(figure["median"] is not None for figure in figures), number
    for number in ("1", "2"):
        ratio = next(f for f in sections[number]["figures"] if "ratio" in f["name"])
        assert ratio["goal"] == {"direction": "at least", "target": 0.9}
    clicks = {f["name"]: f for f in sections["3"]["figures"]}
    assert clicks["click latency p99, PeerCircle"]["goal"]["target"] == 500
    assert clicks["clicks with no answer within 3 s, PeerCircle"]["median"] == 0
    assert clicks["click throughput, PeerCircle ÷ bare"]["goal"]["target"] == 0.8
    assert clicks["429s received, PeerCircle"]["median"] is not None
    fan_out = {f["name"]: f for f in sections["4"]["figures"]}
    assert fan_out["429s received"]["goal"]["target"] == 0
    assert "throughput ratio, PeerCircle ÷ bare" in done.stdout
    assert "interactions/s, bare discord.py" in done.stdout
    assert "not yet" not in done.stdout


def test_percentiles_interpolate_and_summaries_keep_the_spread() -> None:
    values = [float(n) for n in range(1, 101)]
    assert percentile(values, 50) == pytest.approx(50.5)
    assert percentile(values, 99) == pytest.approx(99.01)
    assert percentile([3.0], 99) == 3.0
    summary = Summary.of([3.0, 1.0, 2.0])
    assert (summary.median, summary.low, summary.high, summary.count) == (2.0, 1.0, 3.0, 3)
    with pytest.raises(ValueError, match="no"):
        Summary.of([])


def test_the_table_shows_each_goal_and_whether_it_is_met() -> None:
    figures: list[Figure] = [
        measured("1", "ratio", [0.8, 0.95, 0.9], goal=Goal("at least", 0.9)),
        measured("1", "p99", [12.0], "ms", Goal("at most", 10.0)),
        not_yet("2", "clicks", "needs the Discord adapter", Goal("at most", 500, "ms")),
    ]
    table = render_table([Section("1", "Part one", figures)])
    ratio, p99, clicks = table.splitlines()[3:6]
    assert "0.900" in ratio
    assert "0.800–0.950 (3)" in ratio
    assert "≥ 0.900" in ratio
    assert ratio.split()[-1] == "ok"
    assert "12 ms" in p99
    assert "≤ 10" in p99
    assert "MISSED" in p99
    assert "—" in clicks
    assert "≤ 500 ms" in clicks
    assert "not yet: needs the Discord adapter" in clicks
    assert figures[2].as_json()["median"] is None
