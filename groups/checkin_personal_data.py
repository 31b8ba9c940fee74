"""Check-ins in a member's data export and erasure.

Answers carry no person, so they cannot be exported or found for anyone, with one
exception: during an open week, the member's keyed codes (their marker and their answer's
replace tag) still exist. The export lists the open weeks they checked in for (the
export's own statement explains the rest); erasure deletes those codes and that week's
answer. After a week closes nothing is left to find.
"""

from __future__ import annotations

from bot.events import Actor
from bot.storage.database import Executor
from groups.checkin_keys import CheckinKeys
from groups.checkin_store import CheckinStore, MarkerStore


class CheckinPersonalData:
    section = "checkins"

    def __init__(self, keys: CheckinKeys | None) -> None:
        self._keys = keys
        self._store = CheckinStore()
        self._markers = MarkerStore()

    async def export(self, db: Executor, actor: Actor) -> object:
        open_weeks: list[dict[str, str]] = []
        if self._keys is not None:
            for slug, period in await self._store.unreleased(db):
                marker = self._keys.marker(actor, slug, period)
                if marker in await self._markers.present(db, slug, period):
                    open_weeks.append({"group": slug, "week_opened_on": period})
        return open_weeks

    async def erase(self, tx: Executor, actor: Actor) -> int:
        if self._keys is None:
            return 0
        removed = 0
        for slug, period in await self._store.unreleased(tx):
            marker = self._keys.marker(actor, slug, period)
            removed += await self._markers.remove(tx, slug, period, marker)
            tag = self._keys.replace_tag(actor, slug, period)
            removed += await self._store.erase_answer(tx, tag)
        return removed
