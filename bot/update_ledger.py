"""Updates a platform delivered, remembered across processes: Telegram sends an update
again when it got no answer in time, and behind a load balancer the repeat may reach
another process. The first process to record an ``update_id`` handles it; the others
drop it."""

from __future__ import annotations

from datetime import timedelta
from typing import Protocol

from bot.clock import Clock
from bot.instants import to_epoch_ms
from bot.storage.database import Database

KEPT_FOR = timedelta(days=1)  # Telegram keeps an undelivered update at most 24 hours
PURGE_EVERY = 500  # records between deletions of old ids


class UpdateLedger(Protocol):
    async def first_time(self, platform: str, update_id: int) -> bool:
        """True for the first report of ``update_id``; False for a repeat. May raise
        ``StorageUnavailable``: callers fall back to what they remember themselves."""
        ...


class SqlUpdateLedger:
    """``UpdateLedger`` in the bot's database (shared by every process using it)."""

    def __init__(self, database: Database, clock: Clock) -> None:
        self._db = database
        self._clock = clock
        self._recorded = 0

    async def first_time(self, platform: str, update_id: int) -> bool:
        now = self._clock.now()
        async with self._db.transaction(quick=True) as tx:
            added = await tx.execute(
                "INSERT INTO platform_updates (platform, update_id, seen_at)"
                " VALUES (:platform, :update_id, :now)"
                " ON CONFLICT (platform, update_id) DO NOTHING",
                {"platform": platform, "update_id": update_id, "now": to_epoch_ms(now)},
            )
        self._recorded += 1
        if self._recorded % PURGE_EVERY == 0:
            # A statement of its own, not part of the quick transaction: after a long
            # stop it may delete a day's ids, which SQLite then runs off the event loop.
            await self._db.execute(
                "DELETE FROM platform_updates WHERE seen_at < :before",
                {"before": to_epoch_ms(now - KEPT_FOR)},
            )
        return added == 1
