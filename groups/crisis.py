"""Crisis help that never depends on the database or a platform call.

The directory is built once at start-up (the packaged table, plus the organizer's
``[crisis]`` config); looking up a country is a dictionary access. Which country is the
caller's business (``groups.crisis_commands``): the one named after /crisis, else the
member's own (/settings), the group's whose chat it is, or the bot's.

Every answer has a human line or the worldwide directory to find one, and the emergency
number; all of a country's lines are shown together.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

from bot.catalog import Catalog
from bot.config.crisis import CrisisSection
from bot.text import quote_back
from groups.country_names import CountryNames
from groups.helplines import (
    STALE_AFTER_DAYS,
    Country,
    Helpline,
    HelplineTable,
    load_packaged,
    stale_rows,
    with_config,
)

QUOTE_LIMIT = 40

# The old name of a country's entry, for callers written before rows had details.
Helplines = Country


class HelplineDirectory:
    def __init__(self, entries: dict[str, Country], fallback_url: str) -> None:
        self._entries = {code.upper(): country for code, country in entries.items()}
        self.fallback_url = fallback_url
        self._names = CountryNames(
            {code: (country.name, *country.names) for code, country in self._entries.items()}
        )

    @classmethod
    def load(cls, *, crisis: CrisisSection | None = None) -> HelplineDirectory:
        """The packaged table, with the organizer's ``[crisis]`` over it if given."""
        table: HelplineTable = load_packaged()
        if crisis is not None:
            table = with_config(table, crisis)
        return cls(dict(table.countries), table.fallback_url)

    def countries(self) -> tuple[Country, ...]:
        return tuple(self._entries[code] for code in sorted(self._entries))

    def for_country(self, country: str) -> Country | None:
        """The country with this ISO code, if it has at least one helpline."""
        found = self._entries.get(country.strip().upper())
        return found if found is not None and found.helplines else None

    def find(self, typed: str) -> Country | None:
        """The country ``typed`` names (a code or a name, any case or accents)."""
        code = self._names.find(typed)
        return None if code is None else self.for_country(code)

    def stale(self, today: date, max_age_days: int = STALE_AFTER_DAYS) -> list[Helpline]:
        return stale_rows(self._entries.values(), today, max_age_days)

    def row_count(self) -> int:
        return sum(len(country.helplines) for country in self._entries.values())

    def crisis_text(self, country: str, catalog: Catalog) -> str:
        """Warm, short, always with a human line or the directory to find one.
        ``country`` is an ISO code."""
        found = self.for_country(country)
        if found is None:
            given = quote_back(country, QUOTE_LIMIT)
            return catalog.text("crisis.unknown_country", given=given, url=self.fallback_url)
        return self._known(found, catalog)

    def crisis_text_for(self, typed: str, usual: str, catalog: Catalog) -> str:
        """For ``/crisis <typed>``: that country's lines; if ``typed`` names no country
        listed here, the way to find one, then (in case it was not a country at all) the
        lines of ``usual``, the country the person would otherwise get."""
        found = self.find(typed)
        if found is not None:
            return self._known(found, catalog)
        given = quote_back(typed, QUOTE_LIMIT)
        unknown = catalog.text("crisis.unknown_country", given=given, url=self.fallback_url)
        home = self.for_country(usual)
        if home is None:
            return unknown
        also = catalog.text(
            "crisis.if_you_are_in",
            country=home.name,
            lines=self._lines(home.helplines, catalog),
            emergency=self._emergency(home, catalog),
        )
        return f"{unknown}\n\n{also}"

    def gentle_pointer(self, country: str, catalog: Catalog) -> str:
        """One calm line for welcomes: the country's first helpline, or the directory."""
        found = self.for_country(country)
        if found is None:
            return catalog.text("crisis.pointer", line=self.fallback_url)
        return catalog.text("crisis.pointer", line=_short_line(found.helplines[0], catalog))

    def _known(self, country: Country, catalog: Catalog) -> str:
        return catalog.text(
            "crisis.known_country",
            country=country.name,
            lines=self._lines(country.helplines, catalog),
            emergency=self._emergency(country, catalog),
            url=self.fallback_url,
        )

    def _lines(self, rows: Sequence[Helpline], catalog: Catalog) -> str:
        return "\n".join(_line(row, catalog) for row in rows)

    def _emergency(self, country: Country, catalog: Catalog) -> str:
        return country.emergency or catalog.text("crisis.local_emergency")


def _short_line(row: Helpline, catalog: Catalog) -> str:
    """``Samaritans: call 116 123``."""
    ways = []
    if row.phone:
        ways.append(catalog.text("crisis.call", phone=row.phone))
    if row.text:
        ways.append(catalog.text("crisis.text", text=row.text))
    if row.chat:
        ways.append(catalog.text("crisis.chat", chat=row.chat))
    return catalog.text("crisis.short_line", service=row.service, ways=", ".join(ways))


def _line(row: Helpline, catalog: Catalog) -> str:
    """``• Samaritans: call 116 123 (24 hours, every day; English)``."""
    details = [part for part in (row.hours, ", ".join(row.languages)) if part]
    line = _short_line(row, catalog)
    if not details:
        return catalog.text("crisis.line", line=line)
    return catalog.text("crisis.line_with_details", line=line, details="; ".join(details))
