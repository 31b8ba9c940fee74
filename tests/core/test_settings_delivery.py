"""Config for the outbox and for groups that change slug or leave the config."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.config import ConfigError, ConfigProblem, load_settings
from tests.core.test_settings import BASE, SECOND_GROUP


def _write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "config.toml"
    path.write_text(text, encoding="utf-8")
    return path


def _problems(tmp_path: Path, text: str) -> list[ConfigProblem]:
    with pytest.raises(ConfigError) as caught:
        load_settings(_write(tmp_path, text), environ={})
    return caught.value.problems


def _other_group(name: str) -> str:
    return SECOND_GROUP.replace('"tuesday-recovery"', '"monday-group"').replace(
        '"Another"', f'"{name}"'
    )


def test_defaults_when_nothing_is_said(tmp_path: Path) -> None:
    settings = load_settings(_write(tmp_path, BASE), environ={})
    assert (settings.delivery.slots, settings.delivery.lease_seconds) == (4, 60)
    assert settings.delivery.max_attempts == 12
    assert settings.storage.forget_retired_groups_after_days == 90
    assert settings.groups[0].previously == []


def test_delivery_and_retention_can_be_set(tmp_path: Path) -> None:
    text = BASE + "\n[delivery]\nslots = 8\nlease_seconds = 5\n"
    text = text.replace("[bot]", "[storage]\nforget_retired_groups_after_days = 30\n\n[bot]")
    settings = load_settings(_write(tmp_path, text), environ={})
    assert (settings.delivery.slots, settings.delivery.lease_seconds) == (8, 5)
    assert settings.storage.forget_retired_groups_after_days == 30


@pytest.mark.parametrize(
    ("extra", "path"),
    [
        ("\n[delivery]\nslots = 0\n", "delivery.slots"),
        ("\n[delivery]\nlease_seconds = 1\n", "delivery.lease_seconds"),
        ("\n[delivery]\nsloths = 2\n", "delivery.sloths"),
    ],
)
def test_bad_delivery_settings_are_named(tmp_path: Path, extra: str, path: str) -> None:
    assert [p.path for p in _problems(tmp_path, BASE + extra)] == [path]


def test_earlier_slugs_are_checked(tmp_path: Path) -> None:
    own = BASE.replace("capacity = 12", 'capacity = 12\npreviously = ["tuesday-recovery"]')
    [mine] = _problems(tmp_path, own)
    assert mine.path == "groups[0].previously"
    assert "this group's slug now" in mine.message

    taken = BASE.replace("capacity = 12", 'capacity = 12\npreviously = ["monday-group"]')
    [clash] = _problems(tmp_path, taken + _other_group("Monday Group"))
    assert clash.path == "groups[0].previously[0]"
    assert "slug of a group in this file" in clash.message

    twice = BASE.replace("capacity = 12", 'capacity = 12\npreviously = ["old-one"]')
    other = _other_group("Monday Group").replace(
        "capacity = 5", 'capacity = 5\npreviously = ["old-one"]'
    )
    [double] = _problems(tmp_path, twice + other)
    assert double.path == "groups[1].previously[0]"
    assert "also listed by groups[0]" in double.message


def test_a_config_error_is_raised_not_a_crash(tmp_path: Path) -> None:
    bad = BASE.replace("capacity = 12", 'capacity = 12\npreviously = ["Not A Slug"]')
    with pytest.raises(ConfigError):
        load_settings(_write(tmp_path, bad), environ={})
