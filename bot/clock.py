"""Time as a dependency: production code asks a ``Clock``, tests hand in a fake one."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Protocol


class Clock(Protocol):
    def now(self) -> datetime:
        """The current instant, timezone-aware, in UTC."""
        ...


class SystemClock:
    """The real wall clock."""

    def now(self) -> datetime:
        return datetime.now(UTC)


class ShiftedClock:
    """The wall clock moved to start at ``starts_at``, then running at the normal pace
    (``peercircle console --at``: try what happens at a given time, such as a reminder)."""

    def __init__(self, starts_at: datetime, real: Clock | None = None) -> None:
        self._real = real or SystemClock()
        self._shift = starts_at - self._real.now()

    def now(self) -> datetime:
        return self._real.now() + self._shift
