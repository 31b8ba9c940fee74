"""``[telegram]`` receiving settings: polling by default; webhook mode needs its public
https address and a secret, the secret only from the environment and never repeated."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.config import ConfigError, ConfigProblem, load_settings, summarize

BASE = """\
organizers = ["console:organizer"]

[[groups]]
slug = "tuesday-recovery"
name = "Tuesday Recovery Circle"
capacity = 12

[groups.schedule]
weekday = "tuesday"
time = "19:00"

[telegram]
enabled = true
"""
TOKEN = {"PEERCIRCLE_TELEGRAM__TOKEN": "7000000001:AAFakeTokenForTests-0123456789abcdefghij"}
SECRET = "Zx9-webhook_secret-0123456789abcdef"
WITH_SECRET = TOKEN | {"PEERCIRCLE_TELEGRAM__WEBHOOK_SECRET": SECRET}
WEBHOOK = 'mode = "webhook"\nwebhook_url = "https://bot.example.org/telegram"\n'


def _write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "config.toml"
    path.write_text(text, encoding="utf-8")
    return path


def _problems(tmp_path: Path, text: str, environ: dict[str, str]) -> list[ConfigProblem]:
    with pytest.raises(ConfigError) as caught:
        load_settings(_write(tmp_path, text), environ=environ)
    return caught.value.problems


def test_polling_is_the_default(tmp_path: Path) -> None:
    telegram = load_settings(_write(tmp_path, BASE), environ=TOKEN).telegram
    assert telegram.mode == "polling"
    assert telegram.drop_pending_updates is False
    assert (telegram.webhook_listen, telegram.webhook_port, telegram.webhook_path) == (
        "127.0.0.1",
        8443,
        "/telegram",
    )


def test_webhook_mode_with_its_address_and_secret(tmp_path: Path) -> None:
    text = BASE + WEBHOOK + 'webhook_listen = "0.0.0.0"\nwebhook_port = 8080\n'
    settings = load_settings(_write(tmp_path, text), environ=WITH_SECRET)
    telegram = settings.telegram
    assert telegram.mode == "webhook"
    assert telegram.webhook_url == "https://bot.example.org/telegram"
    assert telegram.webhook_secret is not None
    assert telegram.webhook_secret.get_secret_value() == SECRET
    assert (telegram.webhook_listen, telegram.webhook_port) == ("0.0.0.0", 8080)
    summary = summarize(settings, lambda group: "weekly")
    assert "webhook at https://bot.example.org/telegram" in summary
    assert SECRET not in summary


def test_every_setting_can_come_from_the_environment(tmp_path: Path) -> None:
    environ = WITH_SECRET | {
        "PEERCIRCLE_TELEGRAM__MODE": "webhook",
        "PEERCIRCLE_TELEGRAM__WEBHOOK_URL": "https://bot.example.org:8443/hook",
        "PEERCIRCLE_TELEGRAM__WEBHOOK_PORT": "9000",
        "PEERCIRCLE_TELEGRAM__DROP_PENDING_UPDATES": "true",
    }
    telegram = load_settings(_write(tmp_path, BASE), environ=environ).telegram
    assert (telegram.mode, telegram.webhook_port, telegram.drop_pending_updates) == (
        "webhook",
        9000,
        True,
    )


def test_webhook_mode_needs_the_address_and_the_secret(tmp_path: Path) -> None:
    [no_url] = _problems(tmp_path, BASE + 'mode = "webhook"\n', WITH_SECRET)
    assert no_url.path == "telegram.webhook_url"
    assert "https:// address Telegram calls" in no_url.message

    [no_secret] = _problems(tmp_path, BASE + WEBHOOK, TOKEN)
    assert no_secret.path == "telegram.webhook_secret"
    assert "set PEERCIRCLE_TELEGRAM__WEBHOOK_SECRET in the environment" in no_secret.message


def test_the_webhook_secret_is_refused_in_the_file_and_never_repeated(tmp_path: Path) -> None:
    in_file = BASE + WEBHOOK + f'webhook_secret = "{SECRET}"\n'
    [problem] = _problems(tmp_path, in_file, WITH_SECRET)
    assert problem.path == "telegram.webhook_secret"
    assert "set PEERCIRCLE_TELEGRAM__WEBHOOK_SECRET in the environment instead" in problem.message
    assert SECRET not in str(problem)

    weak = TOKEN | {"PEERCIRCLE_TELEGRAM__WEBHOOK_SECRET": "short&bad"}
    [too_weak] = _problems(tmp_path, BASE + WEBHOOK, weak)
    assert too_weak.path == "PEERCIRCLE_TELEGRAM__WEBHOOK_SECRET"
    assert "short&bad" not in str(too_weak)


@pytest.mark.parametrize(
    ("line", "wanted"),
    [
        ('webhook_url = "http://bot.example.org/telegram"', "Telegram delivers only over HTTPS"),
        ('webhook_url = "https://bot.example.org:9999/x"', "use one of 443, 80, 88, 8443"),
        ('webhook_listen = "localhost"', "must be an IP address"),
        ('webhook_path = "telegram"', "must start with /"),
        ("webhook_port = 70000", "must be at most 65535"),
        ('mode = "push"', "polling"),
    ],
)
def test_unusable_webhook_settings_are_named(tmp_path: Path, line: str, wanted: str) -> None:
    text = BASE + 'mode = "webhook"\n' + line + "\n"
    if "webhook_url" not in line:
        text += 'webhook_url = "https://bot.example.org/telegram"\n'
    if line.startswith("mode"):
        text = BASE + line + "\n"
    problems = _problems(tmp_path, text, WITH_SECRET)
    assert any(wanted in p.message for p in problems), problems
