"""Config for meetings shown as server events: ``[events]``."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.config import ConfigError, ConfigProblem, load_settings
from tests.core.test_settings import BASE


def _write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "config.toml"
    path.write_text(text, encoding="utf-8")
    return path


def _problems(tmp_path: Path, text: str) -> list[ConfigProblem]:
    with pytest.raises(ConfigError) as caught:
        load_settings(_write(tmp_path, text), environ={})
    return caught.value.problems


def test_the_next_four_meetings_with_a_neutral_name_by_default(tmp_path: Path) -> None:
    events = load_settings(_write(tmp_path, BASE), environ={}).events
    assert events.horizon == 4
    assert events.name is None  # the catalog's neutral name
    assert events.names == {}
    assert events.show_place


def test_events_can_be_set_in_the_file_and_the_environment(tmp_path: Path) -> None:
    text = BASE + '\n[events]\nname = "  Meeting "\nshow_place = false\n'
    text += '[events.names]\ntuesday-recovery = "Tuesday meetup"\n'
    environ = {"PEERCIRCLE_EVENTS__HORIZON": "0"}
    events = load_settings(_write(tmp_path, text), environ=environ).events
    assert (events.horizon, events.name, events.show_place) == (0, "Meeting", False)
    assert events.names == {"tuesday-recovery": "Tuesday meetup"}


@pytest.mark.parametrize(
    ("extra", "path"),
    [
        ("horizon = -1", "events.horizon"),
        ("horizon = 26", "events.horizon"),
        ('name = ""', "events.name"),
        (f'name = "{"x" * 101}"', "events.name"),
        ('name = "two\\nlines"', "events.name"),
        ('names = { "Not A Slug" = "Meeting" }', "events.names"),
        ('names = { tuesday-recovery = " " }', "events.names"),
        ("horizn = 3", "events.horizn"),
    ],
)
def test_bad_event_settings_are_named(tmp_path: Path, extra: str, path: str) -> None:
    assert [p.path for p in _problems(tmp_path, BASE + f"\n[events]\n{extra}\n")] == [path]
