"""The ``PersonalData`` of each store that keeps something linked to a member.

Sections of the export, in erasing order:
- ``memberships``: seats and places on waiting lists (``memberships``); erased by
  leaving, so a freed seat passes to the first in line, with their notice;
- ``rsvps``: answers about meetings (``rsvps``);
- ``settings``: their own settings (``member_settings``);
- ``messages``: the outbox rows to them, and those whose dedupe key names them, sent or
  not (``outbox``);
- ``member``: their name and when the bot first and last saw them (``members``); last,
  since the other tables refer to it.
"""

from __future__ import annotations

from collections.abc import Sequence

from bot.events import Actor
from bot.outbox import Outbox
from bot.storage.database import Executor
from groups.directory import GroupDirectory
from groups.meetings_repo import MeetingsRepository
from groups.member_settings import Defaults, MemberSettingsRepository
from groups.membership import MembershipService
from groups.membership_repo import MembershipRepository
from groups.models import SeatStatus
from groups.personal_data import PersonalData, iso, iso_or_none


class MembershipData:
    section = "memberships"

    def __init__(self, service: MembershipService, directory: GroupDirectory) -> None:
        self._service = service
        self._directory = directory
        self._repo = MembershipRepository()

    async def export(self, db: Executor, actor: Actor) -> object:
        found = []
        for membership in await self._repo.of_member(db, actor):
            group = self._directory.get(membership.group_slug)
            waiting = membership.status is SeatStatus.WAITLISTED
            found.append(
                {
                    "group": membership.group_slug,
                    "group_name": None if group is None else group.name,
                    "status": membership.status.value,
                    "waiting_list_position": membership.waitlist_position if waiting else None,
                    "joined_at": iso(membership.joined_at),
                    "seated_at": iso_or_none(membership.seated_at),
                }
            )
        return found

    async def erase(self, tx: Executor, actor: Actor) -> int:
        return await self._service.leave_everything(tx, actor)


class RsvpData:
    section = "rsvps"

    def __init__(self) -> None:
        self._repo = MeetingsRepository()

    async def export(self, db: Executor, actor: Actor) -> object:
        return [
            {
                "group": rsvp.group_slug,
                "meeting": iso(rsvp.occurrence),
                "answer": rsvp.answer,
                "answered_at": iso(rsvp.answered_at),
            }
            for rsvp in await self._repo.rsvps_of(db, actor)
        ]

    async def erase(self, tx: Executor, actor: Actor) -> int:
        return await self._repo.forget_rsvps(tx, actor)


class SettingsData:
    """What the member chose; None when they never changed a setting (every default)."""

    section = "settings"

    def __init__(self, defaults: Defaults) -> None:
        self._defaults = defaults
        self._repo = MemberSettingsRepository()

    async def export(self, db: Executor, actor: Actor) -> object:
        stored = await self._repo.stored(db, actor, self._defaults)
        if stored is None:
            return None
        mine = stored.settings
        return {
            "timezone": mine.timezone,
            "country": mine.country,
            "reminders": mine.reminders,
            "quiet_hours": None if mine.quiet is None else mine.quiet.text(),
            "announcement_copies": mine.announcements,
            "checkin_prompts": mine.checkin_prompts,
            "updated_at": iso(stored.updated_at),
        }

    async def erase(self, tx: Executor, actor: Actor) -> int:
        return await self._repo.forget(tx, actor)


class MessageData:
    """Outbox rows: to the member (``to_you``), or naming them in their key (a notice
    about them to a facilitator). The text is there until a row has ended."""

    section = "messages"

    def __init__(self, outbox: Outbox) -> None:
        self._outbox = outbox

    async def export(self, db: Executor, actor: Actor) -> object:
        return [
            {
                "kind": message.kind,
                "status": message.status,
                "to_you": message.to_them,
                "created_at": iso(message.created_at),
                "not_before": iso(message.not_before),
                "not_after": iso_or_none(message.not_after),
                "finished_at": iso_or_none(message.finished_at),
                "text": message.text,
            }
            for message in await self._outbox.about_person(db, actor)
        ]

    async def erase(self, tx: Executor, actor: Actor) -> int:
        return await self._outbox.erase_person(tx, actor)


class MemberData:
    section = "member"

    def __init__(self) -> None:
        self._repo = MembershipRepository()

    async def export(self, db: Executor, actor: Actor) -> object:
        record = await self._repo.record_of(db, actor)
        if record is None:
            return None
        return {
            "platform": record.member.platform,
            "user_id": record.member.user_id,
            "display_name": record.member.display_name,
            "first_seen": iso(record.first_seen),
            "last_seen": iso(record.last_seen),
        }

    async def erase(self, tx: Executor, actor: Actor) -> int:
        return await self._repo.forget_member(tx, actor)


def member_stores(
    membership: MembershipService,
    directory: GroupDirectory,
    defaults: Defaults,
    outbox: Outbox,
    *,
    also: Sequence[PersonalData] = (),
) -> list[PersonalData]:
    """Every store, in erasing order: these, then ``also`` (other features' stores, such
    as check-in markers), then the ``members`` row, which the others refer to."""
    return [
        MembershipData(membership, directory),
        RsvpData(),
        SettingsData(defaults),
        MessageData(outbox),
        *also,
        MemberData(),
    ]
