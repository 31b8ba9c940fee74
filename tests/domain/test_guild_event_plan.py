"""Planning a server's events: the cap, the bot's own events only, nothing twice, and the
marker that tells the bot's events apart."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from bot.events_port import (
    DESCRIPTION_MAX,
    EventSpec,
    GuildEvent,
    make_marker,
    marker_in,
    with_marker,
)
from groups.guild_event_plan import plan_guild

NOW = datetime(2026, 11, 26, 9, 0, tzinfo=UTC)
GUILD = "111111111111111111"


def spec(n: int, *, hours: float = 0, name: str = "Group meeting") -> EventSpec:
    marker = make_marker(GUILD, "group", str(n))
    start = NOW + timedelta(days=n + 1, hours=hours)
    return EventSpec(
        GUILD, marker, name, with_marker("A group meeting.", marker), start,
        start + timedelta(hours=1), "Riverside Library",
    )  # fmt: skip


def event_of(
    wanted: EventSpec, event_id: str, *, made_by_bot: bool = True, active: bool = False
) -> GuildEvent:
    return GuildEvent(
        event_id, wanted.guild_id, wanted.name, wanted.description, wanted.start, wanted.end,
        wanted.location, made_by_bot=made_by_bot, active=active,
    )  # fmt: skip


def foreign(n: int) -> GuildEvent:
    start = NOW + timedelta(days=n)
    end = start + timedelta(hours=1)
    return GuildEvent(str(5000 + n), GUILD, "Movie night", "", start, end, "Lounge", False)


def unmarked(event_id: str, description: str, *, made_by_bot: bool) -> GuildEvent:
    start = NOW + timedelta(days=2)
    return GuildEvent(
        event_id, GUILD, "Group meeting", description, start, None, "Lounge", made_by_bot
    )


def test_an_empty_server_gets_every_wanted_event_nearest_first() -> None:
    wanted = [spec(3), spec(1), spec(2)]
    plan = plan_guild(GUILD, wanted, [], NOW)

    assert [s.marker for s in plan.creates] == [spec(n).marker for n in (1, 2, 3)]
    assert plan.deletes == ()
    assert plan.edits == ()
    assert plan.left_out == 0


def test_events_already_right_are_left_alone() -> None:
    wanted = [spec(1), spec(2)]
    existing = [event_of(s, str(10 + i)) for i, s in enumerate(wanted)]

    assert plan_guild(GUILD, wanted, existing, NOW).empty


def test_the_cap_counts_everyone_s_events_and_leaves_the_furthest_out() -> None:
    others = [foreign(n) for n in range(30)]
    wanted = [spec(n) for n in range(90)]
    plan = plan_guild(GUILD, wanted, others, NOW)

    assert len(plan.creates) == 70
    assert plan.left_out == 20
    assert max(s.start for s in plan.creates) < min(s.start for s in wanted[70:])
    assert plan.deletes == ()


def test_a_full_server_loses_the_bot_s_furthest_events_for_nearer_ones() -> None:
    later = [spec(n) for n in range(10, 15)]
    existing = [foreign(n) for n in range(95)] + [event_of(s, str(9000 + n)) for n, s in
                                                  enumerate(later)]  # fmt: skip
    wanted = [spec(1), spec(2), *later]
    plan = plan_guild(GUILD, wanted, existing, NOW)

    assert [s.marker for s in plan.creates] == [spec(1).marker, spec(2).marker]
    assert [e.marker for e in plan.deletes] == [later[3].marker, later[4].marker]
    after = len(existing) - len(plan.deletes) + len(plan.creates)
    assert after == 100


def test_nothing_but_the_bot_s_own_marked_events_is_ever_edited_or_deleted() -> None:
    copied = with_marker("copied from the bot's event", spec(1).marker)
    untouchable = [
        foreign(1),  # someone else's
        unmarked("7001", copied, made_by_bot=False),  # someone copied the bot's text
        unmarked("7002", "no marker here", made_by_bot=True),  # the bot's, by other means
    ]
    plan = plan_guild(GUILD, [], untouchable, NOW)

    assert plan.empty


def test_a_moved_meeting_s_event_is_edited_in_place() -> None:
    before = spec(2)
    moved = EventSpec(
        GUILD, before.marker, before.name, before.description,
        before.start + timedelta(hours=3), before.end + timedelta(hours=3), "Room 4",
    )  # fmt: skip
    event = event_of(before, "42")
    plan = plan_guild(GUILD, [moved], [event], NOW)

    assert plan.edits == ((event, moved),)
    assert plan.creates == ()
    assert plan.deletes == ()


def test_events_no_longer_wanted_are_deleted() -> None:
    over, kept = spec(1), spec(2)
    existing = [event_of(over, "1"), event_of(kept, "2")]

    plan = plan_guild(GUILD, [kept], existing, NOW)

    assert [e.event_id for e in plan.deletes] == ["1"]


def test_a_meeting_under_way_keeps_its_event_untouched_and_none_is_made_late() -> None:
    under_way = spec(0, hours=-24.5)  # started half an hour ago
    starting = spec(0, hours=-23.99)  # starts in under a minute
    changed = EventSpec(
        GUILD, under_way.marker, "Another name", under_way.description, under_way.start,
        under_way.end, under_way.location,
    )  # fmt: skip

    plan = plan_guild(GUILD, [changed, starting], [event_of(under_way, "3")], NOW)

    assert plan.empty


def test_an_event_someone_started_is_not_edited() -> None:
    wanted = spec(1, name="Group meeting")
    started = event_of(spec(1, name="Old name"), "8", active=True)

    assert plan_guild(GUILD, [wanted], [started], NOW).empty


def test_two_events_for_one_meeting_become_one() -> None:
    wanted = spec(1)
    plan = plan_guild(GUILD, [wanted], [event_of(wanted, "20"), event_of(wanted, "3")], NOW)

    assert [e.event_id for e in plan.deletes] == ["20"]  # the older one stays


def test_the_marker_is_stable_opaque_and_only_read_from_the_last_line() -> None:
    marker = make_marker(GUILD, "alcohol-recovery", "1764183600000")

    assert marker == make_marker(GUILD, "alcohol-recovery", "1764183600000")
    assert marker != make_marker(GUILD, "alcohol-recovery", "1764788400000")
    assert "alcohol" not in marker
    assert GUILD not in marker
    assert marker_in(with_marker("A group meeting.", marker)) == marker
    assert marker_in(f"{marker}\nsomething after it") is None
    assert marker_in(f"see {marker}x") is None
    assert marker_in("") is None


def test_a_long_description_is_cut_to_fit_with_its_marker() -> None:
    marker = make_marker("g", "s", "k")
    text = with_marker("word " * 400, marker)

    assert len(text) <= DESCRIPTION_MAX
    assert marker_in(text) == marker
