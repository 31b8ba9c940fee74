"""A member's own settings (/settings): their time zone, their country (for /crisis),
whether they get reminders, their quiet hours, and whether they want private copies of
facilitators' announcements.

Nothing is stored until a member changes something. Whatever they have not chosen keeps
its default: the bot's configured zone and country, reminders on, no quiet hours,
announcements off. Checking what someone typed lives in ``groups.settings_input``.
"""

from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass, replace
from datetime import datetime, time, timedelta
from typing import TypedDict, Unpack
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from bot.clock import Clock
from bot.events import Actor
from bot.instants import from_epoch_ms, to_epoch_ms
from bot.storage.database import Database, Executor, Row, StorageNotOpen
from groups.membership_repo import MembershipRepository
from groups.recurrence import place_in_zone

logger = logging.getLogger(__name__)

# How long /crisis waits for a member's country, at most: it must answer within 0.2 s.
QUICK_READ_SECONDS = 0.1


@dataclass(frozen=True, slots=True)
class QuietHours:
    """From ``start`` to ``end``, wall-clock times in the member's zone. ``end`` may come
    before ``start`` (22:00-08:00 wraps midnight); at ``end`` itself it is no longer
    quiet."""

    start: time
    end: time

    def __post_init__(self) -> None:
        if self.start == self.end:
            raise ValueError("quiet hours need a start and an end that differ")

    def contains(self, moment: time) -> bool:
        if self.start < self.end:
            return self.start <= moment < self.end
        return moment >= self.start or moment < self.end

    def ends_after(self, instant: datetime, zone: ZoneInfo) -> datetime | None:
        """When the quiet hours around ``instant`` end (UTC), or None if ``instant`` is
        not in them."""
        local = instant.astimezone(zone).replace(tzinfo=None)
        if not self.contains(local.time()):
            return None
        end = datetime.combine(local.date(), self.end)
        if end <= local:
            end += timedelta(days=1)
        return place_in_zone(end, zone)

    def text(self) -> str:
        return f"{self.start:%H:%M}-{self.end:%H:%M}"


@dataclass(frozen=True, slots=True)
class Defaults:
    """What applies until a member chooses: the bot's configured zone and country."""

    timezone: str
    country: str


@dataclass(frozen=True, slots=True)
class MemberSettings:
    """One member's settings. ``timezone`` and ``country`` are their own choice, None
    until they make one (``zone`` and ``crisis_country`` then give the bot's)."""

    defaults: Defaults
    timezone: str | None = None
    country: str | None = None
    reminders: bool = True
    quiet: QuietHours | None = None
    announcements: bool = False
    checkin_prompts: bool = True

    @property
    def zone(self) -> ZoneInfo:
        """The zone their quiet hours are in: theirs, or the bot's."""
        return ZoneInfo(self.timezone or self.defaults.timezone)

    @property
    def own_zone(self) -> ZoneInfo | None:
        """The zone they chose to see meeting times in (None: the group's own)."""
        return None if self.timezone is None else ZoneInfo(self.timezone)

    @property
    def crisis_country(self) -> str:
        return self.country or self.defaults.country

    def quiet_until(self, instant: datetime) -> datetime | None:
        """If ``instant`` falls in their quiet hours, when those end (else None)."""
        return None if self.quiet is None else self.quiet.ends_after(instant, self.zone)


class SettingsChanges(TypedDict, total=False):
    """What ``update`` may change; a key left out keeps its value. None for
    ``timezone``/``country`` goes back to the bot's, for ``quiet`` means no quiet hours."""

    timezone: str | None
    country: str | None
    reminders: bool
    quiet: QuietHours | None
    announcements: bool
    checkin_prompts: bool


@dataclass(frozen=True, slots=True)
class StoredSettings:
    """A member's settings row as stored (``/mydata``), and when they last changed it."""

    settings: MemberSettings
    updated_at: datetime


@dataclass(frozen=True, slots=True)
class SettingsUpdate:
    before: MemberSettings
    after: MemberSettings


class MemberSettingsService:
    def __init__(
        self,
        db: Database,
        clock: Clock,
        defaults: Defaults,
        *,
        quick_read_seconds: float = QUICK_READ_SECONDS,
    ) -> None:
        self._db = db
        self._clock = clock
        self.defaults = defaults
        self._quick_read_seconds = quick_read_seconds
        self._repo = MemberSettingsRepository()
        self._members = MembershipRepository()

    async def settings_of(self, actor: Actor) -> MemberSettings:
        return await self._repo.find(self._db, actor, self.defaults)

    async def update(self, actor: Actor, **changes: Unpack[SettingsChanges]) -> SettingsUpdate:
        """Apply ``changes`` in one transaction (remembering the member first: their
        settings row refers to their member row)."""
        now = self._clock.now()
        async with self._db.transaction(quick=True) as tx:
            await self._members.remember_member(tx, actor, now)
            before = await self._repo.find(tx, actor, self.defaults)
            after = replace(before, **changes)
            await self._repo.save(tx, actor, after, now)
        return SettingsUpdate(before, after)

    async def of_group(self, db: Executor, slug: str) -> dict[str, MemberSettings]:
        """The settings of everyone in group ``slug`` who has any, by member key (one
        query); a member not in it has the defaults (``for_member``)."""
        return await self._repo.of_group(db, slug, self.defaults)

    def for_member(self, found: dict[str, MemberSettings], actor: Actor) -> MemberSettings:
        return found.get(actor.key) or MemberSettings(self.defaults)

    async def crisis_country(self, actor: Actor) -> str:
        """The member's country for /crisis, or the bot's (see ``chosen_country``)."""
        return await self.chosen_country(actor) or self.defaults.country

    async def chosen_country(self, actor: Actor) -> str | None:
        """The country the member chose in /settings, if a short read finds one. Never
        raises and never waits long: the read is abandoned after ``quick_read_seconds``
        (so never stuck behind a write lock); any trouble with storage gives None."""
        try:
            async with asyncio.timeout(self._quick_read_seconds):
                found = await self._repo.find(self._db, actor, self.defaults)
        except StorageNotOpen:  # degraded: the operator was told once, at start
            return None
        except Exception as error:  # crisis help must answer, whatever storage does
            logger.warning("settings: country not read for /crisis (%s)", type(error).__name__)
            return None
        return found.country


