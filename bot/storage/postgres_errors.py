"""Telling PostgreSQL's failures apart: storage trouble (``StorageUnavailable``) or a bug.

A server that cannot be reached, a lock that was not granted in time, a full disk or a
damaged page is something an operator looks at; a broken constraint, bad SQL or a value
of the wrong type is a programming error and propagates unchanged, as on SQLite.

Messages name the kind and, at most, the SQLSTATE code or the exception's class: never
SQL text, never parameters, never the server's own message (which may quote a value),
and never the address with its password.
"""

from __future__ import annotations

import socket
from collections.abc import Iterator
from contextlib import contextmanager

import asyncpg

from bot.storage.database import StorageError, StorageKind, StorageUnavailable
from bot.storage.urls import PostgresAddress

# By SQLSTATE code (https://www.postgresql.org/docs/current/errcodes-appendix.html), the
# exact code first, then its two-character class.
_BY_CODE = {
    "40001": StorageKind.BUSY,  # serialization_failure
    "40P01": StorageKind.BUSY,  # deadlock_detected
    "55P03": StorageKind.BUSY,  # lock_not_available (lock_timeout, from busy_timeout_ms)
    "57014": StorageKind.BUSY,  # query_canceled (statement_timeout)
    "53300": StorageKind.BUSY,  # too_many_connections
    "53100": StorageKind.FULL,  # disk_full
    "25006": StorageKind.READ_ONLY,  # read_only_sql_transaction (a standby, a setting)
    "XX001": StorageKind.CORRUPT,  # data_corrupted
    "XX002": StorageKind.CORRUPT,  # index_corrupted
    "57P01": StorageKind.UNREACHABLE,  # admin_shutdown
    "57P02": StorageKind.UNREACHABLE,  # crash_shutdown
    "57P03": StorageKind.UNREACHABLE,  # cannot_connect_now (starting up, recovering)
    "3D000": StorageKind.GONE,  # invalid_catalog_name: the database was dropped
}
_BY_CLASS = {
    "08": StorageKind.UNREACHABLE,  # connection_exception
    "53": StorageKind.OTHER,  # insufficient_resources (memory, ...)
    "58": StorageKind.IO,  # system_error (io_error, ...)
    "28": StorageKind.OTHER,  # invalid_authorization_specification
}
# asyncpg's words for a connection the server or the network ended (the pool takes a
# lost connection back at once, so a transaction still holding it hears "released").
_CLOSED = ("connection is closed", "connection was closed", "released back to the pool")


def storage_kind(error: BaseException) -> StorageKind | None:
    """The kind of storage trouble ``error`` reports, or None for a programming error."""
    if isinstance(error, asyncpg.PostgresError):
        code = str(getattr(error, "sqlstate", "") or "")
        return _BY_CODE.get(code) or _BY_CLASS.get(code[:2])
    if isinstance(error, OSError | TimeoutError):  # refused, reset, unreachable, timed out
        return StorageKind.UNREACHABLE
    if isinstance(error, asyncpg.exceptions.InternalClientError):
        return StorageKind.UNREACHABLE  # the server ended the session mid-statement
    if isinstance(error, asyncpg.InterfaceError) and any(
        phrase in str(error) for phrase in _CLOSED
    ):
        return StorageKind.UNREACHABLE
    return None


def code_name(error: BaseException) -> str:
    """``SQLSTATE 40P01``, or the exception's class name: nothing from its message."""
    code = getattr(error, "sqlstate", None)
    return f"SQLSTATE {code}" if code else type(error).__name__


def unavailable(error: BaseException) -> StorageUnavailable | None:
    kind = storage_kind(error)
    return None if kind is None else StorageUnavailable(kind, code_name(error))


@contextmanager
def translated() -> Iterator[None]:
    """Re-raise storage trouble from asyncpg as ``StorageUnavailable``; bugs pass through."""
    try:
        yield
    except (
        asyncpg.PostgresError,
        asyncpg.InterfaceError,
        asyncpg.exceptions.InternalClientError,
        OSError,
        TimeoutError,
    ) as error:
        storage = unavailable(error)
        if storage is None:
            raise
        raise storage from error


def open_failure(address: PostgresAddress, error: BaseException) -> StorageError:
    """An operator's message for a PostgreSQL database that could not be opened or
    migrated: what is wrong and what to do, with the address redacted."""
    where = f"Cannot use the PostgreSQL database {address.shown}"
    cause = error.__cause__ if isinstance(error, StorageUnavailable) and error.__cause__ else error
    code = str(getattr(cause, "sqlstate", "") or "")
    user = address.user or "(the login user)"
    if code.startswith("28"):
        reason = (
            f"the server refused the login of {user}. Check the user, and the password: it "
            "comes from PEERCIRCLE_STORAGE__URL or PGPASSWORD in the environment (or "
            "~/.pgpass), never from the config file"
        )
        return StorageError(f"{where}: {reason}.", StorageKind.OTHER)
    if code == "3D000":
        reason = (
            f"the database {address.database!r} does not exist on that server. Create it "
            f"first (createdb -h {address.host} -U {user} {address.database}) or correct "
            "storage.url"
        )
        return StorageError(f"{where}: {reason}.", StorageKind.OTHER)
    if code == "42501":
        reason = (
            f"{user} may not create the tables PeerCircle needs there. Let it (for example "
            f"GRANT CREATE ON SCHEMA public TO {user}), or have it own the database"
        )
        return StorageError(f"{where}: {reason}.", StorageKind.READ_ONLY)
    kind = error.kind if isinstance(error, StorageUnavailable) else storage_kind(cause)
    if kind is StorageKind.UNREACHABLE:
        reason = (
            f"the server could not be reached ({_network_reason(cause)}). Is PostgreSQL "
            f"running on {address.host}, and are the host and port in storage.url right?"
        )
        return StorageError(f"{where}: {reason}", kind)
    if kind is not None:
        return StorageError(f"{where}: {StorageUnavailable(kind, code_name(cause))}.", kind)
    return StorageError(f"{where}: an unexpected {code_name(cause)} while opening it.")


def _network_reason(error: BaseException) -> str:
    if isinstance(error, ConnectionRefusedError):
        return "connection refused"
    if isinstance(error, TimeoutError):
        return "no answer in time"
    if isinstance(error, socket.gaierror):
        return "unknown host name"
    if isinstance(error, OSError) and error.strerror:
        return error.strerror.lower()
    return code_name(error)


__all__ = ["code_name", "open_failure", "storage_kind", "translated", "unavailable"]
