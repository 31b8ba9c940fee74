"""Every broken config in the settings tests, through ``peercircle check-config``'s main()."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from bot.cli import main
from tests.core.test_settings import BROKEN, EXAMPLE
from tests.core.test_settings_schedule import MISTAKES


@pytest.fixture(autouse=True)
def _no_peercircle_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in os.environ:
        if name.startswith("PEERCIRCLE_"):
            monkeypatch.delenv(name)


@pytest.mark.parametrize(
    ("text", "path", "line"), [case[1:] for case in BROKEN], ids=[case[0] for case in BROKEN]
)
def test_check_config_exits_1_naming_the_field(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], text: str, path: str, line: int | None
) -> None:
    config = tmp_path / "peercircle.toml"
    config.write_text(text, encoding="utf-8")

    code = main(["check-config", str(config)])

    err = capsys.readouterr().err
    assert code == 1
    assert f"  - {path}" in err
    if line is not None:
        assert f"{path} (line {line})" in err
    assert "Traceback" not in err


@pytest.mark.parametrize(
    ("text", "setting", "line"),
    [case[1:4] for case in MISTAKES],
    ids=[case[0] for case in MISTAKES],
)
def test_check_config_names_each_schedule_mistake(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], text: str, setting: str, line: int
) -> None:
    config = tmp_path / "peercircle.toml"
    config.write_text(text, encoding="utf-8")

    code = main(["check-config", str(config)])

    err = capsys.readouterr().err
    assert code == 1
    assert f"  - groups[0].schedule.{setting} (line {line}): " in err
    assert "Traceback" not in err


def test_a_bad_environment_variable_is_named_and_its_value_never_shown(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    secret = "sk_live_4eC39HqLyjWDarjtT1zdp7dc"
    monkeypatch.setenv("PEERCIRCLE_BOT__TIMEZONE", secret)
    monkeypatch.setenv("PEERCIRCLE_CHECKINS__MIN_RESPONDENTS", secret)

    code = main(["check-config", str(EXAMPLE)])

    captured = capsys.readouterr()
    assert code == 1
    assert "  - PEERCIRCLE_BOT__TIMEZONE: is not a time zone I recognise" in captured.err
    assert "  - PEERCIRCLE_CHECKINS__MIN_RESPONDENTS: must be a whole number" in captured.err
    assert "(line" not in captured.err
    assert secret not in captured.out + captured.err


def test_there_are_at_least_ten_broken_configs() -> None:
    assert len(BROKEN) >= 10


FUTURE = """\
[bot]
timezone = "Europe/London"

[[groups]]
slug = "tuesday-circle"
name = "Tuesday Circle"
capacity = 8

[groups.schedule]
weekday = "tuesday"
time = "19:00"
starts = 2030-03-26

[[groups]]
slug = "first-mondays"
name = "First Mondays"
capacity = 8
timezone = "Australia/Sydney"

[groups.schedule]
rrule = "FREQ=MONTHLY;BYDAY=1MO"
time = "10:00"
starts = 2030-04-01

[[groups]]
slug = "ended"
name = "Ended"
capacity = 8

[groups.schedule]
weekday = "tuesday"
time = "19:00"
until = 2025-01-07
"""


def test_check_config_shows_each_groups_next_three_meetings(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    config = tmp_path / "peercircle.toml"
    config.write_text(FUTURE, encoding="utf-8")

    code = main(["check-config", str(config)])

    out = capsys.readouterr().out
    assert code == 0
    assert [
        line.strip() for line in out.splitlines() if line.strip().startswith(("Meets", "Next"))
    ] == [
        "Meets: every Tuesday, 19:00–20:30 (Europe/London)",
        "Next: Tue 26 Mar 19:00, Tue 2 Apr 19:00, Tue 9 Apr 19:00 (Europe/London)",
        "Meets: the first Monday of each month, 10:00–11:30 (Australia/Sydney)",
        "Next: Mon 1 Apr 10:00, Mon 6 May 10:00, Mon 3 Jun 10:00 (Australia/Sydney)",
        "Meets: every Tuesday, 19:00–20:30 (Europe/London), until 2025-01-07",
        "Next: none: the schedule has no meetings after today",
    ]