_COLUMNS = (
    "s.platform, s.user_id, s.timezone, s.country, s.reminders, s.quiet_from,"
    " s.quiet_until, s.announcements, s.checkin_prompts"
)
_SELECT = f"SELECT {_COLUMNS} FROM member_settings s"


class MemberSettingsRepository:
    """SQL for ``member_settings``: the only place that knows the table. A member
    without a row has the defaults."""

    async def find(self, db: Executor, actor: Actor, defaults: Defaults) -> MemberSettings:
        row = await db.fetch_one(
            _SELECT + " WHERE s.platform = :platform AND s.user_id = :user_id",
            {"platform": actor.platform, "user_id": actor.user_id},
        )
        return MemberSettings(defaults) if row is None else _settings(row, defaults)

    async def stored(self, db: Executor, actor: Actor, defaults: Defaults) -> StoredSettings | None:
        """The member's row, if they ever changed a setting."""
        row = await db.fetch_one(
            f"SELECT {_COLUMNS}, s.updated_at FROM member_settings s"
            " WHERE s.platform = :platform AND s.user_id = :user_id",
            {"platform": actor.platform, "user_id": actor.user_id},
        )
        if row is None:
            return None
        return StoredSettings(_settings(row, defaults), from_epoch_ms(row["updated_at"]))

    async def forget(self, tx: Executor, actor: Actor) -> int:
        """Delete the member's row (back to every default); how many rows."""
        return await tx.execute(
            "DELETE FROM member_settings WHERE platform = :platform AND user_id = :user_id",
            {"platform": actor.platform, "user_id": actor.user_id},
        )

    async def of_group(
        self, db: Executor, slug: str, defaults: Defaults
    ) -> dict[str, MemberSettings]:
        """By member key, everyone in group ``slug`` (seated or waiting) with a row."""
        rows = await db.fetch_all(
            _SELECT + " JOIN memberships m ON m.platform = s.platform AND m.user_id = s.user_id"
            " WHERE m.group_id = (SELECT id FROM groups WHERE slug = :slug)",
            {"slug": slug},
        )
        return {f"{row['platform']}:{row['user_id']}": _settings(row, defaults) for row in rows}

    async def save(
        self, tx: Executor, actor: Actor, settings: MemberSettings, now: datetime
    ) -> None:
        """Insert or replace the member's row (their ``members`` row must exist)."""
        quiet = settings.quiet
        await tx.execute(
            "INSERT INTO member_settings (platform, user_id, timezone, country, reminders,"
            " quiet_from, quiet_until, announcements, checkin_prompts, updated_at)"
            " VALUES (:platform, :user_id, :timezone, :country, :reminders, :quiet_from,"
            " :quiet_until, :announcements, :checkin_prompts, :now)"
            " ON CONFLICT (platform, user_id) DO UPDATE SET timezone = excluded.timezone,"
            " country = excluded.country, reminders = excluded.reminders,"
            " quiet_from = excluded.quiet_from, quiet_until = excluded.quiet_until,"
            " announcements = excluded.announcements,"
            " checkin_prompts = excluded.checkin_prompts, updated_at = excluded.updated_at",
            {
                "platform": actor.platform,
                "user_id": actor.user_id,
                "timezone": settings.timezone,
                "country": settings.country,
                "reminders": int(settings.reminders),
                "quiet_from": None if quiet is None else f"{quiet.start:%H:%M}",
                "quiet_until": None if quiet is None else f"{quiet.end:%H:%M}",
                "announcements": int(settings.announcements),
                "checkin_prompts": int(settings.checkin_prompts),
                "now": to_epoch_ms(now),
            },
        )


def _settings(row: Row, defaults: Defaults) -> MemberSettings:
    return MemberSettings(
        defaults,
        timezone=_zone_name(row["timezone"]),
        country=row["country"],
        reminders=bool(row["reminders"]),
        quiet=_quiet(row["quiet_from"], row["quiet_until"]),
        announcements=bool(row["announcements"]),
        checkin_prompts=bool(row["checkin_prompts"]),
    )


def _zone_name(stored: str | None) -> str | None:
    """A stored zone that no longer loads (a newer tzdata dropped it) counts as not
    chosen, so meeting times fall back to the group's zone instead of failing."""
    if stored is None:
        return None
    try:
        ZoneInfo(stored)
    except (ZoneInfoNotFoundError, ValueError):
        return None
    return stored


def _quiet(start: str | None, end: str | None) -> QuietHours | None:
    if start is None or end is None:
        return None
    return QuietHours(time.fromisoformat(start), time.fromisoformat(end))
