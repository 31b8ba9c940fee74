"""Every broken config in the settings tests, through ``peercircle check-config``'s main()."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from bot.cli import main
from tests.core.test_settings import BROKEN, EXAMPLE


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
