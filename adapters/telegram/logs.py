"""Keeping the token and member text out of the logs of the libraries we use.

httpx logs every request URL at INFO, and the token is part of that URL; the Telegram
library's exceptions may quote the token (``InvalidToken``) or a message, and some of its
own log lines carry those exceptions. So ``guard_sdk_logs``:

- sets the ``httpx``, ``httpcore``, ``telegram`` and ``telegram.ext`` loggers to WARNING;
- stops their records from reaching the application's handlers directly, and passes on
  instead, through the ``adapters.telegram.sdk`` logger, a safe copy: the logger name,
  the message *template* with only its numeric arguments filled in (other arguments could
  be texts), any token this process uses replaced by ``<token>``, and the exception's type
  without its message or stack.

The adapter's own log lines name types and incident ids only.
"""

from __future__ import annotations

import logging
import threading

SDK_LOGGERS = ("httpx", "httpcore", "telegram", "telegram.ext")
_GUARDED = ("httpx", "httpcore", "telegram")  # telegram.ext passes through telegram's guard
_relay = logging.getLogger("adapters.telegram.sdk")


class _SafeRelay(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.WARNING)
        self._secrets: set[str] = set()
        self._lock_secrets = threading.Lock()

    def remember(self, secret: str) -> None:
        with self._lock_secrets:
            self._secrets.add(secret)

    def emit(self, record: logging.LogRecord) -> None:
        try:
            text = self._redact(_template(record))
            failure = ""
            if record.exc_info and record.exc_info[0] is not None:
                failure = f" ({record.exc_info[0].__qualname__})"
            _relay.log(record.levelno, "%s: %s%s", record.name, text, failure)
        except Exception:  # a log line must never break the bot
            self.handleError(record)

    def _redact(self, text: str) -> str:
        with self._lock_secrets:
            secrets = sorted(self._secrets, key=len, reverse=True)
        for secret in secrets:
            text = text.replace(secret, "<token>")
        return text


def _template(record: logging.LogRecord) -> str:
    """The message with only numbers filled in: ``"Failed run number 3 of 3"``."""
    template = str(record.msg)
    args = record.args
    if not args:
        return template
    if isinstance(args, dict):
        return template
    safe = tuple(arg if isinstance(arg, int | float) else "…" for arg in args)
    try:
        return template % safe
    except (TypeError, ValueError):
        return template


_guard = _SafeRelay()


def guard_sdk_logs(token: str) -> None:
    """Install the guard (once per process) and have it hide ``token`` too."""
    _guard.remember(token)
    for name in SDK_LOGGERS:
        logging.getLogger(name).setLevel(logging.WARNING)
    for name in _GUARDED:
        sdk = logging.getLogger(name)
        if _guard not in sdk.handlers:
            sdk.addHandler(_guard)
        sdk.propagate = False
