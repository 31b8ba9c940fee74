"""Crisis help: always a human line, for the country, with a fallback that never fails;
and the packaged table says where every row came from and whether anyone checked it."""

from __future__ import annotations

import re
import tomllib
from datetime import date
from importlib import resources

import pytest

from bot.catalog import Catalog
from groups.country_names import normalise
from groups.crisis import HelplineDirectory
from groups.helplines import load_packaged

# The starter countries of shared/reference/helplines.md.
STARTER_COUNTRIES: tuple[str, ...] = ("US", "CA", "GB", "IE", "AU", "NZ", "FR", "DE", "NL")
STARTER_COUNTRIES += ("ES", "IN", "JP", "KR", "BR", "MX", "ZA", "SG")
WEB_ADDRESS = re.compile(r"https?://[^\s/]+\.[^\s]+")


@pytest.fixture(scope="module")
def directory() -> HelplineDirectory:
    return HelplineDirectory.load()


@pytest.fixture(scope="module")
def catalog() -> Catalog:
    return Catalog.load()


def test_a_known_country_gets_its_emergency_number_and_every_line(
    directory: HelplineDirectory, catalog: Catalog
) -> None:
    text = directory.crisis_text("us", catalog)
    assert "call 911 now" in text
    assert "988 Suicide & Crisis Lifeline: call 988, text 988, chat at 988lifeline.org" in text
    assert "Crisis Text Line: text HOME to 741741" in text
    assert "(24 hours, every day; English, Spanish)" in text
    assert "https://findahelpline.com" in text


def test_an_unknown_country_still_gets_a_way_to_a_person(
    directory: HelplineDirectory, catalog: Catalog
) -> None:
    text = directory.crisis_text("ZZ", catalog)
    assert "local emergency number" in text
    assert "https://findahelpline.com" in text
    assert "I don't have lines for “ZZ” yet" in text
    pointer = directory.gentle_pointer("ZZ", catalog)
    assert "https://findahelpline.com" in pointer


def test_the_welcome_pointer_names_the_first_line(
    directory: HelplineDirectory, catalog: Catalog
) -> None:
    pointer = directory.gentle_pointer("GB", catalog)
    assert "Samaritans: call 116 123" in pointer


@pytest.mark.parametrize(
    ("typed", "code"),
    [
        ("united states", "US"),
        ("America", "US"),
        ("ESPAÑA", "ES"),
        ("espana", "ES"),
        ("uk", "GB"),
        ("U.K.", "GB"),
        ("  great   britain ", "GB"),
        ("Deutschland", "DE"),
        ("brasil", "BR"),
        ("méxico", "MX"),
        ("MEXICO", "MX"),
        ("nederland", "NL"),
        ("The Netherlands", "NL"),
        ("Éire", "IE"),
        ("eire", "IE"),
        ("日本", "JP"),
        ("south korea", "KR"),
        ("in", "IN"),
        ("De", "DE"),
    ],
)
def test_a_country_is_found_by_code_or_name_in_any_case_and_accents(
    directory: HelplineDirectory, typed: str, code: str
) -> None:
    found = directory.find(typed)
    assert found is not None
    assert found.code == code


@pytest.mark.parametrize("typed", ["Atlantis", "PE", "", "   ", "please help", "zz"])
def test_what_names_no_listed_country_finds_nothing(
    directory: HelplineDirectory, typed: str
) -> None:
    assert directory.find(typed) is None


def test_normalising_drops_accents_case_dots_and_spaces() -> None:
    assert normalise("  ÉIRE ") == "eire"
    assert normalise("U.K.") == "uk"
    assert normalise("the  Netherlands") == "netherlands"
    assert normalise("Côte d'Ivoire") == "cote divoire"


def test_an_unrecognised_country_gets_the_directory_and_the_usual_lines(
    directory: HelplineDirectory, catalog: Catalog
) -> None:
    text = directory.crisis_text_for("Atlantis", "GB", catalog)
    assert "I don't have lines for “Atlantis” yet" in text
    assert "local emergency number" in text
    assert "https://findahelpline.com" in text
    assert "If you're in the United Kingdom" in text
    assert "Samaritans: call 116 123" in text
    assert "call 999" in text


def test_the_unrecognised_text_is_quoted_back_short_and_clean(
    directory: HelplineDirectory, catalog: Catalog
) -> None:
    text = directory.crisis_text_for("\x1b[31mred\x1b[0m " + "x" * 300, "ZZ", catalog)
    assert "\x1b" not in text
    assert "x" * 60 not in text
    assert "https://findahelpline.com" in text


# ---------------------------------------------------------------------------
# The packaged data
# ---------------------------------------------------------------------------


def _raw() -> dict[str, dict[str, object]]:
    source = resources.files("groups.data").joinpath("helplines.toml")
    data = tomllib.loads(source.read_text(encoding="utf-8"))
    countries: dict[str, dict[str, object]] = data["countries"]
    return countries


def test_the_starter_countries_are_all_listed() -> None:
    assert set(STARTER_COUNTRIES) <= set(_raw())
    assert load_packaged().fallback_url == "https://findahelpline.com"


def test_every_packaged_row_names_its_source_and_a_verified_or_recorded_date() -> None:
    rows = [row for country in load_packaged().countries.values() for row in country.helplines]
    assert len(rows) >= len(STARTER_COUNTRIES)
    for row in rows:
        assert WEB_ADDRESS.fullmatch(row.source), (row.country, row.service)
        dates = [when for when in (row.verified, row.recorded) if when is not None]
        assert len(dates) == 1, (row.country, row.service)
        assert isinstance(dates[0], date)
        assert dates[0] <= date.today()
        assert row.service.strip()
        assert row.phone.strip() or row.text.strip(), (row.country, row.service)


def test_every_country_has_an_emergency_number_a_name_and_a_phone_line() -> None:
    for code, country in load_packaged().countries.items():
        assert re.fullmatch(r"[A-Z]{2}", code)
        assert country.emergency.strip()
        assert country.name.strip()
        assert country.names
        assert any(row.phone.strip() for row in country.helplines), code


def test_the_raw_file_uses_only_known_fields() -> None:
    row_fields = {"service", "phone", "text", "chat", "hours", "languages", "source"}
    for code, entry in _raw().items():
        assert set(entry) <= {"name", "names", "emergency", "helplines"}, code
        rows = entry["helplines"]
        assert isinstance(rows, list)
        for row in rows:
            assert set(row) - row_fields in ({"verified"}, {"recorded"}), (code, row)


def test_no_name_points_at_two_countries() -> None:
    owners: dict[str, str] = {}
    for code, country in load_packaged().countries.items():
        for name in (country.name, *country.names):
            key = normalise(name)
            assert owners.setdefault(key, code) == code, (name, owners[key], code)
