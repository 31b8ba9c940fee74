"""The SQLite file on disk: checked before it is opened, watched while the bot runs.

Before opening, ``check_location`` refuses a database SQLite could open but not write
(a read-only file, folder, ``-wal`` or ``-shm``), *before* SQLite touches anything, so a
refusal leaves no stray working file behind. While running, ``FileGuard`` notices the
file being deleted or replaced: SQLite itself would go on writing to the unlinked file
and every change would be lost at the next start.
"""

from __future__ import annotations

import logging
import os
import stat
from dataclasses import dataclass
from pathlib import Path

from bot.storage.database import StorageError, StorageKind, StorageUnavailable

log = logging.getLogger(__name__)

_ANY_WRITE_BIT = stat.S_IWUSR | stat.S_IWGRP | stat.S_IWOTH


def _writable(path: Path, *, folder: bool = False) -> bool:
    """Whether PeerCircle may write ``path``, as the operator meant it.

    ``os.access`` answers for the running user, but says yes to root whatever the mode,
    so a file or folder with no write bit at all counts as read-only as well: an
    operator who removed every write bit meant "do not write here", and running as root
    must not turn that into a bot that starts and fails (or writes) later. A read-only
    mount is refused by ``os.access`` for root too.
    """
    wanted = os.W_OK | os.X_OK if folder else os.W_OK
    return os.access(path, wanted) and path.stat().st_mode & _ANY_WRITE_BIT != 0


def check_location(path: Path) -> None:
    """Create the database's folder if needed; raise ``StorageError`` (naming the path and
    what to fix) unless SQLite will be able to write the database there."""
    folder = path.parent
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise StorageError(
            f"Cannot create the directory {folder} for the database: {exc.strerror or exc}. "
            "Check storage.url (is a file in the way of a folder on that path?) and that the "
            "user PeerCircle runs as may create folders there.",
            StorageKind.READ_ONLY if isinstance(exc, PermissionError) else StorageKind.IO,
        ) from exc
    if path.exists() and not path.is_file():
        raise StorageError(f"Cannot use {path} as the database: it is not a file.")
    if not _writable(folder, folder=True):
        raise StorageError(
            f"Cannot use the database {path}: its folder {folder} is read-only. SQLite keeps "
            f"two working files beside the database ({path.name}-wal and {path.name}-shm) "
            "and must be able to create and remove them: make the folder writable for the "
            "user PeerCircle runs as, or point storage.url at another folder.",
            StorageKind.READ_ONLY,
        )
    if path.exists() and not _writable(path):
        raise StorageError(
            f"Cannot use the database file {path}: it is read-only. PeerCircle writes to it: "
            "make it writable for the user PeerCircle runs as (for example chmod u+w), or "
            "point storage.url at another file.",
            StorageKind.READ_ONLY,
        )
    _check_working_file(path, "-wal", "do not delete it: it may hold the latest changes")
    _check_working_file(path, "-shm", "or, with no PeerCircle running, delete it")


def _check_working_file(path: Path, suffix: str, advice: str) -> None:
    working = path.with_name(path.name + suffix)
    if working.exists() and not _writable(working):
        raise StorageError(
            f"Cannot use the database {path}: its working file {working} is not writable "
            "(probably left behind by an earlier run as another user, or made read-only). "
            f"Make it writable for the user PeerCircle runs as ({advice}).",
            StorageKind.READ_ONLY,
        )


@dataclass(frozen=True, slots=True)
class FileIdentity:
    """Which file a path named: the same path may later name another one."""

    device: int
    inode: int

    @classmethod
    def of(cls, path: Path) -> FileIdentity:
        info = path.stat()
        return cls(info.st_dev, info.st_ino)


class FileGuard:
    """Refuses writes, for good, once the database file was deleted or replaced.

    ``check()`` costs one ``stat`` and runs before each write transaction. Once the file
    is gone the state is sticky: a restart (which opens whatever is there now) is the way
    back, so no change is ever confirmed into a file nobody will read again.
    """

    def __init__(self, path: Path) -> None:
        self._path = path
        self._identity = FileIdentity.of(path)
        self._gone = False

    @property
    def gone(self) -> bool:
        return self._gone

    def check(self) -> None:
        """Raise ``StorageUnavailable(GONE)`` if the file at the path is not the one opened."""
        if self._gone:
            raise StorageUnavailable(StorageKind.GONE)
        try:
            current: FileIdentity | None = FileIdentity.of(self._path)
        except FileNotFoundError:
            current = None
        except OSError as exc:  # e.g. the disk went away: not (yet) proof of a new file
            raise StorageUnavailable(StorageKind.IO, type(exc).__name__) from exc
        if current == self._identity:
            return
        self._gone = True
        log.critical(
            "The database file %s was %s while PeerCircle was running. Every change is "
            "refused from now on, so none is confirmed and then lost; put the right file in "
            "place and restart PeerCircle.",
            self._path,
            "deleted or moved away" if current is None else "replaced by another file",
        )
        raise StorageUnavailable(StorageKind.GONE)


__all__ = ["FileGuard", "FileIdentity", "check_location"]
