"""[telegram.limits] and [discord.limits]: the platforms' documented defaults, checked
values, and problems that name the setting kindly."""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

import pytest

from bot.config import ConfigError, ConfigProblem, Settings, load_settings
from bot.config.limits import DiscordLimits, TelegramLimits
from bot.ratelimit import RateLimits

EXAMPLE = Path(__file__).parents[2] / "config.example.toml"


def _load(tmp_path: Path, text: str, environ: dict[str, str] | None = None) -> Settings:
    path = tmp_path / "config.toml"
    path.write_text(text, encoding="utf-8")
    return load_settings(path, environ=environ or {})


def _problems(tmp_path: Path, text: str, environ: dict[str, str] | None = None) -> list[str]:
    with pytest.raises(ConfigError) as caught:
        _load(tmp_path, text, environ)
    problems: list[ConfigProblem] = caught.value.problems
    return [str(problem) for problem in problems]


def test_the_defaults_are_what_the_platforms_document(tmp_path: Path) -> None:
    settings = _load(tmp_path, "")
    assert settings.telegram.limits.rate_limits() == RateLimits(
        messages_per_second=30,
        per_chat_per_second=1,
        per_chat_burst=3,
        per_group_chat_per_minute=20,
    )
    assert settings.discord.limits.rate_limits() == RateLimits(
        messages_per_second=45, per_chat_per_second=1, per_chat_burst=1
    )
    example = load_settings(EXAMPLE, environ={})
    assert example.telegram.limits == settings.telegram.limits
    assert example.discord.limits == settings.discord.limits


def test_limits_can_be_changed_in_the_file_and_the_environment(tmp_path: Path) -> None:
    text = "[telegram.limits]\nmessages_per_second = 25\nper_group_chat_per_minute = 12.5\n"
    environ = {"PEERCIRCLE_DISCORD__LIMITS__PER_CHAT_PER_SECOND": "0.8"}
    settings = _load(tmp_path, text, environ)
    assert settings.telegram.limits.messages_per_second == 25.0
    assert settings.telegram.limits.per_group_chat_per_minute == 12.5
    assert settings.telegram.limits.per_chat_per_second == 1.0  # unchanged ones stay
    assert settings.discord.limits.per_chat_per_second == 0.8


@pytest.mark.parametrize(
    ("line", "expected"),
    [
        (
            "messages_per_second = 0",
            "telegram.limits.messages_per_second (line 2): must be more than 0 "
            "(Telegram allows about 30 a second, 1000 to paid broadcasts)",
        ),
        (
            "messages_per_second = 3000",
            "telegram.limits.messages_per_second (line 2): must be at most 1000 "
            "(Telegram allows about 30 a second, 1000 to paid broadcasts)",
        ),
        (
            "per_chat_per_second = -1",
            "telegram.limits.per_chat_per_second (line 2): must be more than 0 "
            "(Telegram allows about 1 a second in a chat)",
        ),
        (
            "per_group_chat_per_minute = nan",
            "telegram.limits.per_group_chat_per_minute (line 2): must be more than 0 "
            "(Telegram allows 20 a minute in a group chat)",
        ),
        (
            "per_group_chat_per_minute = inf",
            "telegram.limits.per_group_chat_per_minute (line 2): must be at most 600 "
            "(Telegram allows 20 a minute in a group chat)",
        ),
        (
            "per_chat_burst = 2.5",
            "telegram.limits.per_chat_burst (line 2): must be a whole number",
        ),
        (
            "per_chat_burst = 0",
            "telegram.limits.per_chat_burst (line 2): must be more than 0 "
            "(Telegram tolerates only short bursts in a chat, like 3)",
        ),
        (
            "per_chat_per_second = true",
            "telegram.limits.per_chat_per_second (line 2): must be a number, not true or false",
        ),
        (
            'messages_per_second = "fast"',
            "telegram.limits.messages_per_second (line 2): must be a number",
        ),
        (
            "per_second = 30",
            "telegram.limits.per_second (line 2): unknown setting (check the spelling)",
        ),
    ],
)
def test_telegram_limit_problems(tmp_path: Path, line: str, expected: str) -> None:
    assert _problems(tmp_path, f"[telegram.limits]\n{line}\n") == [expected]


def test_discord_limits_have_discords_ceilings(tmp_path: Path) -> None:
    assert _problems(tmp_path, "[discord.limits]\nmessages_per_second = 60\n") == [
        "discord.limits.messages_per_second (line 2): must be at most 50 "
        "(Discord allows 50 requests a second in all)"
    ]


def test_a_limit_from_the_environment_names_the_variable(tmp_path: Path) -> None:
    environ = {"PEERCIRCLE_TELEGRAM__LIMITS__MESSAGES_PER_SECOND": "-5"}
    assert _problems(tmp_path, "", environ) == [
        "PEERCIRCLE_TELEGRAM__LIMITS__MESSAGES_PER_SECOND: must be more than 0 "
        "(Telegram allows about 30 a second, 1000 to paid broadcasts)"
    ]


def test_the_example_documents_the_defaults(tmp_path: Path) -> None:
    """Uncommenting the example's [telegram.limits] and [discord.limits] changes nothing."""
    text = EXAMPLE.read_text(encoding="utf-8")
    uncommented = re.sub(
        r"^# (\[(?:telegram|discord)\.limits\]"
        r"|(?:messages_per|per_chat|per_group|edit_every)\w* = )",
        r"\1",
        text,
        flags=re.MULTILINE,
    )
    assert uncommented.count("[telegram.limits]\n") == uncommented.count("[discord.limits]\n") == 1
    settings = _load(tmp_path, uncommented)
    defaults = Settings()
    assert settings.telegram.limits == defaults.telegram.limits
    assert settings.discord.limits == defaults.discord.limits
    written = tomllib.loads(uncommented)
    assert set(written["telegram"]["limits"]) == set(TelegramLimits.model_fields)
    assert set(written["discord"]["limits"]) == set(DiscordLimits.model_fields) - {
        "per_group_chat_per_minute"  # Discord has none by default
    }
