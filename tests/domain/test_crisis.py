"""Crisis help: always a human line, for the country, with a fallback that never fails."""

from __future__ import annotations

import tomllib
from importlib import resources

import pytest

from bot.catalog import Catalog
from groups.crisis import HelplineDirectory


@pytest.fixture(scope="module")
def directory() -> HelplineDirectory:
    return HelplineDirectory.load()


def test_a_known_country_gets_its_emergency_number_and_every_line(
    directory: HelplineDirectory,
) -> None:
    text = directory.crisis_text("us", Catalog.load())
    assert "call 911" in text
    assert "988" in text
    assert "741741" in text
    assert "findahelpline.com" in text


def test_an_unknown_country_still_gets_a_way_to_a_person(directory: HelplineDirectory) -> None:
    text = directory.crisis_text("ZZ", Catalog.load())
    assert "local emergency number" in text
    assert "https://findahelpline.com" in text
    pointer = directory.gentle_pointer("ZZ", Catalog.load())
    assert "https://findahelpline.com" in pointer


def test_every_entry_names_its_source_and_when_it_was_recorded() -> None:
    source = resources.files("groups.data").joinpath("helplines.toml")
    data = tomllib.loads(source.read_text(encoding="utf-8"))
    for code, entry in data["countries"].items():
        assert len(code) == 2
        assert code.isupper()
        assert entry["source"]
        assert entry["recorded"]
        assert entry["lines"]
        assert entry["emergency"]
