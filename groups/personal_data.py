"""A member's rights over their data (GDPR Art. 15, 17 and 20): see all of it, take it
away as a file, have it erased.

Every store that keeps something linked to a member implements ``PersonalData`` (like
Red-DiscordBot's ``red_delete_data_for_user`` on each cog): it exports what it holds
about them as plain JSON values, and erases it inside the caller's transaction.
``DataRights`` runs them all: an export gathers every section; an erasure runs every
store in one transaction, so it happens completely or not at all.

A new table that refers to members needs a ``PersonalData`` added where the app builds
``DataRights`` (``bot/app.py``); the test that dumps every table after ``/forgetme``
finds one that was forgotten.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Protocol

from bot.clock import Clock
from bot.events import Actor
from bot.storage.database import Database, Executor

logger = logging.getLogger(__name__)


class PersonalData(Protocol):
    section: str  # its key in the export, e.g. "memberships"

    async def export(self, db: Executor, actor: Actor) -> object:
        """What this store holds about ``actor``, as JSON values (lists, dicts, str,
        int, float, bool, None; instants as ISO-8601 UTC strings, see ``iso``)."""
        ...

    async def erase(self, tx: Executor, actor: Actor) -> int:
        """Inside the caller's ``tx``: remove all of it; how many rows were removed."""
        ...


def iso(instant: datetime) -> str:
    """An instant for an export: ISO-8601 in UTC, to the second (``2026-11-26T09:00:00Z``)."""
    return instant.astimezone(UTC).isoformat(timespec="seconds").replace("+00:00", "Z")


def iso_or_none(instant: datetime | None) -> str | None:
    return None if instant is None else iso(instant)


@dataclass(frozen=True, slots=True)
class Export:
    """Everything stored about one member, by section, and when it was gathered."""

    generated_at: datetime
    sections: Mapping[str, object]


@dataclass(frozen=True, slots=True)
class Erasure:
    """How many rows each store removed."""

    removed: Mapping[str, int]

    @property
    def total(self) -> int:
        return sum(self.removed.values())


class DataRights:
    """Exports and erases through every ``PersonalData`` store, in the order given.

    Order matters for erasure: a store whose erasing causes changes (leaving a group
    passes the seat on, with a notice) comes before the stores those changes touch, and
    the ``members`` row comes last (the other tables refer to it)."""

    def __init__(self, db: Database, clock: Clock, stores: Sequence[PersonalData]) -> None:
        sections = [store.section for store in stores]
        if len(set(sections)) != len(sections):
            raise ValueError(f"two personal-data stores share a section: {sections}")
        self._db = db
        self._clock = clock
        self._stores = tuple(stores)

    @property
    def sections(self) -> tuple[str, ...]:
        return tuple(store.section for store in self._stores)

    async def export(self, actor: Actor) -> Export:
        """Every section about ``actor``. Read from committed data, store by store."""
        generated_at = self._clock.now()
        sections = {store.section: await store.export(self._db, actor) for store in self._stores}
        return Export(generated_at, sections)

    async def erase(self, actor: Actor) -> Erasure:
        """Erase ``actor`` from every store in ONE transaction: all of it, or (when
        storage fails part-way: ``StorageUnavailable`` propagates) none of it. The log
        line counts rows and names nobody."""
        removed: dict[str, int] = {}
        async with self._db.transaction() as tx:
            for store in self._stores:
                removed[store.section] = await store.erase(tx, actor)
        erasure = Erasure(removed)
        logger.info(
            "data rights: erased a member's data on their request, %d row(s) (%s)",
            erasure.total,
            ", ".join(f"{section} {count}" for section, count in removed.items()),
        )
        return erasure
