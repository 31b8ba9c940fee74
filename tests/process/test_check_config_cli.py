"""``peercircle check-config`` as an organizer runs it."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.process.cli import EXAMPLE, ROOT, peercircle


def test_the_example_config_passes_with_a_summary() -> None:
    run = peercircle("check-config", str(EXAMPLE))

    assert run.code == 0, run.err
    for text in ("Tuesday Recovery Circle", "Carers' Circle", "Youth Space", "every Tuesday"):
        assert text in run.out


BROKEN = {
    "capacity": ("capacity = 12", "capacity = 0", "groups[0].capacity"),
    "weekday": ('weekday = "tuesday"', 'weekday = "tuesdy"', "groups[0].schedule.weekday"),
    "unknown_key": ("capacity = 12", "capasity = 12", "groups[0].capasity"),
    "timezone": ('timezone = "Europe/London"', 'timezone = "Mars/Olympus"', "bot.timezone"),
}


@pytest.mark.parametrize(("old", "new", "path"), BROKEN.values(), ids=BROKEN.keys())
def test_a_broken_config_exits_1_naming_the_field(
    tmp_path: Path, old: str, new: str, path: str
) -> None:
    text = EXAMPLE.read_text(encoding="utf-8")
    assert old in text
    broken = tmp_path / "broken.toml"
    broken.write_text(text.replace(old, new, 1), encoding="utf-8")

    run = peercircle("check-config", str(broken))

    assert run.code == 1
    assert path in run.err
    assert "(line " in run.err
    assert "Traceback" not in run.err


def test_a_bad_environment_variable_is_named_without_its_value() -> None:
    secret = "sk_live_4eC39HqLyjWDarjtT1zdp7dc"
    run = peercircle("check-config", str(EXAMPLE), env={"PEERCIRCLE_BOT__LANGUAGE": secret})

    assert run.code == 1
    assert "PEERCIRCLE_BOT__LANGUAGE: is not available yet" in run.err
    assert secret not in run.out + run.err
    assert "Traceback" not in run.err


def test_a_missing_file_exits_1(tmp_path: Path) -> None:
    run = peercircle("check-config", str(tmp_path / "nope.toml"))
    assert run.code == 1
    assert "nope.toml" in run.err


def test_a_reader_that_stops_early_causes_no_traceback() -> None:
    command = f"{sys.executable} -m bot check-config {EXAMPLE} | true"
    done = subprocess.run(
        ["bash", "-c", command],
        capture_output=True,
        text=True,
        cwd=ROOT,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
        timeout=60,
        check=False,
    )
    assert "Traceback" not in done.stderr
    assert "BrokenPipeError" not in done.stderr


def test_the_summary_shows_each_groups_next_three_meetings() -> None:
    run = peercircle("check-config", str(EXAMPLE))

    assert run.code == 0, run.err
    upcoming = [line.strip() for line in run.out.splitlines() if "Next:" in line]
    assert len(upcoming) == 3
    for line in upcoming:
        assert line.startswith("Next: ")
        assert line.endswith(" (Europe/London)")
        assert line.count(", ") == 2  # three meetings
