"""The crisis helplines as data: countries, their rows, where each row came from and when
it was last checked.

The packaged table (``groups/data/helplines.toml``) is read once at start-up; an
organizer's ``[crisis]`` config is laid over it (:func:`with_config`): a country's rows
in the config replace its packaged rows, new countries are added, and a country's
emergency number and names may be set. :func:`stale_rows` lists the rows nobody has
verified lately, for ``peercircle check-config`` and the start-up log.
"""

from __future__ import annotations

import tomllib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, replace
from datetime import date, timedelta
from importlib import resources
from typing import Any

from bot.config.crisis import CrisisCountry, CrisisSection, HelplineRow

STALE_AFTER_DAYS = 180  # a row not verified within this many days is worth re-checking
PACKAGED = "helplines.toml"


@dataclass(frozen=True, slots=True)
class Helpline:
    """One way to reach a person in ``country``. ``verified``: the day someone confirmed
    it against ``source``; ``recorded``: the day it was written down without checking."""

    country: str
    service: str
    source: str
    phone: str = ""
    text: str = ""
    chat: str = ""
    hours: str = ""
    languages: tuple[str, ...] = ()
    verified: date | None = None
    recorded: date | None = None

    def is_stale(self, today: date, max_age_days: int = STALE_AFTER_DAYS) -> bool:
        """Never verified, or verified more than ``max_age_days`` before ``today``."""
        return self.verified is None or today - self.verified > timedelta(days=max_age_days)


@dataclass(frozen=True, slots=True)
class Country:
    """A country's emergency number, its display name (``name``, as in "in {name}"),
    the names people may type for it and its helplines, all shown together."""

    code: str
    name: str
    emergency: str
    names: tuple[str, ...] = ()
    helplines: tuple[Helpline, ...] = ()

    @property
    def country(self) -> str:
        """The ISO code (the name the old ``Helplines`` value used)."""
        return self.code


@dataclass(frozen=True, slots=True)
class HelplineTable:
    countries: Mapping[str, Country]
    fallback_url: str


def load_packaged(package: str = "groups.data", filename: str = PACKAGED) -> HelplineTable:
    """The table shipped with PeerCircle. A malformed file is a programming error (the
    data tests read it), so it raises."""
    with resources.files(package).joinpath(filename).open("rb") as handle:
        data = tomllib.load(handle)
    countries = {
        code.upper(): _country(code.upper(), entry) for code, entry in data["countries"].items()
    }
    return HelplineTable(countries, str(data["fallback_url"]))


def _country(code: str, entry: Mapping[str, Any]) -> Country:
    return Country(
        code=code,
        name=str(entry.get("name") or code),
        emergency=str(entry["emergency"]),
        names=tuple(str(name) for name in entry.get("names", ())),
        helplines=tuple(_helpline(code, row) for row in entry.get("helplines", ())),
    )


def _helpline(code: str, row: Mapping[str, Any]) -> Helpline:
    return Helpline(
        country=code,
        service=str(row["service"]),
        source=str(row["source"]),
        phone=str(row.get("phone", "")),
        text=str(row.get("text", "")),
        chat=str(row.get("chat", "")),
        hours=str(row.get("hours", "")),
        languages=tuple(str(language) for language in row.get("languages", ())),
        verified=row.get("verified"),
        recorded=row.get("recorded"),
    )


def with_config(table: HelplineTable, config: CrisisSection) -> HelplineTable:
    """``table`` with the organizer's ``[crisis]`` laid over it."""
    countries = dict(table.countries)
    for setting in config.countries:
        countries[setting.code] = _configured(countries.get(setting.code), setting)
    rows: dict[str, list[Helpline]] = {}
    for row in config.helplines:
        rows.setdefault(row.country, []).append(_configured_row(row))
    for code, replacement in rows.items():
        found = countries.get(code) or Country(code, code, "")
        countries[code] = replace(found, helplines=tuple(replacement))
    return HelplineTable(countries, table.fallback_url)


def _configured(found: Country | None, setting: CrisisCountry) -> Country:
    base = found or Country(setting.code, setting.code, "")
    return replace(
        base,
        name=setting.name or base.name,
        emergency=setting.emergency or base.emergency,
        names=base.names + tuple(setting.names),
    )


def _configured_row(row: HelplineRow) -> Helpline:
    return Helpline(
        country=row.country,
        service=row.service,
        source=row.source,
        phone=row.phone,
        text=row.text,
        chat=row.chat,
        hours=row.hours,
        languages=tuple(row.languages),
        verified=row.verified,
        recorded=row.recorded,
    )


def all_rows(countries: Iterable[Country]) -> list[Helpline]:
    return [row for country in countries for row in country.helplines]


def stale_rows(
    countries: Iterable[Country], today: date, max_age_days: int = STALE_AFTER_DAYS
) -> list[Helpline]:
    """Every row not verified in the ``max_age_days`` before ``today`` (never verified
    counts), by country code then service."""
    stale = [row for row in all_rows(countries) if row.is_stale(today, max_age_days)]
    return sorted(stale, key=lambda row: (row.country, row.service))


STALE_WARNING = (
    "Warning: {count} of {total} crisis helplines have not been verified in the last "
    "{days} days. Check each against the service's own site, then set "
    "verified = <that day> on its row ([[crisis.helplines]] in the config replaces a "
    "country's packaged rows):"
)


def staleness_warning(
    countries: Iterable[Country], today: date, max_age_days: int = STALE_AFTER_DAYS
) -> str | None:
    """For ``peercircle check-config``: every row not verified lately, one a line (None
    when all are fresh). Plain text for an organizer's terminal, not a member's chat."""
    countries = list(countries)
    stale = stale_rows(countries, today, max_age_days)
    if not stale:
        return None
    total = len(all_rows(countries))
    head = STALE_WARNING.format(count=len(stale), total=total, days=max_age_days)
    return "\n".join([head, *(f"  - warning: {describe_staleness(row)}" for row in stale)])


def describe_staleness(row: Helpline) -> str:
    """``GB Shout: never verified (recorded 2026-11-27)`` — for organizers' terminals."""
    if row.verified is None:
        when = f"recorded {row.recorded}" if row.recorded else "no date"
        return f"{row.country} {row.service}: never verified ({when})"
    return f"{row.country} {row.service}: last verified {row.verified}"
