"""The ordered privilege levels. Imports nothing from ``bot``, so anything may use it."""

from __future__ import annotations

from enum import IntEnum


class Role(IntEnum):
    """Ordered privileges: a higher role may do everything a lower one may.

    A role is always held *somewhere*: organizers (from the config file) everywhere, a
    facilitator only for the groups they run. ``bot.permissions`` decides which.
    """

    MEMBER = 1
    FACILITATOR = 2
    ORGANIZER = 3

    @classmethod
    def parse(cls, text: str) -> Role:
        """``"facilitator"`` -> ``Role.FACILITATOR``; raises ValueError for anything else."""
        try:
            return cls[text.strip().upper()]
        except KeyError:
            names = ", ".join(role.name.lower() for role in cls)
            raise ValueError(f"unknown role; choose one of {names}") from None

    @property
    def label(self) -> str:
        return self.name.lower()
