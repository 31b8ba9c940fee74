"""A stand-in for a database that could not be opened at start (the degraded mode).

The bot is built around a ``StandInDatabase`` exactly as around a real one, so no
feature knows the difference: every statement raises ``StorageNotOpen`` of the kind that
kept the database from opening, and the dispatcher answers that member feature with a
plain "unavailable right now" (``/crisis`` and ``/help`` answer from memory, as always).
Once the database can be opened after all, ``take_over`` hands the stand-in the real one
and from then on every statement goes to it.
"""

from __future__ import annotations

from contextlib import AbstractAsyncContextManager
from types import TracebackType

from bot.storage.database import (
    Database,
    Executor,
    Params,
    Row,
    StorageError,
    StorageKind,
    StorageNotOpen,
)


class StandInDatabase:
    """A ``Database`` standing in for one that could not be opened because of ``problem``."""

    def __init__(self, problem: StorageError) -> None:
        self.problem = problem
        self._real: Database | None = None

    @property
    def degraded(self) -> bool:
        """True until a real database took over."""
        return self._real is None

    def take_over(self, database: Database) -> None:
        """From now on, every statement goes to ``database`` (connected by the caller)."""
        if self._real is not None:
            raise RuntimeError("A database already took over from this stand-in.")
        self._real = database

    def _now(self) -> Database:
        if self._real is None:
            raise StorageNotOpen(self.problem.kind)
        return self._real

    async def connect(self) -> None:
        await self._now().connect()

    async def close(self) -> None:
        if self._real is not None:
            await self._real.close()

    async def execute(self, sql: str, params: Params | None = None) -> int:
        return await self._now().execute(sql, params)

    async def fetch_all(self, sql: str, params: Params | None = None) -> list[Row]:
        return await self._now().fetch_all(sql, params)

    async def fetch_one(self, sql: str, params: Params | None = None) -> Row | None:
        return await self._now().fetch_one(sql, params)

    async def schema_version(self) -> int:
        return await self._now().schema_version()

    def transaction(self, *, quick: bool = False) -> AbstractAsyncContextManager[Executor]:
        if self._real is None:
            return _Refused(self.problem.kind)
        return self._real.transaction(quick=quick)


class _Refused(AbstractAsyncContextManager[Executor]):
    """A transaction that cannot begin: entering it raises ``StorageNotOpen``."""

    def __init__(self, kind: StorageKind) -> None:
        self._kind = kind

    async def __aenter__(self) -> Executor:
        raise StorageNotOpen(self._kind)

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        return None


__all__ = ["StandInDatabase"]
