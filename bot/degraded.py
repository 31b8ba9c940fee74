"""Serving without the database (the degraded mode), from the operator's side.

When the database cannot be opened at start, the bot still starts: ``/crisis`` and
``/help`` answer from memory, every other command says it is unavailable right now (see
``bot.storage.stand_in``). The operator is told once, clearly, what is wrong, with which
file, and what to do; again only if the problem changes; and once more when the database
can be used after all (the bot keeps trying, every ``RETRY_SECONDS``).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Awaitable, Callable
from pathlib import Path

from bot.errors import log_incident, new_incident_id
from bot.storage import StorageError, StorageKind, StorageUnavailable, is_postgres
from bot.storage.urls import shown

logger = logging.getLogger(__name__)

RETRY_SECONDS = 30.0

_DEGRADED = (
    "PeerCircle is running WITHOUT its database, in a degraded mode. %s "
    "Until this is fixed, /crisis and /help work as usual and every other command tells "
    "people it is unavailable right now (nothing is read or saved). PeerCircle tries to "
    "open the database again every %d seconds and switches over by itself once it can."
)
_CHANGED = "PeerCircle still runs without its database; the problem is now: %s"
_BACK = (
    "The database %s could be opened after all: PeerCircle has left the degraded mode and "
    "every feature works again."
)


def as_problem(error: Exception, path: Path | None) -> StorageError:
    """Why the database could not be opened, as a message for the operator (the same
    error gives the same message, so a later try that fails alike is not told again).
    Storage's own errors already say which file and what to do."""
    if isinstance(error, StorageError):
        return error
    where = "the in-memory database" if path is None else f"the database file {path}"
    if isinstance(error, StorageUnavailable):
        return StorageError(f"Cannot use {where} at start: {error}.", error.kind)
    if isinstance(error, OSError):
        reason = error.strerror or type(error).__name__
        return StorageError(
            f"Cannot use {where}: {reason} (check the path in storage.url and that the user "
            "PeerCircle runs as may read and write it).",
            StorageKind.IO,
        )
    return StorageError(
        f"Cannot use {where}: an unexpected {type(error).__name__} while opening it (its "
        "incident, with the stack, is logged just before this message)."
    )


def tell_degraded(error: Exception, problem: StorageError, retry_seconds: float) -> None:
    """The one message for the operator at a degraded start (after an incident with the
    stack, for an error storage did not expect)."""
    if not isinstance(error, StorageError | StorageUnavailable | OSError):
        log_incident(logger, new_incident_id(), "opening the database", error)
    logger.error(_DEGRADED, problem, round(retry_seconds))


def tell_changed(before: StorageError, now: StorageError) -> None:
    """A later try failed differently (say, the garbage file was moved aside but its folder
    is read-only): worth telling; the same problem again is not."""
    if str(now) != str(before):
        logger.error(_CHANGED, now)


def tell_back(path: Path | None, url: str = "") -> None:
    """``url`` names a PostgreSQL database (shown without its password), else ``path``."""
    if is_postgres(url):
        logger.warning(_BACK, shown(url))
    else:
        logger.warning(_BACK, "in memory" if path is None else str(path))


async def keep_trying(
    attempt: Callable[[], Awaitable[bool]], every: float, done: asyncio.Event
) -> bool:
    """Call ``attempt`` every ``every`` seconds until it returns True (then True), or until
    ``done`` is set (then False)."""
    while not done.is_set():
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(done.wait(), every)
        if not done.is_set() and await attempt():
            return True
    return False


__all__ = [
    "RETRY_SECONDS",
    "as_problem",
    "keep_trying",
    "tell_back",
    "tell_changed",
    "tell_degraded",
]
