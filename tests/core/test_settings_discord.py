"""[discord]: the settings the Discord adapter runs with, from the file or the
environment (``PEERCIRCLE_DISCORD__<KEY>``), checked with problems that name them."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.config import ConfigError, ConfigProblem, Settings, load_settings
from bot.config.discord import DEFAULT_API_BASE_URL, DEFAULT_GATEWAY_URL

SERVER = 123456789012345678
TOKEN = "MTIz.fake.token"


def _load(tmp_path: Path, text: str, environ: dict[str, str] | None = None) -> Settings:
    path = tmp_path / "config.toml"
    path.write_text(text, encoding="utf-8")
    return load_settings(path, environ=environ or {})


def _problems(tmp_path: Path, text: str, environ: dict[str, str] | None = None) -> list[str]:
    with pytest.raises(ConfigError) as caught:
        _load(tmp_path, text, environ)
    problems: list[ConfigProblem] = caught.value.problems
    return [str(problem) for problem in problems]


def test_the_defaults(tmp_path: Path) -> None:
    discord = _load(tmp_path, "").discord
    assert not discord.enabled
    assert discord.guild_ids == []
    assert discord.facilitator_roles == ["Facilitator"]
    assert (discord.api_base_url, discord.gateway_url) == (
        DEFAULT_API_BASE_URL,
        DEFAULT_GATEWAY_URL,
    )
    assert (discord.shard_ids, discord.shard_count, discord.sharded) == (None, None, False)


def test_every_setting_comes_from_the_file_or_the_environment(tmp_path: Path) -> None:
    text = (
        f"[discord]\nenabled = true\nguild_ids = [{SERVER}]\n"
        f'facilitator_roles = ["Hosts", {SERVER + 1}]\n'
    )
    environ = {
        "PEERCIRCLE_DISCORD__TOKEN": TOKEN,
        "PEERCIRCLE_DISCORD__API_BASE_URL": "http://127.0.0.1:8080/api/v10",
        "PEERCIRCLE_DISCORD__GATEWAY_URL": "ws://127.0.0.1:8080/gateway",
        "PEERCIRCLE_DISCORD__SHARD_IDS": "[0, 2]",
        "PEERCIRCLE_DISCORD__SHARD_COUNT": "4",
        "PEERCIRCLE_DISCORD__GUILD_IDS": f"[{SERVER}, {SERVER + 7}]",
    }
    discord = _load(tmp_path, text, environ).discord
    assert discord.token is not None
    assert discord.token.get_secret_value() == TOKEN
    assert discord.guild_ids == [SERVER, SERVER + 7]  # the environment wins
    assert discord.facilitator_roles == ["Hosts", str(SERVER + 1)]
    assert discord.api_base_url == "http://127.0.0.1:8080/api/v10"
    assert discord.gateway_url == "ws://127.0.0.1:8080/gateway"
    assert (discord.shard_ids, discord.shard_count, discord.sharded) == ([0, 2], 4, True)


@pytest.mark.parametrize(
    ("text", "wanted"),
    [
        ("guild_ids = [12345]", "discord.guild_ids"),
        (f"guild_ids = [{SERVER}, {SERVER}]", "lists a server twice"),
        ('facilitator_roles = [""]', "discord.facilitator_roles"),
        ('api_base_url = "discord.com/api"', "must be a full https:// address"),
        ('gateway_url = "https://gateway.discord.gg"', "must be a full wss:// address"),
        ("shard_ids = [0, 1]", "needs shard_count"),
        ("shard_ids = [0, 2]\nshard_count = 2", "must each be below shard_count"),
        ("shard_count = 0", "discord.shard_count"),
        ("application_id = 1", "discord.application_id"),
    ],
)
def test_problems_name_the_setting(tmp_path: Path, text: str, wanted: str) -> None:
    problems = _problems(tmp_path, f"[discord]\n{text}\n")
    assert any(wanted in problem for problem in problems), problems


def test_enabled_without_a_token_names_the_variable(tmp_path: Path) -> None:
    [problem] = _problems(tmp_path, "[discord]\nenabled = true\n")
    assert "PEERCIRCLE_DISCORD__TOKEN" in problem


def test_a_token_in_the_file_is_refused(tmp_path: Path) -> None:
    problems = _problems(tmp_path, f'[discord]\ntoken = "{TOKEN}"\n')
    assert problems
    assert all(TOKEN not in problem for problem in problems)
