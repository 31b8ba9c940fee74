"""The groups an organizer configured, and finding one from what a member typed."""

from __future__ import annotations

import difflib
import re
from collections.abc import Iterable, Sequence

from bot.config import DEFAULT_REMINDERS, GroupCheckins, GroupConfig, ScheduleConfig, Settings
from bot.config.rule import rule_parts
from bot.errors import UserError
from bot.events import Actor
from bot.text import quote_back
from groups.models import CONSOLE_HOME, WEEKDAYS, CheckinRules, Group, Home, Schedule


class GroupDirectory:
    def __init__(self, groups: Iterable[Group]) -> None:
        self._take(groups)

    @classmethod
    def from_settings(cls, settings: Settings) -> GroupDirectory:
        return cls(group_from_config(config) for config in settings.groups)

    def all(self) -> tuple[Group, ...]:
        return self._all

    def replace(self, groups: Iterable[Group]) -> None:
        """Take the groups of a reloaded config; everyone holding this directory sees
        them from now on."""
        self._take(groups)

    def _take(self, groups: Iterable[Group]) -> None:
        """Keep the groups, and what ``resolve`` looks them up by (worked out once, not
        at every command: an organization may have thousands)."""
        self._groups = {group.slug: group for group in groups}
        self._all = tuple(self._groups.values())
        self._positions = {group.slug: index for index, group in enumerate(self._all)}
        self._names = tuple((g, _normalise(g.name)) for g in self._all)
        self._exact: dict[str, Group] = {}  # slug or normalised name -> the first group
        self._facilitated: dict[str, list[Group]] = {}  # member key -> the groups they run
        for group, name in self._names:
            self._exact.setdefault(group.slug, group)
            self._exact.setdefault(name, group)
            for member in sorted(group.facilitators):
                self._facilitated.setdefault(member, []).append(group)

    def facilitated_by(self, actor: Actor) -> tuple[Group, ...]:
        """The groups whose config names ``actor`` as a facilitator, in config order."""
        return tuple(self._facilitated.get(actor.key, ()))

    def position(self, group: Group) -> int:
        """Where ``group`` comes in the config (for listing groups in that order)."""
        return self._positions.get(group.slug, len(self._positions))

    def get(self, slug: str) -> Group | None:
        return self._groups.get(slug)

    def resolve(self, query: str) -> Group:
        """Find a group forgivingly: slug or name, any case, spaces for hyphens, a unique
        prefix. Raises ``UserError`` with a "did you mean" when nothing fits."""
        wanted = _normalise(query)
        if not wanted:
            raise UserError("groups.find.empty")
        exact = self._exact.get(wanted)
        if exact is not None:
            return exact
        prefixed = [
            g for g, name in self._names if g.slug.startswith(wanted) or name.startswith(wanted)
        ]
        if len(prefixed) == 1:
            return prefixed[0]
        if prefixed:
            raise UserError(
                "groups.find.ambiguous", query=quote_back(query), options=_list(prefixed)
            )
        return self._closest(query, wanted)

    def _closest(self, query: str, wanted: str) -> Group:
        names = {g.slug: g for g in self._all}
        names.update({name: g for g, name in self._names})
        close = difflib.get_close_matches(wanted, list(names), n=1, cutoff=0.6)
        if close:
            raise UserError(
                "groups.find.did_you_mean", query=quote_back(query), slug=names[close[0]].slug
            )
        raise UserError("groups.find.unknown", query=quote_back(query))


def _normalise(text: str) -> str:
    """``"  Tuesday Recovery-Circle "`` -> ``"tuesday-recovery-circle"``."""
    return re.sub(r"[\s_-]+", "-", text.strip().casefold()).strip("-#")


def _list(groups: Sequence[Group]) -> str:
    return ", ".join(group.slug for group in groups)


def group_from_config(config: GroupConfig) -> Group:
    return Group(
        slug=config.slug,
        name=config.name,
        description=config.description,
        capacity=config.capacity,
        facilitators=frozenset(config.facilitators),
        timezone=config.timezone,
        online=config.online,
        location=config.location,
        schedule=schedule_from_config(config.schedule),
        homes=homes_from_config(config),
        previously=tuple(config.previously),
        checkins=checkin_rules_from_config(config.checkins),
        country=config.country,
    )


def checkin_rules_from_config(config: GroupCheckins) -> CheckinRules:
    """A group's check-in rules (``Settings`` has filled in what ``[checkins]`` says)."""
    defaults = CheckinRules()
    return CheckinRules(
        enabled=defaults.enabled if config.enabled is None else config.enabled,
        weekday=WEEKDAYS.index(config.opens_on) if config.opens_on else defaults.weekday,
        opens_at=config.opens_at or defaults.opens_at,
        open_days=config.open_days or defaults.open_days,
        min_respondents=config.min_respondents or defaults.min_respondents,
        notes_min_respondents=config.notes_min_respondents or defaults.notes_min_respondents,
    )


def homes_from_config(config: GroupConfig) -> tuple[Home, ...]:
    """Where the group lives: always the console, plus its Telegram chat and its Discord
    server (or one channel of it) when the config names them."""
    homes = [CONSOLE_HOME]
    if config.telegram_chat_id is not None:
        homes.append(Home("telegram", chat_id=str(config.telegram_chat_id)))
    if config.discord_guild_id is not None:
        channel = config.discord_channel_id
        homes.append(
            Home(
                "discord",
                guild_id=str(config.discord_guild_id),
                chat_id=None if channel is None else str(channel),
            )
        )
    return tuple(homes)


def schedule_from_config(config: ScheduleConfig) -> Schedule:
    reminders = DEFAULT_REMINDERS if config.reminders is None else tuple(config.reminders)
    return Schedule(
        frequency=config.repeats,
        weekday=_weekday(config),
        start=config.time,
        duration_minutes=config.duration_minutes,
        starts_on=config.starts,
        week_of_month=config.week_of_month,
        rrule=config.rrule,
        until=config.until,
        reminders=reminders,
        link=config.link,
    )


_RULE_DAYS = ("MO", "TU", "WE", "TH", "FR", "SA", "SU")


def _weekday(config: ScheduleConfig) -> int:
    """The day the group meets; for an rrule, the first day its BYDAY names (else the
    first meeting's), so words that name one day stay true for a simple rule."""
    if config.weekday is not None:
        return WEEKDAYS.index(config.weekday)
    days = rule_parts(config.rrule or "").get("BYDAY", "")
    named = [day[-2:] for day in days.split(",") if day[-2:] in _RULE_DAYS]
    if named:
        return _RULE_DAYS.index(named[0])
    return config.starts.weekday() if config.starts is not None else 0
