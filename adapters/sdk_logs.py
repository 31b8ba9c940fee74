"""A guard between a platform library's loggers and the application's: what passes is a
safe copy of each record, never a member's text or a token.

Each platform adapter installs one (``adapters/telegram/logs.py``, ``adapters/discord/
logs.py``) on its library's loggers: they are set to WARNING, stop propagating, and this
handler relays through the adapter's own logger the logger name, the message *template*
with only its numeric arguments filled in (other arguments could be texts), every secret
it was told about replaced by ``<token>``, and an exception's type without its message
or stack.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Iterable


class SdkLogGuard(logging.Handler):
    def __init__(self, relay: str, *, not_worth_saying: Iterable[str] = ()) -> None:
        super().__init__(logging.WARNING)
        self._relay = logging.getLogger(relay)
        self._skip = tuple(not_worth_saying)
        self._secrets: set[str] = set()
        self._lock_secrets = threading.Lock()

    def remember(self, secret: str) -> None:
        with self._lock_secrets:
            self._secrets.add(secret)

    def install(self, loggers: Iterable[str]) -> None:
        """Guard ``loggers`` (once each; safe to call again)."""
        for name in loggers:
            sdk = logging.getLogger(name)
            sdk.setLevel(logging.WARNING)
            if self not in sdk.handlers:
                sdk.addHandler(self)
            sdk.propagate = False

    def emit(self, record: logging.LogRecord) -> None:
        try:
            if any(note in str(record.msg) for note in self._skip):
                return
            text = self._redact(numbers_only(record))
            failure = ""
            if record.exc_info and record.exc_info[0] is not None:
                failure = f" ({record.exc_info[0].__qualname__})"
            self._relay.log(record.levelno, "%s: %s%s", record.name, text, failure)
        except Exception:  # a log line must never break the bot
            self.handleError(record)

    def _redact(self, text: str) -> str:
        with self._lock_secrets:
            secrets = sorted(self._secrets, key=len, reverse=True)
        for secret in secrets:
            text = text.replace(secret, "<token>")
        return text


def numbers_only(record: logging.LogRecord) -> str:
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
