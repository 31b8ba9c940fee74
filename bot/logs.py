"""Where the log goes and how it looks: one line per event on standard error, readable
text by default, or one JSON object per line (``[logging] format = "json"``).

Whatever the format, the handler hides every secret it was given (tokens, keys), and an
exception is written as its type and stack only, never its message (which may quote a
member's words). The libraries PeerCircle uses are held at WARNING: at lower levels they
log request addresses (the Telegram token is part of them) or SQL parameters (aiosqlite,
which would carry member text).
"""

from __future__ import annotations

import json
import logging
import sys
import traceback
from collections.abc import Iterable
from datetime import UTC, datetime
from types import TracebackType
from typing import TextIO

from bot.config import Settings
from bot.config.logs import LoggingSection

__all__ = [
    "HIDDEN",
    "LIBRARY_LOGGERS",
    "JsonFormatter",
    "TextFormatter",
    "configure_logging",
    "secrets_of",
]

LIBRARY_LOGGERS = (
    "aiosqlite",
    "asyncio",
    "apscheduler",
    "aiohttp",
    "httpx",
    "httpcore",
    "telegram",
    "discord",
    "asyncpg",
    "matplotlib",
    "PIL",
    "tzlocal",
)
HIDDEN = "<secret>"
TEXT_FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s"
_LEVELS = {"debug": logging.DEBUG, "info": logging.INFO, "warning": logging.WARNING}
_LEVELS["error"] = logging.ERROR

ExcInfo = tuple[type[BaseException], BaseException, TracebackType | None] | tuple[None, None, None]


def describe_exception(exc_info: ExcInfo) -> str:
    """``ValueError at app.py:12 serve <- ...``: the type and the stack, no message."""
    kind, _, trace = exc_info
    if kind is None:
        return ""
    frames = traceback.extract_tb(trace)
    stack = " <- ".join(
        f"{frame.filename.rsplit('/', 1)[-1]}:{frame.lineno} {frame.name}"
        for frame in reversed(frames)
    )
    return f"{kind.__qualname__} at {stack}" if stack else kind.__qualname__


class _Hiding:
    """Replaces each secret in a finished line (longest first, so none shows in part)."""

    def __init__(self, secrets: Iterable[str]) -> None:
        self._secrets = sorted({s for s in secrets if s}, key=len, reverse=True)

    def hide(self, line: str) -> str:
        for secret in self._secrets:
            line = line.replace(secret, HIDDEN)
        return line


class TextFormatter(logging.Formatter):
    def __init__(self, secrets: Iterable[str] = ()) -> None:
        super().__init__(TEXT_FORMAT)
        self._hiding = _Hiding(secrets)

    def formatException(self, ei: ExcInfo) -> str:
        return describe_exception(ei)

    def formatStack(self, stack_info: str) -> str:
        return ""  # a stack dump may hold local values

    def format(self, record: logging.LogRecord) -> str:
        return self._hiding.hide(super().format(record))


class JsonFormatter(logging.Formatter):
    """``{"time": "...Z", "level": "INFO", "logger": "bot.app", "message": "...",
    "exception"?: "ValueError at ..."}`` on one line."""

    def __init__(self, secrets: Iterable[str] = ()) -> None:
        super().__init__()
        self._hiding = _Hiding(secrets)

    def format(self, record: logging.LogRecord) -> str:
        when = datetime.fromtimestamp(record.created, UTC)
        entry = {
            "time": when.isoformat(timespec="milliseconds").replace("+00:00", "Z"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
        }
        if record.exc_info and record.exc_info[0] is not None:
            entry["exception"] = describe_exception(record.exc_info)
        return self._hiding.hide(json.dumps(entry, ensure_ascii=False))


def configure_logging(
    section: LoggingSection,
    default_level: int,
    *,
    secrets: Iterable[str] = (),
    stream: TextIO | None = None,
) -> None:
    """Log to ``stream`` (standard error) as ``section`` says; ``default_level`` when it
    names no level. Like ``logging.basicConfig``, nothing changes if the root logger has
    a handler already (a test's log capture, say)."""
    root = logging.getLogger()
    if root.handlers:
        return
    handler = logging.StreamHandler(stream or sys.stderr)
    formatter = JsonFormatter if section.format == "json" else TextFormatter
    handler.setFormatter(formatter(secrets))
    root.addHandler(handler)
    level = _LEVELS[section.level] if section.level is not None else default_level
    root.setLevel(level)
    for name in LIBRARY_LOGGERS:
        library = logging.getLogger(name)
        library.setLevel(max(level, logging.WARNING, library.level))


def secrets_of(settings: Settings) -> list[str]:
    """Every secret value in ``settings``: what the log must never show."""
    found = [
        settings.telegram.token,
        settings.discord.token,
        settings.checkins.hmac_key,
        settings.http.calendar_key,
    ]
    return [secret.get_secret_value() for secret in found if secret is not None]
