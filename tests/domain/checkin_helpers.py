"""Shared steps for the check-in tests: a group big enough for the thresholds, a clock
inside an open period, and members checking in through the real form."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

from bot.events import Actor, FormSubmitted
from bot.replies import Reply
from tests.fakes.clock import FakeClock
from tests.harness import Harness, person, private_chat, write_config

# "circle" (Europe/London) opens its check-in Sundays 18:00 for 3 days.
OPEN_AT = datetime(2026, 11, 29, 18, 0, 30, tzinfo=UTC)  # Sunday, just after it opened
CLOSES_AT = datetime(2026, 12, 2, 18, 0, tzinfo=UTC)  # Wednesday 18:00
PERIOD = "2026-11-29"

fran = person("fran")  # facilitates "circle" (as console:fran, and as telegram:4242)


def people(count: int) -> list[Actor]:
    return [person(f"member{index:02d}") for index in range(count)]


async def open_harness(
    tmp_path: Path, *, environ: dict[str, str] | None = None, capacity: int = 20
) -> Harness:
    tmp_path.mkdir(parents=True, exist_ok=True)  # noqa: ASYNC240 (test set-up)
    config = write_config(tmp_path, capacity=capacity, storage_url="sqlite:///bot.db")
    return await Harness.open(config, FakeClock(OPEN_AT), environ=environ)


async def join_all(harness: Harness, who: list[Actor]) -> None:
    for member in who:
        await harness.say("/join circle", as_=member)


async def check_in(harness: Harness, who: Actor, mood: int, note: str = "") -> list[Reply]:
    values = {"mood": str(mood), "note": note}
    return await harness.handle(FormSubmitted(who, private_chat(who), "checkin:circle", values))


async def close_period(harness: Harness) -> None:
    """Move past the close and let the check-in timer's work run."""
    harness.clock.advance(seconds=(CLOSES_AT - harness.clock.now()).total_seconds() + 1)
    await harness.app.checkins.run_due()
    await harness.app.delivery.deliver_due(limit=100)
