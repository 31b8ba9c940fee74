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

from adapters.sdk_logs import SdkLogGuard

SDK_LOGGERS = ("httpx", "httpcore", "telegram", "telegram.ext")
_GUARDED = ("httpx", "httpcore", "telegram")  # telegram.ext passes through telegram's guard
_guard = SdkLogGuard("adapters.telegram.sdk")


def guard_sdk_logs(token: str) -> None:
    """Install the guard (once per process) and have it hide ``token`` too."""
    _guard.remember(token)
    for name in SDK_LOGGERS:
        logging.getLogger(name).setLevel(logging.WARNING)
    _guard.install(_GUARDED)
