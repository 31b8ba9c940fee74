"""Which server events a group's meetings should be shown as (pure: no platform, no storage).

A group that lives in a server (a ``Home`` with a ``guild_id``) has one event there for
each of its next meetings that will take place: a cancelled meeting has none, a moved one
has its new time and place. The event carries no group name unless the organizer gave
the group one in ``[events.names]``: its name is the neutral one (``[events] name``, or
the catalog's "Group meeting"), its description the catalog's, with the bot's marker on
its last line. The marker is made from the guild, the group's slug and the meeting's
*scheduled* start (its key), so a moved meeting keeps its event; it shows none of them.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field

from bot.catalog import Catalog
from bot.config.events import EventsSection
from bot.events_port import LOCATION_MAX, NAME_MAX, EventSpec, make_marker, with_marker
from bot.instants import to_epoch_ms
from groups.models import Group
from groups.recurrence import Occurrence


@dataclass(frozen=True, slots=True)
class EventWording:
    """What every event says, from ``[events]`` and the message catalog."""

    name: str  # the neutral name, for every group without its own
    description: str
    place_elsewhere: str  # the location when the place is not shown (or cannot be)
    show_place: bool = True
    names: Mapping[str, str] = field(default_factory=dict)  # a group's own, by slug

    @classmethod
    def from_settings(cls, section: EventsSection, catalog: Catalog) -> EventWording:
        return cls(
            name=section.name or catalog.text("guild_events.name"),
            description=catalog.text("guild_events.description"),
            place_elsewhere=catalog.text("guild_events.place_elsewhere"),
            show_place=section.show_place,
            names=dict(section.names),
        )

    def name_for(self, group: Group) -> str:
        return (self.names.get(group.slug) or self.name)[:NAME_MAX]

    def location_for(self, occurrence: Occurrence) -> str:
        """The meeting's place or link when shown and short enough to be whole (a link
        cut short would lead nowhere); else where to ask."""
        place = occurrence.place.strip()
        if self.show_place and 0 < len(place) <= LOCATION_MAX:
            return place
        return self.place_elsewhere[:LOCATION_MAX]


def guilds_of(group: Group, platform: str) -> tuple[str, ...]:
    """The servers ``group`` lives in on ``platform``, each once, in config order."""
    found = [h.guild_id for h in group.homes if h.platform == platform and h.guild_id]
    return tuple(dict.fromkeys(g for g in found if g is not None))


def occurrence_marker(guild_id: str, occurrence: Occurrence) -> str:
    return make_marker(guild_id, occurrence.group_slug, str(to_epoch_ms(occurrence.key)))


def event_for(
    guild_id: str, group: Group, occurrence: Occurrence, wording: EventWording
) -> EventSpec:
    marker = occurrence_marker(guild_id, occurrence)
    return EventSpec(
        guild_id=guild_id,
        marker=marker,
        name=wording.name_for(group),
        description=with_marker(wording.description, marker),
        start=occurrence.start,
        end=occurrence.end,
        location=wording.location_for(occurrence),
    )


def wanted_by_guild(
    meetings: Iterable[tuple[Group, Sequence[Occurrence]]], platform: str, wording: EventWording
) -> dict[str, list[EventSpec]]:
    """The events each server should have, nearest first: one per meeting that takes
    place (cancelled meetings are left out) of each group living there."""
    wanted: dict[str, list[EventSpec]] = {}
    for group, occurrences in meetings:
        for guild_id in guilds_of(group, platform):
            mine = wanted.setdefault(guild_id, [])
            mine += [event_for(guild_id, group, o, wording) for o in occurrences if not o.cancelled]
    for specs in wanted.values():
        specs.sort(key=lambda spec: (spec.start, spec.marker))
    return wanted
