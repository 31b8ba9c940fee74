"""``[crisis]`` in the config: every field checked with a clear message (exit 1), and
``peercircle check-config`` warning (exit 0) about every helpline, packaged or
configured, that nobody verified in the last 180 days; the start-up log counts them."""

from __future__ import annotations

import logging
import os
from datetime import date
from pathlib import Path

import pytest

from bot.cli import main
from groups.config_check import check_config
from groups.crisis import HelplineDirectory
from tests.harness import Harness, write_config

TODAY = date(2026, 11, 27)

ROWS = """
[[crisis.helplines]]
country = "GB"
service = "Fresh Line"
phone = "555 0101"
source = "https://example.org/fresh"
verified = 2026-11-20

[[crisis.helplines]]
country = "GB"
service = "Old Line"
phone = "555 0102"
source = "https://example.org/old"
verified = 2026-03-01

[[crisis.helplines]]
country = "IS"
service = "Written Down Line"
text = "555 0103"
source = "https://example.org/written"
recorded = 2026-11-27
"""

ROW = """
[[crisis.helplines]]
country = "GB"
service = "A Line"
phone = "555 0100"
source = "https://example.org/a"
verified = 2026-11-20
"""


@pytest.fixture(autouse=True)
def _no_peercircle_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in os.environ:
        if name.startswith("PEERCIRCLE_"):
            monkeypatch.delenv(name)


def config_with(tmp_path: Path, extra: str) -> Path:
    path = write_config(tmp_path)
    path.write_text(path.read_text(encoding="utf-8") + extra, encoding="utf-8")
    return path


def warnings_in(out: str) -> list[str]:
    return [line.strip() for line in out.splitlines() if line.strip().startswith("- warning:")]


def test_check_config_warns_about_old_and_unverified_rows_and_still_passes(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code = check_config(config_with(tmp_path, ROWS), today=TODAY)

    out = capsys.readouterr().out
    warned = warnings_in(out)
    assert code == 0
    assert "- warning: GB Old Line: last verified 2026-03-01" in warned
    assert "- warning: IS Written Down Line: never verified (recorded 2026-11-27)" in warned
    assert not any("Fresh Line" in line for line in warned)
    # Packaged rows count too: GB's are replaced here, but Germany's were never verified.
    assert "- warning: DE TelefonSeelsorge: never verified (recorded 2026-11-27)" in warned
    assert not any("GB Samaritans" in line for line in warned)
    packaged = HelplineDirectory.load()
    assert not any(row.country == "GB" for row in packaged.stale(TODAY))  # both verified
    stale = len(packaged.stale(TODAY)) + 2  # plus Old Line and Written Down Line
    total = packaged.row_count() - 2 + 3  # GB's two rows replaced by two, IS's one added
    assert f"Warning: {stale} of {total} crisis helplines" in out
    assert len(warned) == stale


def test_a_row_verified_today_is_fresh_and_one_past_180_days_is_not(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    config = config_with(tmp_path, ROW)

    check_config(config, today=date(2027, 5, 19))  # 180 days after 2026-11-20
    at_180 = warnings_in(capsys.readouterr().out)
    check_config(config, today=date(2027, 5, 20))  # 181 days
    at_181 = warnings_in(capsys.readouterr().out)

    assert not any("GB A Line" in line for line in at_180)
    assert "- warning: GB A Line: last verified 2026-11-20" in at_181


def test_packaged_rows_verified_on_2026_11_27_go_stale_after_180_days(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    config = write_config(tmp_path)
    assert check_config(config, today=TODAY) == 0
    fresh = warnings_in(capsys.readouterr().out)
    assert check_config(config, today=date(2027, 6, 1)) == 0
    later = warnings_in(capsys.readouterr().out)

    assert not any("GB Samaritans" in line for line in fresh)
    assert "- warning: GB Samaritans: last verified 2026-11-27" in later
    assert len(later) == HelplineDirectory.load().row_count()


def test_the_command_line_check_config_warns_too(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code = main(["check-config", str(config_with(tmp_path, ROWS))])
    out = capsys.readouterr().out
    assert code == 0
    assert "- warning: IS Written Down Line: never verified" in out


BROKEN = [
    ("bad-country", 'country = "GB"', 'country = "Britain"', "crisis.helplines[0].country"),
    ("no-source", 'source = "https://example.org/a"\n', "", "crisis.helplines[0].source"),
    ("bad-source", "https://example.org/a", "example.org/a", "crisis.helplines[0].source"),
    ("no-way", 'phone = "555 0100"\n', "", "crisis.helplines[0].phone"),
    (
        "both-dates",
        "verified = 2026-11-20",
        "verified = 2026-11-20\nrecorded = 2026-11-20",
        "crisis.helplines[0].verified",
    ),
    ("no-date", "verified = 2026-11-20\n", "", "crisis.helplines[0].verified"),
    ("bad-date", "verified = 2026-11-20", 'verified = "last week"', "crisis.helplines[0].verified"),
    ("no-service", 'service = "A Line"\n', "", "crisis.helplines[0].service"),
    (
        "unknown-field",
        'service = "A Line"',
        'service = "A Line"\nfax = "1"',
        "crisis.helplines[0].fax",
    ),
    ("two-lines", 'phone = "555 0100"', 'phone = """555\n0100"""', "crisis.helplines[0].phone"),
]


@pytest.mark.parametrize(
    ("old", "new", "path"), [case[1:] for case in BROKEN], ids=[case[0] for case in BROKEN]
)
def test_a_bad_crisis_row_exits_1_naming_the_field(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], old: str, new: str, path: str
) -> None:
    assert old in ROW
    config = config_with(tmp_path, ROW.replace(old, new, 1))

    code = main(["check-config", str(config)])

    err = capsys.readouterr().err
    assert code == 1
    assert f"  - {path}" in err
    assert "Traceback" not in err


@pytest.mark.parametrize(
    ("extra", "path", "reason"),
    [
        ('[[crisis.countries]]\ncode = "Iceland"\n', "crisis.countries[0].code", "two-letter"),
        (
            '[[crisis.countries]]\ncode = "IS"\n[[crisis.countries]]\ncode = "is"\n',
            "crisis.countries[1].code",
            "also set by countries[0]",
        ),
        ('[[crisis.countries]]\ncode = "IS"\nnames = [""]\n', "crisis.countries[0].names", ""),
        ("[crisis]\nstale = 1\n", "crisis.stale", "unknown setting"),
    ],
)
def test_a_bad_crisis_country_exits_1_naming_the_field(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], extra: str, path: str, reason: str
) -> None:
    code = main(["check-config", str(config_with(tmp_path, "\n" + extra))])

    err = capsys.readouterr().err
    assert code == 1
    assert f"  - {path}" in err
    assert reason in err


def test_a_groups_country_is_checked_like_the_bots(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = write_config(tmp_path)
    text = path.read_text(encoding="utf-8")
    path.write_text(text.replace('slug = "circle"\n', 'slug = "circle"\ncountry = "Eire"\n'))

    code = main(["check-config", str(path)])

    err = capsys.readouterr().err
    assert code == 1
    assert "  - groups[0].country (line" in err
    assert "two-letter country code" in err


async def test_the_start_log_counts_the_unverified_rows_once(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO, logger="bot.app")
    harness = await Harness.open(config_with(tmp_path, ROWS))
    await harness.close()

    counted = [r.getMessage() for r in caplog.records if "crisis helplines:" in r.getMessage()]
    assert len(counted) == 1
    assert "rows not verified in the last 180 days" in counted[0]
    assert "(peercircle check-config lists them)" in counted[0]
