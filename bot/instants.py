"""Instants as stored: whole milliseconds since 1970-01-01 UTC, in an integer column.

Integers sort, compare and index the same on every engine, carry no zone to get wrong,
and cost 8 bytes.
"""

from __future__ import annotations

from datetime import UTC, datetime


def to_epoch_ms(instant: datetime) -> int:
    """``instant`` (timezone-aware) as milliseconds since the epoch, UTC."""
    if instant.tzinfo is None:
        raise ValueError("an instant to store must be timezone-aware")
    return int(instant.timestamp() * 1000)


def from_epoch_ms(millis: int) -> datetime:
    return datetime.fromtimestamp(millis / 1000, tz=UTC)
