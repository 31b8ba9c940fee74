"""The storage seam: what repositories may ask of a database.

SQL lives only in repository modules, one text for SQLite and PostgreSQL alike. It uses
named parameters (``:name``), which SQLite understands as-is and the PostgreSQL
implementation rewrites to ``$1, $2, ...``. A SELECT that claims rows for a worker may
end in ``FOR UPDATE SKIP LOCKED``: PostgreSQL locks the rows (several workers claim
different ones), SQLite drops the clause (its transactions hold the whole file's lock).
Keep it portable: ``COALESCE`` not ``IFNULL``, ``CAST(x AS BIGINT)``, no ``INSERT OR ...``;
a SUM or an AVG reads back as int or float on both engines. Keep this protocol narrow:
every method here must be implementable with asyncpg.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from contextlib import AbstractAsyncContextManager
from dataclasses import dataclass
from enum import Enum
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

    def transaction(self, *, quick: bool = False) -> AbstractAsyncContextManager[Executor]:
        """A write transaction: commits on normal exit, rolls back on an exception.

        ``quick``: the caller promises a few keyed statements and nothing awaited in
        between but the executor (a command's change, not a batch); SQLite then runs
        it on the event loop's thread when it need not wait (``bot.storage.sqlite_inline``).
        Other engines ignore it.

        Transactions may run concurrently (a PostgreSQL pool hands each its own
        connection); each is isolated from the others, and callers must not rely on any
        process-level serialization: correctness comes from the transaction alone. Inside
        one, use the executor it yields, never the database object. Reads through the
        database object outside a transaction see committed data only.

        Raises ``StorageUnavailable`` when the database cannot take the change (locked,
        read-only, full, damaged, deleted); nothing from the transaction is kept then.
        """
        ...

    async def schema_version(self) -> int:
        """The highest migration version applied to this database (0 for a new one)."""
        ...


@dataclass(frozen=True, slots=True)
class Migration:
    """One numbered, described schema change, applied once and recorded in the database.

    ``sql`` is for every engine, unless ``variants`` holds the SQL one engine needs
    instead (``(("postgres", "..."),)``, from a ``NNNN_words.postgres.sql`` file)."""

    version: int
    description: str
    sql: str
    variants: tuple[tuple[str, str], ...] = ()

    def sql_for(self, dialect: str) -> str:
        """The SQL for ``dialect`` ("sqlite", "postgres"): its variant, or the shared one."""
        return next((sql for name, sql in self.variants if name == dialect), self.sql)


class StorageKind(Enum):
    """Why the database could not do what was asked: what an operator should look at."""

    BUSY = "busy"
    READ_ONLY = "read-only"
    FULL = "full"
    CORRUPT = "corrupt"
    IO = "io"
    GONE = "gone"
    UNREACHABLE = "unreachable"
    TOO_NEW = "too-new"
    OTHER = "other"


_EXPLANATIONS = {
    StorageKind.BUSY: "another connection held the database's write lock for longer than "
    "storage.busy_timeout_ms (is a second PeerCircle or a backup tool using the file?)",
    StorageKind.READ_ONLY: "the database file or its folder cannot be written",
    StorageKind.FULL: "the disk, or the database's size limit, is full",
    StorageKind.CORRUPT: "the database file is damaged; restore it from a backup",
    StorageKind.IO: "the operating system reported an input/output error",
    StorageKind.GONE: "the database file was deleted or replaced while PeerCircle was "
    "running; restart PeerCircle once the right file is in place",
    StorageKind.UNREACHABLE: "the database server could not be reached, or it dropped the "
    "connection (is PostgreSQL running, and are the host and port in storage.url right?)",
    StorageKind.TOO_NEW: "the database was written by a newer PeerCircle release; upgrade "
    "PeerCircle, or point storage.url at another database",
    StorageKind.OTHER: "the database reported an unexpected error",
}


class StorageError(Exception):
    """The database cannot be used as it is (message is safe to show an operator).
    ``kind`` says what an operator should look at (``OTHER`` when nothing more is known)."""

    def __init__(self, message: str, kind: StorageKind = StorageKind.OTHER) -> None:
        super().__init__(message)
        self.kind = kind


class StorageUnavailable(Exception):
    """The database could not take (or answer) a statement right now; the change was not
    saved. Programming errors (a broken constraint, bad SQL) are never turned into this.

    The message is safe for an operator's log: the kind, what it means, and at most the
    database's own error name (``SQLITE_BUSY``); never SQL text or its parameters.
    """

    def __init__(self, kind: StorageKind, code_name: str = "") -> None:
        self.kind = kind
        self.code_name = code_name
        text = f"storage unavailable ({kind.value}): {_EXPLANATIONS[kind]}"
        super().__init__(f"{text} [{code_name}]" if code_name else text)


class StorageNotOpen(StorageUnavailable):
    """The database could not be opened when the bot started (of ``kind``), so nothing can
    be read or saved until it is. The operator was told once, at start: whoever catches
    this need not log it again."""


class SchemaTooNewError(StorageError):
    """The database was written by a newer PeerCircle than this one."""

    def __init__(self, database_version: int, known_version: int) -> None:
        super().__init__(
            f"This database uses schema version {database_version}, but this PeerCircle "
            f"only knows versions up to {known_version}. It was probably written by a newer "
            "release: upgrade PeerCircle, or point storage.url at another database. "
            "Nothing was changed.",
            StorageKind.TOO_NEW,
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
    "StorageKind",
    "StorageNotOpen",
    "StorageUnavailable",
)
