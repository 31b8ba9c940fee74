"""Domain values: frozen, typed, free of SQL and of any platform."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
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
    rrule: str | None = None  # an RFC 5545 RRULE, instead of frequency/weekday
    until: date | None = None  # no meetings after this day
    reminders: tuple[timedelta, ...] = (timedelta(hours=24), timedelta(hours=1))
    link: str = ""  # where an online meeting happens


@dataclass(frozen=True, slots=True)
class CheckinRules:
    """When a group's anonymous check-ins open (weekly, local time) and how many answers
    it takes before facilitators see numbers, and notes."""

    enabled: bool = True
    weekday: int = 6  # 0 = Monday; Sunday by default
    opens_at: time = time(18, 0)
    open_days: int = 3
    min_respondents: int = 5
    notes_min_respondents: int = 10


@dataclass(frozen=True, slots=True)
class Home:
    """A place where a group lives on one platform: a Telegram group chat, a Discord
    server (optionally one channel of it), or the console. A platform's own grants (a
    chat admin, a server role) count for a group only in its homes."""

    platform: str
    chat_id: str | None = None  # a Telegram chat or a Discord channel; None: any
    guild_id: str | None = None  # a Discord server

    def contains(self, place: Place) -> bool:
        if place.platform != self.platform:
            return False
        if self.guild_id is not None and place.guild_id != self.guild_id:
            return False
        return self.chat_id is None or place.chat_id == self.chat_id


CONSOLE_HOME = Home("console")  # the operator's terminal is a window onto every group


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
    homes: tuple[Home, ...] = (CONSOLE_HOME,)
    previously: tuple[str, ...] = ()  # slugs it had before; its members follow it
    checkins: CheckinRules = CheckinRules()
    country: str | None = None  # ISO code where it meets: /crisis in its chats uses it

    def is_facilitator(self, actor: Actor) -> bool:
        return actor.key in self.facilitators

    def lives_in(self, place: Place) -> bool:
        return any(home.contains(place) for home in self.homes)


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
    seated_at: datetime | None = None  # when they got their seat (names a seat offer)


@dataclass(frozen=True, slots=True)
class MemberRecord:
    """What the ``members`` table holds about a person: their name as last seen, and
    when the bot first and last saw them."""

    member: Actor
    first_seen: datetime
    last_seen: datetime


@dataclass(frozen=True, slots=True)
class Rsvp:
    """A member's answer about one occurrence of a group's meeting."""

    group_slug: str
    occurrence: datetime  # the occurrence's scheduled start (its key), UTC
    answer: str  # "yes" | "no" | "maybe"
    answered_at: datetime


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
