"""The real clock tells UTC time, with its zone attached."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from bot.clock import SystemClock


def test_the_system_clock_is_utc_and_current() -> None:
    now = SystemClock().now()
    assert now.utcoffset() == timedelta(0)
    assert now.tzinfo is UTC
    assert abs(now - datetime.now(UTC)) < timedelta(seconds=5)
