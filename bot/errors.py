"""Two tiers of errors: ``UserError`` is for people; everything else is an incident."""

from __future__ import annotations

import logging
import secrets
import traceback

from bot.replies import Button


class UserError(Exception):
    """Something the person can fix. ``key`` names a catalog text; ``params`` fill it in."""

    def __init__(self, key: str, *, buttons: tuple[Button, ...] = (), **params: object) -> None:
        super().__init__(key)
        self.key = key
        self.params = params
        self.buttons = buttons


def new_incident_id() -> str:
    """A short id a member can quote and an operator can grep for, e.g. ``INC-3F9A1C``."""
    return f"INC-{secrets.token_hex(3).upper()}"


def log_incident(
    logger: logging.Logger, incident_id: str, where: str, error: BaseException
) -> None:
    """Log an unexpected error with its stack but *without* its message.

    Exception messages often quote the input that caused them, and member input must
    never reach a log; the type and the stack are what an engineer needs.
    """
    frames = traceback.extract_tb(error.__traceback__)
    stack = " <- ".join(
        f"{frame.filename.rsplit('/', 1)[-1]}:{frame.lineno} {frame.name}"
        for frame in reversed(frames)
    )
    logger.error("incident %s in %s: %s at %s", incident_id, where, type(error).__qualname__, stack)
