"""The domain's services and commands, assembled once over one database and outbox.

The composition root (``bot.app``) hands in what the core built (settings, storage,
clock, outbox, catalog); everything the domain needs is wired here, in dependency order,
and ``registry`` lists every command in the order /help shows them.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import timedelta
from functools import partial

from bot.calendar_links import feed_link
from bot.catalog import Catalog
from bot.clock import Clock
from bot.commands import CommandRegistry
from bot.config import Settings
from bot.form_progress_sql import FormProgressData
from bot.live_messages import LiveMessages
from bot.outbox import Outbox
from bot.storage import Database
from groups.announcements import Announcements
from groups.checkin_commands import CheckinCommands
from groups.checkin_keys import CheckinKeys
from groups.checkin_notices import CheckinNotices
from groups.checkin_personal_data import CheckinPersonalData
from groups.checkin_report import CheckinReport
from groups.checkins import CheckinService
from groups.commands import GroupCommands
from groups.crisis import HelplineDirectory
from groups.crisis_phrases import CrisisPhrases
from groups.crisis_support import CrisisSupport
from groups.data_rights import DataRightsCommands
from groups.directory import GroupDirectory
from groups.facilitator_notices import FacilitatorNotices
from groups.meeting_card import MeetingCards
from groups.meeting_commands import MeetingCommands
from groups.meeting_notices import MeetingNotices
from groups.meetings import MeetingService
from groups.member_settings import Defaults, MemberSettingsService
from groups.membership import MembershipService
from groups.notices import MembershipNotices
from groups.personal_data import DataRights, PersonalData
from groups.personal_data_stores import member_stores
from groups.reminders import ReminderPlanner
from groups.roster import RosterCommands
from groups.settings_commands import SettingsCommands

logger = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class DomainServices:
    """The domain services, built once over one database and outbox."""

    database: Database
    directory: GroupDirectory
    clock: Clock
    outbox: Outbox
    membership: MembershipService
    member_settings: MemberSettingsService
    meetings: MeetingService
    reminders: ReminderPlanner
    checkins: CheckinService
    data_rights: DataRights

    @classmethod
    def build(
        cls,
        settings: Settings,
        database: Database,
        directory: GroupDirectory,
        clock: Clock,
        outbox: Outbox,
        catalog: Catalog,
    ) -> DomainServices:
        notices = MembershipNotices(outbox, catalog)
        membership = MembershipService(database, directory, clock, notices)
        defaults = Defaults(settings.bot.timezone, settings.bot.country)
        member_settings = MemberSettingsService(database, clock, defaults)
        meeting_notices = MeetingNotices(outbox, catalog)
        keys = _checkin_keys(settings)
        checkins = CheckinService(
            database,
            directory,
            clock,
            keys,
            CheckinNotices(outbox, catalog),
            member_settings,
            retention=timedelta(days=settings.checkins.retention_days),
            prompts=settings.checkins.prompts,
        )
        also: list[PersonalData] = [CheckinPersonalData(keys), FormProgressData()]
        stores = member_stores(membership, directory, defaults, outbox, also=also)
        return cls(
            database,
            directory,
            clock,
            outbox,
            membership,
            member_settings,
            MeetingService(database, clock, meeting_notices, member_settings),
            ReminderPlanner(database, directory, clock, meeting_notices, member_settings),
            checkins,
            DataRights(database, clock, stores),
        )

    def crisis_support(
        self, settings: Settings, helplines: HelplineDirectory, phrases: CrisisPhrases
    ) -> CrisisSupport:
        """The supportive reply to crisis phrases (the dispatcher's text listener, and
        what a check-in's note goes through) and its facilitator buttons."""
        return CrisisSupport(
            phrases,
            helplines,
            self.member_settings,
            self.membership,
            self.directory,
            FacilitatorNotices(self.outbox),
            self.database,
            bot_name=settings.bot.name,
        )

    def registry(
        self,
        settings: Settings,
        helplines: HelplineDirectory,
        support: CrisisSupport,
        live: LiveMessages | None = None,
    ) -> CommandRegistry:
        """Every command, in the order /help lists them. ``live``: how the meeting
        cards /next posts in shared chats are refreshed (None: never)."""
        db, directory, membership = self.database, self.directory, self.membership
        member_settings = self.member_settings
        links = partial(feed_link, settings.http)  # calendar subscription links, if any
        cards = MeetingCards(self.meetings, live)
        meetings = MeetingCommands(
            self.meetings, membership, directory, member_settings, links, cards
        )
        return CommandRegistry(
            [
                *GroupCommands(
                    membership, directory, helplines, member_settings, bot_name=settings.bot.name
                ).specs(),
                *meetings.specs(),
                *RosterCommands(membership, directory).specs(),
                *Announcements(db, self.outbox, directory, self.clock, member_settings).specs(),
                *SettingsCommands(member_settings, helplines).specs(),
                *CheckinCommands(self.checkins, membership, directory, support).specs(),
                *CheckinReport(self.checkins, directory).specs(),
                *DataRightsCommands(self.data_rights).specs(),
                *support.specs(),
            ]
        )


def _checkin_keys(settings: Settings) -> CheckinKeys | None:
    """Check-ins need the key from the environment; without it they are switched off
    (and said so once here, and by ``check-config``), never weakened."""
    section = settings.checkins
    secret = section.hmac_key
    if secret is None and section.enabled and settings.groups:
        logger.warning(
            "check-ins are switched off: set PEERCIRCLE_CHECKINS__HMAC_KEY (a long random "
            "secret kept outside the database) to turn them on"
        )
    return None if secret is None else CheckinKeys(secret.get_secret_value())
