"""``[logging]`` and ``[http]``: their defaults, and what they refuse."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.config import ConfigError, load_settings

KEY = "calendar-secret-for-tests-0123456789abcdef"


def _config(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "peercircle.toml"
    path.write_text(text, encoding="utf-8")
    return path


def test_the_defaults_log_text_and_serve_no_http(tmp_path: Path) -> None:
    settings = load_settings(_config(tmp_path, ""), environ={})

    assert (settings.logging.format, settings.logging.level) == ("text", None)
    assert (settings.http.enabled, settings.http.listen, settings.http.port) == (
        False,
        "127.0.0.1",
        8080,
    )
    assert settings.http.calendar_key is None


def test_the_calendar_key_comes_from_the_environment(tmp_path: Path) -> None:
    config = _config(tmp_path, '[http]\nenabled = true\nport = 0\n[logging]\nformat = "json"\n')

    settings = load_settings(config, environ={"PEERCIRCLE_HTTP__CALENDAR_KEY": KEY})

    assert settings.http.calendar_key is not None
    assert settings.http.calendar_key.get_secret_value() == KEY
    assert settings.logging.format == "json"


@pytest.mark.parametrize(
    ("text", "environ", "named"),
    [
        (f'[http]\ncalendar_key = "{KEY}"\n', {}, "secrets do not belong in the config file"),
        ("", {"PEERCIRCLE_HTTP__CALENDAR_KEY": "short"}, "at least 32 characters"),
        ('[http]\nlisten = "localhost"\n', {}, "must be an IP address"),
        ("[http]\nport = 70000\n", {}, "http.port"),
        ('[http]\npublic_url = "ftp://bot.example.org"\n', {}, "must be a web address"),
        ('[http]\npublic_url = "https://bot.example.org/?a=1"\n', {}, "must not contain ?"),
        ('[logging]\nformat = "xml"\n', {}, "logging.format"),
        ('[logging]\nlevel = "loud"\n', {}, "logging.level"),
    ],
)
def test_what_is_refused(tmp_path: Path, text: str, environ: dict[str, str], named: str) -> None:
    with pytest.raises(ConfigError) as refused:
        load_settings(_config(tmp_path, text), environ=environ)

    assert named in str(refused.value)
    assert "short" not in str(refused.value)
