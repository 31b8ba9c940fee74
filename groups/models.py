"""Domain values: frozen, typed, free of SQL and of any platform."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time
from enum import Enum

from bot.events import Actor, Place

WEEKDAYS: tuple[str, ...] = (
    "monday",
    "tuesday",
    "wednesday",
    "thursday",
    "friday",
    "saturday",
    "sunday",
)
"""Day names in ``date.weekday()`` order, so ``WEEKDAYS[0]`` is Monday."""


@dataclass(frozen=True, slots=True)
class Schedule:
    """When a group meets, in its own time zone's wall-clock time."""

    frequency: str  # "weekly" | "fortnightly" | "monthly"
    weekday: int  # 0 = Monday, an index into WEEKDAYS
    start: time
    duration_minutes: int
    starts_on: date | None = None  # anchors fortnightly series
    week_of_month: int | None = None  # monthly: 1..4, or -1 for the last


@dataclass(frozen=True, slots=True)
class Group:
    slug: str
    name: str
    description: str
    capacity: int
    facilitators: frozenset[str]  # member keys, "platform:id"
    timezone: str
    online: bool
    location: str
    schedule: Schedule
    telegram_chat_id: int | None = None
    discord_guild_id: int | None = None

    def is_facilitator(self, actor: Actor) -> bool:
        return actor.key in self.facilitators

    def lives_in(self, place: Place) -> bool:
        """Whether ``place`` is where this group meets on its platform. The console is
        the organizer's local window onto every group."""
        if place.platform == "console":
            return True
        if place.platform == "telegram":
            return self.telegram_chat_id is not None and place.chat_id == str(self.telegram_chat_id)
        return False  # Discord places are matched by guild once that adapter exists


class SeatStatus(Enum):
    SEATED = "seated"
    WAITLISTED = "waitlisted"


@dataclass(frozen=True, slots=True)
class Membership:
    group_slug: str
    member: Actor
    status: SeatStatus
    joined_at: datetime
    waitlist_position: int | None = None  # 1-based, only while waitlisted


@dataclass(frozen=True, slots=True)
class Occupancy:
    seated: int
    waiting: int

    def seats_left(self, capacity: int) -> int:
        return max(capacity - self.seated, 0)


class JoinOutcome(Enum):
    SEATED = "seated"
    WAITLISTED = "waitlisted"
    ALREADY_SEATED = "already_seated"
    ALREADY_WAITLISTED = "already_waitlisted"


@dataclass(frozen=True, slots=True)
class JoinResult:
    outcome: JoinOutcome
    waitlist_position: int | None = None


@dataclass(frozen=True, slots=True)
class LeaveResult:
    """What leaving (or being removed) changed: the status the person had (None if they
    were not in the group), and whoever took the freed seat."""

    previous: SeatStatus | None
    promoted: tuple[Membership, ...] = ()
