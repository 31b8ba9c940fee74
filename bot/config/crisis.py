"""``[crisis]``: an organizer's own crisis helplines, over the packaged directory.

``[[crisis.helplines]]`` rows for a country replace the packaged rows of that country (or
add a country); ``[[crisis.countries]]`` sets a country's emergency number, its name and
more names people may type for it. Every row names its source and EITHER the day someone
checked it against that source (``verified``) OR the day it was written down without
checking (``recorded``). The config only checks the values; the domain merges them.
"""

from __future__ import annotations

import re
from datetime import date
from urllib.parse import urlsplit

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from bot.config.fields import config_error

__all__ = ["CrisisCountry", "CrisisSection", "HelplineRow", "check_country_code"]

_COUNTRY = re.compile(r"[A-Z]{2}")
_COUNTRY_PROBLEM = "use a two-letter country code (ISO 3166), like GB or IE"


def check_country_code(value: object) -> object:
    """``" ie "`` -> ``"IE"``; anything not two letters is refused (non-text is left to
    the field's type check)."""
    if isinstance(value, str):
        upper = value.strip().upper()
        if not _COUNTRY.fullmatch(upper):
            raise ValueError(_COUNTRY_PROBLEM)
        return upper
    return value


class _Entry(BaseModel):
    model_config = ConfigDict(extra="forbid")

    @field_validator("country", "code", mode="before", check_fields=False)
    @classmethod
    def _country(cls, value: object) -> object:
        return check_country_code(value)


class HelplineRow(_Entry):
    """One way to reach a person: a phone line, a text line or a chat, or several."""

    country: str
    service: str = Field(min_length=1, max_length=100)
    phone: str = Field(default="", max_length=60)
    text: str = Field(default="", max_length=80)
    chat: str = Field(default="", max_length=120)
    hours: str = Field(default="", max_length=100)
    languages: list[str] = Field(default_factory=list, max_length=20)
    source: str = Field(max_length=500)
    verified: date | None = None
    recorded: date | None = None

    @field_validator("service", "phone", "text", "chat", "hours")
    @classmethod
    def _one_line(cls, value: str) -> str:
        if "\n" in value or "\r" in value:
            raise ValueError("must fit on one line")
        return value.strip()

    @field_validator("languages")
    @classmethod
    def _languages(cls, value: list[str]) -> list[str]:
        cleaned = [language.strip() for language in value]
        if any(not language or len(language) > 40 for language in cleaned):
            raise ValueError('list each language as a short name, like ["English", "Irish"]')
        return cleaned

    @field_validator("source")
    @classmethod
    def _source(cls, value: str) -> str:
        parts = urlsplit(value.strip())
        if parts.scheme not in ("https", "http") or not parts.hostname:
            raise ValueError(
                "must be the web address where the number can be checked, written in "
                "full, like https://www.samaritans.org"
            )
        return value.strip()

    @model_validator(mode="after")
    def _reachable_and_dated(self) -> HelplineRow:
        if not (self.phone or self.text or self.chat):
            raise config_error(
                "needs a way to reach a person: set phone, text or chat", sub_loc=("phone",)
            )
        if (self.verified is None) == (self.recorded is None):
            raise config_error(
                "set exactly one of verified = <date> (you checked the number against its "
                "source that day) or recorded = <date> (written down, not checked)",
                sub_loc=("verified",),
            )
        return self


class CrisisCountry(_Entry):
    """A country's emergency number and names; only what is set changes."""

    code: str
    name: str = Field(default="", max_length=80)
    names: list[str] = Field(default_factory=list, max_length=30)
    emergency: str = Field(default="", max_length=60)

    @field_validator("names")
    @classmethod
    def _names(cls, value: list[str]) -> list[str]:
        cleaned = [name.strip() for name in value]
        if any(not name or len(name) > 80 for name in cleaned):
            raise ValueError('list each name in quotes, like ["Ireland", "Éire"]')
        return cleaned


class CrisisSection(BaseModel):
    """``[crisis]``: countries and helplines over the packaged directory."""

    model_config = ConfigDict(extra="forbid")

    countries: list[CrisisCountry] = Field(default_factory=list, max_length=300)
    helplines: list[HelplineRow] = Field(default_factory=list, max_length=1000)

    @field_validator("countries")
    @classmethod
    def _each_country_once(cls, value: list[CrisisCountry]) -> list[CrisisCountry]:
        seen: dict[str, int] = {}
        for index, country in enumerate(value):
            if country.code in seen:
                reason = f"is also set by countries[{seen[country.code]}]; set each country once"
                raise config_error(
                    f"{country.code} {reason}", unquoted=reason, sub_loc=(index, "code")
                )
            seen[country.code] = index
        return value
