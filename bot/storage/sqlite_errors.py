"""Telling SQLite's failures apart: storage trouble (``StorageUnavailable``) or a bug.

A locked, read-only, full, damaged or vanished database is something an operator fixes;
a broken constraint, bad SQL or misuse of the API is a programming error and propagates
unchanged (callers rely on ``sqlite3.IntegrityError`` for unique constraints).
"""

from __future__ import annotations

import sqlite3
from pathlib import Path
from typing import Any, Literal

from bot.storage.database import StorageError, StorageKind, StorageUnavailable

# Primary result codes (https://sqlite.org/rescode.html); an extended code's low byte.
_BY_CODE = {
    3: StorageKind.READ_ONLY,  # SQLITE_PERM
    5: StorageKind.BUSY,  # SQLITE_BUSY
    6: StorageKind.BUSY,  # SQLITE_LOCKED
    8: StorageKind.READ_ONLY,  # SQLITE_READONLY
    10: StorageKind.IO,  # SQLITE_IOERR
    11: StorageKind.CORRUPT,  # SQLITE_CORRUPT
    13: StorageKind.FULL,  # SQLITE_FULL
    14: StorageKind.IO,  # SQLITE_CANTOPEN
    15: StorageKind.BUSY,  # SQLITE_PROTOCOL (a locking race)
    22: StorageKind.IO,  # SQLITE_NOLFS
    26: StorageKind.CORRUPT,  # SQLITE_NOTADB
}
_READONLY_DBMOVED = 8 | (4 << 8)  # SQLite noticed the file was moved or unlinked
# SQLITE_ERROR (bad SQL, "no such table"), TOOBIG, CONSTRAINT, MISMATCH, MISUSE, RANGE.
_PROGRAMMING_CODES = frozenset({1, 18, 19, 20, 21, 25})
_PROGRAMMING_ERRORS = (
    sqlite3.IntegrityError,
    sqlite3.ProgrammingError,
    sqlite3.InterfaceError,
    sqlite3.DataError,
    sqlite3.NotSupportedError,
)
# Only for errors without a code (raised by older Python or by the module itself).
_BY_MESSAGE = (
    ("database is locked", StorageKind.BUSY),
    ("readonly", StorageKind.READ_ONLY),
    ("is full", StorageKind.FULL),
    ("malformed", StorageKind.CORRUPT),
    ("not a database", StorageKind.CORRUPT),
    ("disk i/o error", StorageKind.IO),
    ("unable to open", StorageKind.IO),
)


def storage_kind(error: sqlite3.Error) -> StorageKind | None:
    """The kind of storage trouble ``error`` reports, or None for a programming error
    (or anything unrecognised without a code), which must propagate as it is."""
    if isinstance(error, _PROGRAMMING_ERRORS):
        return None
    code = getattr(error, "sqlite_errorcode", None)
    if isinstance(code, int):
        if code == _READONLY_DBMOVED:
            return StorageKind.GONE
        if code & 0xFF in _PROGRAMMING_CODES:
            return None
        return _BY_CODE.get(code & 0xFF, StorageKind.OTHER)
    text = str(error).lower()
    return next((kind for needle, kind in _BY_MESSAGE if needle in text), None)


def unavailable(error: sqlite3.Error) -> StorageUnavailable | None:
    """``error`` as a ``StorageUnavailable`` (cause chained by the raiser), or None."""
    kind = storage_kind(error)
    if kind is None:
        return None
    name = getattr(error, "sqlite_errorname", None)
    return StorageUnavailable(kind, name if isinstance(name, str) else "")


class _Translated:
    """``translated()``: a plain class, as it wraps every statement (a generator-based
    context manager costs ten times as much to enter and leave)."""

    __slots__ = ()

    def __enter__(self) -> None:
        return None

    def __exit__(
        self, kind: type[BaseException] | None, error: BaseException | None, trace: Any
    ) -> Literal[False]:
        if isinstance(error, sqlite3.Error):
            storage = unavailable(error)
            if storage is not None:
                raise storage from error
        return False  # no error, or a bug: it propagates unchanged


_TRANSLATED = _Translated()


def translated() -> _Translated:
    """Re-raise storage trouble from SQLite as ``StorageUnavailable``; bugs pass through."""
    return _TRANSLATED


_REASONS = {
    StorageKind.BUSY: "another program holds its write lock (is a second PeerCircle running "
    "on the same file?); stop it, or raise storage.busy_timeout_ms",
    StorageKind.READ_ONLY: "it is read-only (the bot needs to write to the file and its folder)",
    StorageKind.FULL: "the disk is full; free some space and start again",
    StorageKind.CORRUPT: "the file is damaged; restore it from a backup, or move it aside "
    "to start with an empty database",
    StorageKind.IO: "it cannot be opened (check that the path exists, the disk is healthy "
    "and the bot may write there)",
    StorageKind.GONE: "it was deleted or replaced while PeerCircle was starting",
}


def open_failure(path: Path | None, exc: BaseException) -> StorageError:
    """An operator's message for a database that could not be opened or migrated."""
    where = "the in-memory database" if path is None else f"the database file {path}"
    cause = exc.__cause__ if isinstance(exc, StorageUnavailable) and exc.__cause__ else exc
    text = str(cause)
    if isinstance(exc, StorageUnavailable):
        kind: StorageKind | None = exc.kind
    elif isinstance(exc, sqlite3.Error):
        kind = storage_kind(exc)
    else:
        kind = StorageKind.IO if isinstance(exc, OSError) else None
    if kind is StorageKind.CORRUPT and "not a database" in text:
        reason = (
            "the file exists but is not a SQLite database (is storage.url pointing at the "
            "right file?)"
        )
    else:
        reason = _REASONS.get(kind, text) if kind is not None else text
    return StorageError(
        f"Cannot use {where}: {reason}. (SQLite said: {text})", kind or StorageKind.OTHER
    )


__all__ = ["open_failure", "storage_kind", "translated", "unavailable"]
