"""The storage seam: what repositories may ask of a database.

SQL lives only in repository modules. It uses named parameters (``:name``), which SQLite
understands as-is and the PostgreSQL implementation will rewrite to ``$1, $2, ...``.
Keep this protocol narrow: every method here must be implementable with asyncpg.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from contextlib import AbstractAsyncContextManager
from dataclasses import dataclass
from typing import Any, Protocol

Params = Mapping[str, Any]
Row = Mapping[str, Any]


class Executor(Protocol):
    """Runs statements, either on their own (autocommit) or inside a transaction."""

    async def execute(self, sql: str, params: Params | None = None) -> int:
        """Run one statement; return the number of rows it changed."""
        ...

    async def fetch_all(self, sql: str, params: Params | None = None) -> list[Row]:
        """Run a query; return every row as a read-only mapping of column name to value."""
        ...

    async def fetch_one(self, sql: str, params: Params | None = None) -> Row | None:
        """Run a query; return its first row, or None when it has none."""
        ...


class Database(Executor, Protocol):
    """A connection to the bot's database, opened by ``connect`` and closed by ``close``."""

    async def connect(self) -> None:
        """Open the database (creating the file if needed) and apply pending migrations."""
        ...

    async def close(self) -> None: ...

    def transaction(self) -> AbstractAsyncContextManager[Executor]:
        """A write transaction: commits on normal exit, rolls back on an exception.

        Only one transaction runs at a time per process; statements issued through the
        database object itself while a transaction is open wait for it to finish.
        """
        ...

    async def schema_version(self) -> int:
        """The highest migration version applied to this database (0 for a new one)."""
        ...


@dataclass(frozen=True, slots=True)
class Migration:
    """One numbered, described schema change, applied once and recorded in the database."""

    version: int
    description: str
    sql: str


class StorageError(Exception):
    """The database cannot be used as it is (message is safe to show an operator)."""


class SchemaTooNewError(StorageError):
    """The database was written by a newer PeerCircle than this one."""

    def __init__(self, database_version: int, known_version: int) -> None:
        super().__init__(
            f"This database uses schema version {database_version}, but this PeerCircle "
            f"only knows versions up to {known_version}. It was probably written by a newer "
            "release: upgrade PeerCircle, or point storage.url at another database. "
            "Nothing was changed."
        )
        self.database_version = database_version
        self.known_version = known_version


__all__: Sequence[str] = (
    "Database",
    "Executor",
    "Migration",
    "Params",
    "Row",
    "SchemaTooNewError",
    "StorageError",
)
