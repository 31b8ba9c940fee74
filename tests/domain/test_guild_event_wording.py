"""What an event says, and which servers a group's meetings go to."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, time

from bot.catalog import Catalog
from bot.config.events import EventsSection
from bot.events_port import LOCATION_MAX, EventSpec, marker_in
from groups.guild_events import EventWording, guilds_of, wanted_by_guild
from groups.models import CONSOLE_HOME, Group, Home, Schedule
from groups.recurrence import OccurrenceChange, occurrences

NOW = datetime(2026, 11, 20, 9, 0, tzinfo=UTC)
GUILD, OTHER = "111111111111111111", "333333333333333333"
CIRCLE = Group(
    slug="alcohol-recovery",
    name="Alcohol Recovery Circle",
    description="For people recovering from alcohol use.",
    capacity=10,
    facilitators=frozenset(),
    timezone="Europe/London",
    online=True,
    location="",
    schedule=Schedule("weekly", 1, time(19, 0), 60, link="https://meet.example/abc"),
    homes=(
        CONSOLE_HOME,
        Home("telegram", chat_id="-100"),
        Home("discord", guild_id=GUILD, chat_id="1"),
        Home("discord", guild_id=GUILD, chat_id="2"),
        Home("discord", guild_id=OTHER),
    ),
)


def _wording(**settings: object) -> EventWording:
    return EventWording.from_settings(EventsSection.model_validate(settings), Catalog.load("en"))


def _first(group: Group, wording: EventWording) -> EventSpec:
    [spec] = wanted_by_guild([(group, occurrences(group, NOW, 1))], "discord", wording)[GUILD]
    return spec


def test_a_group_s_meetings_go_once_to_each_server_it_lives_in() -> None:
    assert guilds_of(CIRCLE, "discord") == (GUILD, OTHER)
    assert guilds_of(CIRCLE, "telegram") == ()
    found = occurrences(CIRCLE, NOW, 3)
    wanted = wanted_by_guild([(CIRCLE, found)], "discord", _wording())

    assert sorted(wanted) == sorted([GUILD, OTHER])
    assert [s.start for s in wanted[GUILD]] == [o.start for o in found]
    assert {s.marker for s in wanted[GUILD]}.isdisjoint({s.marker for s in wanted[OTHER]})


def test_an_event_names_neither_the_group_nor_what_it_is_for() -> None:
    spec = _first(CIRCLE, _wording())
    shown = f"{spec.name}\n{spec.description}\n{spec.location}".casefold()

    assert spec.name == "Group meeting"
    assert "alcohol" not in shown
    assert "recover" not in shown
    assert marker_in(spec.description) == spec.marker
    assert spec.location == "https://meet.example/abc"


def test_a_cancelled_meeting_has_no_event_and_a_moved_one_keeps_its_marker() -> None:
    first, second, third = occurrences(CIRCLE, NOW, 3)
    later = second.start.replace(hour=20)
    changes = {
        first.key: OccurrenceChange(first.key, cancelled=True),
        second.key: OccurrenceChange(second.key, new_start=later, new_place="Room 4"),
    }
    found = occurrences(CIRCLE, NOW, 3, changes)
    before = wanted_by_guild([(CIRCLE, [second])], "discord", _wording())[GUILD]
    after = wanted_by_guild([(CIRCLE, found)], "discord", _wording())[GUILD]

    assert [s.start for s in after] == [later, third.start]
    assert after[0].marker == before[0].marker
    assert after[0].location == "Room 4"


def test_a_place_that_cannot_be_shown_whole_is_asked_for_instead() -> None:
    long_link = replace(CIRCLE.schedule, link="https://meet.example/" + "x" * LOCATION_MAX)
    elsewhere = "Type /next in this server to see where"
    assert _first(replace(CIRCLE, schedule=long_link), _wording()).location == elsewhere
    assert _first(replace(CIRCLE, online=False), _wording()).location == elsewhere
    assert _first(CIRCLE, _wording(show_place=False)).location == elsewhere


def test_names_come_from_the_settings_when_given() -> None:
    wording = _wording(name="Meeting", names={"alcohol-recovery": "Tuesday evening"})
    other = replace(CIRCLE, slug="other-group")

    assert wording.name_for(CIRCLE) == "Tuesday evening"
    assert wording.name_for(other) == "Meeting"
