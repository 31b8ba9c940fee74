"""Another program holding the database's write lock, as in the storage break test.

A separate ``sqlite3`` connection on the bot's database file runs ``BEGIN IMMEDIATE``
and keeps the transaction open: every write PeerCircle tries meanwhile waits (up to its
busy timeout, 5 s). Commands that touch no storage (``/crisis``, ``/help``) must not.
"""

from __future__ import annotations

import asyncio
import sqlite3
from pathlib import Path
from types import TracebackType

HOLD = 1.0  # seconds: well inside the storage's busy timeout, so the waiting write succeeds
QUICK = 0.2  # seconds: "answers immediately", measured from sending to the delivered answer


class WriteLock:
    def __init__(self, database: Path) -> None:
        self._database = database
        self._connection: sqlite3.Connection | None = None
        self._taken_at = 0.0

    def __enter__(self) -> WriteLock:
        connection = sqlite3.connect(self._database, isolation_level=None, timeout=0)
        connection.execute("BEGIN IMMEDIATE")
        self._connection = connection
        self._taken_at = asyncio.get_running_loop().time()
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.release()

    @property
    def held(self) -> bool:
        return self._connection is not None

    async def release_after(self, seconds: float = HOLD) -> None:
        """Keep the lock until ``seconds`` after it was taken, then let go."""
        left = self._taken_at + seconds - asyncio.get_running_loop().time()
        if left > 0:
            await asyncio.sleep(left)
        self.release()

    def release(self) -> None:
        if self._connection is not None:
            self._connection.execute("ROLLBACK")
            self._connection.close()
            self._connection = None
