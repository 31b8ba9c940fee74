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

from adapters.sdk_logs import SdkLogGuard

SDK_LOGGER = "discord"
_guard = SdkLogGuard("adapters.discord.sdk", not_worth_saying=("voice will NOT be supported",))


def guard_sdk_logs(token: str) -> None:
    """Install the guard (once per process) and have it hide ``token`` too."""
    _guard.remember(token)
    _guard.install((SDK_LOGGER,))
