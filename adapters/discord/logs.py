"""Keeping the token and member text out of the logs of discord.py.

discord.py logs at INFO and DEBUG what it sends and receives (gateway payloads hold the
token when identifying, and members' names and texts), and some of its WARNING and
ERROR lines carry exceptions that may quote a message. So ``guard_sdk_logs``:

- sets the ``discord`` logger (every ``discord.*`` logger passes through it) to WARNING;
- stops its records from reaching the application's handlers directly, and passes on
  instead, through the ``adapters.discord.sdk`` logger, a safe copy: the logger name,
  the message *template* with only its numeric arguments filled in (other arguments
  could be texts), the token replaced by ``<token>``, and the exception's type without
  its message or stack;
- drops discord.py's start-up notes that voice is not supported (PeerCircle has none).

The adapter's own log lines name types and incident ids only.
"""

from __future__ import annotations

import logging
import threading

SDK_LOGGER = "discord"
_relay = logging.getLogger("adapters.discord.sdk")
_NOT_WORTH_SAYING = ("voice will NOT be supported",)


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
            template = str(record.msg)
            if any(note in template for note in _NOT_WORTH_SAYING):
                return
            text = self._redact(_numbers_only(record))
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


def _numbers_only(record: logging.LogRecord) -> str:
    """The message with only numbers filled in: ``"Retrying in 1.50 seconds"``."""
    template = str(record.msg)
    args = record.args
    if not args or isinstance(args, dict):
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
    sdk = logging.getLogger(SDK_LOGGER)
    sdk.setLevel(logging.WARNING)
    if _guard not in sdk.handlers:
        sdk.addHandler(_guard)
    sdk.propagate = False
