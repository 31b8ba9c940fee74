"""Crisis help that never depends on the database or a platform call.

The directory is read once at start-up from a packaged file; looking up a country is a
dictionary access. Which country is the caller's business: /crisis passes the member's
own (/settings) when a short read finds it, else the bot's. The full safety net (keyword
detection, organizer overrides, staleness checks) arrives with its own issue.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from importlib import resources

from bot.catalog import Catalog


@dataclass(frozen=True, slots=True)
class Helplines:
    country: str
    emergency: str
    lines: tuple[str, ...]


class HelplineDirectory:
    def __init__(self, entries: dict[str, Helplines], fallback_url: str) -> None:
        self._entries = entries
        self.fallback_url = fallback_url

    @classmethod
    def load(cls) -> HelplineDirectory:
        source = resources.files("groups.data").joinpath("helplines.toml")
        with source.open("rb") as handle:
            data = tomllib.load(handle)
        entries = {
            code: Helplines(code, entry["emergency"], tuple(entry["lines"]))
            for code, entry in data["countries"].items()
        }
        return cls(entries, data["fallback_url"])

    def for_country(self, country: str) -> Helplines | None:
        return self._entries.get(country.upper())

    def crisis_text(self, country: str, catalog: Catalog) -> str:
        """Warm, short, always with a human line or the directory to find one."""
        found = self.for_country(country)
        if found is None:
            return catalog.text("crisis.unknown_country", url=self.fallback_url)
        lines = "\n".join(f"• {line}" for line in found.lines)
        return catalog.text(
            "crisis.known_country", lines=lines, emergency=found.emergency, url=self.fallback_url
        )

    def gentle_pointer(self, country: str, catalog: Catalog) -> str:
        """One calm line for welcomes: the country's first helpline, or the directory."""
        found = self.for_country(country)
        line = found.lines[0] if found is not None else self.fallback_url
        return catalog.text("crisis.pointer", line=line)
