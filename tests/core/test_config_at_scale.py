"""Reading a large config quickly without checking less: the settings are validated
once, a name is checked for control characters without a scan when it is plain, and a
plain https link without urlsplit; each shortcut answers as the full check would."""

from __future__ import annotations

import unicodedata
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from hypothesis import given
from hypothesis import strategies as st
from pydantic import ValidationError

from bot.config import ScheduleConfig, Settings
from bot.config.names import group_identity_findings
from bot.text import has_control_characters

BIDI = "\u061c\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069"


def scanned(text: str, *, line_breaks: bool) -> bool:
    """The full check, character by character."""
    return any(
        (unicodedata.category(char) in ("Cc", "Cs") and not (line_breaks and char == "\n"))
        or char in BIDI
        for char in text
    )


@given(st.text(), st.booleans())
def test_a_plain_text_shortcut_answers_as_the_scan_does(text: str, line_breaks: bool) -> None:
    assert has_control_characters(text, line_breaks=line_breaks) == scanned(
        text, line_breaks=line_breaks
    )


def _accepted(link: str) -> bool:
    try:
        ScheduleConfig.model_validate({"weekday": "tuesday", "time": "19:00", "link": link})
    except ValidationError:
        return False
    return True


def _by_urlsplit(link: str) -> bool:
    parts = urlsplit(link.strip())
    return (
        parts.scheme == "https"
        and bool(parts.hostname)
        and not any(c.isspace() for c in link.strip())
    )


@pytest.mark.parametrize(
    "link",
    [
        "https://meet.example.org/tuesday",
        "https://meet.example.org:8443/x?y=1#z",
        "https://user@meet.example.org/x",
        "https://",
        "https:///path",
        "https://a b",
        "https://a/\u00a0b",
        "http://meet.example.org/x",
        "ftp://meet.example.org/x",
    ],
)
def test_a_plain_https_link_shortcut_answers_as_urlsplit_does(link: str) -> None:
    assert _accepted(link) is _by_urlsplit(link)


def test_the_settings_are_validated_once(monkeypatch: pytest.MonkeyPatch) -> None:
    calls = []

    def counted(groups: object) -> object:
        calls.append(groups)
        return group_identity_findings(groups)

    monkeypatch.setattr("bot.config.settings.group_identity_findings", counted)
    group = {
        "slug": "circle",
        "name": "Circle",
        "capacity": 5,
        "schedule": {"weekday": "monday", "time": "19:00"},
    }
    settings = Settings.from_values({"groups": [group]}, config_dir=Path("."))
    assert [g.slug for g in settings.groups] == ["circle"]
    assert len(calls) == 1  # model_validate on a BaseSettings would run it twice
