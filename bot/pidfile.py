"""The running service's process id, in a file beside its data, so that
``peercircle reload`` can find it and ask it to read its config again (SIGHUP).

A file left by a process that died is harmless: before signalling, the id is checked to
belong to a running PeerCircle (on Linux, by its command line), so a reused id never
gets a signal meant for the bot.
"""

from __future__ import annotations

import logging
import os
import signal
from pathlib import Path

logger = logging.getLogger(__name__)

PID_FILE = "peercircle.pid"


def write_pid(path: Path) -> bool:
    """Write this process's id to ``path``. False (and a warning) when it cannot be
    written, say beside a database whose folder cannot be created: the bot still runs
    (degraded), only ``peercircle reload`` will not find it."""
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(f"{os.getpid()}\n", encoding="ascii")
    except OSError as error:
        logger.warning(
            "cannot write the process id to %s (%s): peercircle reload will not find this "
            "process; send it SIGHUP yourself to reload the config",
            path,
            error.strerror or type(error).__name__,
        )
        return False
    return True


def remove_pid(path: Path) -> None:
    """Remove the file if it still names this process."""
    if read_pid(path) == os.getpid():
        path.unlink(missing_ok=True)


def read_pid(path: Path) -> int | None:
    try:
        text = path.read_text(encoding="ascii").strip()
    except (OSError, UnicodeDecodeError):
        return None
    return int(text) if text.isdigit() else None


def ask_to_reload(path: Path) -> int | None:
    """Send SIGHUP to the PeerCircle named in ``path``; its pid, or None when no running
    PeerCircle is there (no file, a stale one, or another program with that id)."""
    pid = read_pid(path)
    if pid is None or not _is_peercircle(pid):
        return None
    try:
        os.kill(pid, signal.SIGHUP)
    except (ProcessLookupError, PermissionError):
        return None
    return pid


def _is_peercircle(pid: int) -> bool:
    try:
        command = Path(f"/proc/{pid}/cmdline").read_bytes().split(b"\0")
    except OSError:
        return False
    words = [part.decode(errors="replace") for part in command]
    return "run" in words and any(w.endswith("peercircle") or w == "bot" for w in words)
