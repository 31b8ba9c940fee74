"""/settings: a member's own time zone, country, reminders, quiet hours and announcement
copies. Stored once changed, shown only to them, every change confirmed with its undo, and
every wrong value refused kindly with nothing saved."""

from __future__ import annotations

from datetime import UTC, datetime, time
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from bot.events import FormSubmitted, Place
from bot.replies import Audience
from groups.member_settings import QuietHours
from tests.harness import Harness, person, private_chat, write_config

pytestmark = pytest.mark.both_engines

alice, bob = person("alice"), person("bob")

DEFAULTS_SHOWN = (
    "Time zone: Europe/London (the default)",
    "Country for crisis help: GB (the default)",
    "Reminders before meetings: on",
    "Quiet hours: none",
    "Private copies of facilitators' announcements: off",
)


async def _settings(harness: Harness, who: object = alice) -> str:
    [shown] = await harness.say("/settings", as_=who)  # type: ignore[arg-type]
    assert shown.audience is Audience.ONLY_YOU
    return shown.text


async def test_everyone_starts_at_the_defaults_shown_only_to_them(harness: Harness) -> None:
    [shown] = await harness.say("/settings", as_=alice)

    assert shown.audience is Audience.ONLY_YOU
    for line in DEFAULTS_SHOWN:
        assert line in shown.text
    assert [b.action for b in shown.buttons] == [
        "settings:reminders off",
        "settings:announcements on",
        "settings:checkins off",
        "settings:edit",
    ]


async def test_typed_changes_are_kept_across_a_restart(tmp_path: Path) -> None:
    config = write_config(tmp_path, storage_url="sqlite:///s.sqlite3")
    first = await Harness.open(config)
    for line in (
        "/settings timezone Europe/Dublin",
        "/settings country ie",
        "/settings reminders off",
        "/settings quiet 22:00-08:00",
        "/settings announcements on",
    ):
        [done] = await first.say(line, as_=alice)
        assert done.text.startswith("Done:"), line
        assert done.audience is Audience.ONLY_YOU
    await first.close()

    second = await Harness.open(config)
    mine, theirs = await _settings(second, alice), await _settings(second, bob)
    buttons = [b.action for b in (await second.say("/settings", as_=alice))[0].buttons]
    await second.close()

    assert "Time zone: Europe/Dublin\n" in mine
    assert "Country for crisis help: IE\n" in mine
    assert "Reminders before meetings: off" in mine
    assert "Quiet hours: 22:00–08:00" in mine
    assert "Private copies of facilitators' announcements: on" in mine
    assert buttons[:2] == ["settings:reminders on", "settings:announcements off"]
    for line in DEFAULTS_SHOWN:  # one member's settings are theirs alone
        assert line in theirs


@pytest.mark.parametrize(
    ("typed", "confirmed", "undo"),
    [
        ("timezone Europe/Dublin", "your time zone is Europe/Dublin", "timezone default"),
        ("zone europe/dublin", "your time zone is Europe/Dublin", "timezone default"),
        ("country ie", "/crisis now shows helplines for IE", "country default"),
        ("country UK", "/crisis now shows helplines for GB", "country default"),
        ("reminders off", "reminders are off", "reminders on"),
        ("quiet 22:00-08:00", "quiet hours are 22:00–08:00 (Europe/London)", "quiet off"),
        ("quiet 9:30 – 17:00", "quiet hours are 09:30–17:00", "quiet off"),
        ("announcements on", "private copy of announcements", "announcements off"),
    ],
)
async def test_each_change_is_confirmed_with_the_command_that_undoes_it(
    harness: Harness, typed: str, confirmed: str, undo: str
) -> None:
    [done] = await harness.say(f"/settings {typed}", as_=alice)
    [undone] = await harness.press(f"settings:{undo}", as_=alice)
    after = await _settings(harness)

    assert confirmed in done.text
    assert f"This puts it back:\n/settings {undo}" in done.text
    assert [b.action for b in done.buttons] == [f"settings:{undo}"]
    assert undone.text.startswith("Done:")
    for line in DEFAULTS_SHOWN:
        assert line in after


async def test_undo_restores_the_value_before_not_the_default(harness: Harness) -> None:
    await harness.say("/settings quiet 23:00-07:00", as_=alice)
    [done] = await harness.say("/settings quiet 21:00-06:30", as_=alice)
    [undone] = await harness.press(done.buttons[0].action, as_=alice)

    assert done.buttons[0].action == "settings:quiet 23:00-07:00"
    assert "quiet hours are 23:00–07:00" in undone.text
    assert "Quiet hours: 23:00–07:00" in await _settings(harness)


async def test_saying_what_is_already_set_changes_nothing(harness: Harness) -> None:
    [same] = await harness.say("/settings reminders on", as_=alice)
    assert same.text.startswith("Nothing changed")
    assert same.buttons == ()


@pytest.mark.parametrize(
    ("typed", "refusal"),
    [
        ("timezone Mars/Base", "I don't know a time zone called “Mars/Base”"),
        ("timezone localtime", "I don't know a time zone called “localtime”"),
        ("timezone posix/Europe/London", "like Europe/Dublin or America/New_York"),
        ("country Ireland", "“Ireland” isn't a country code I can use"),
        ("country 12", "isn't a country code I can use"),
        ("quiet 22-8", "couldn't read “22-8” as quiet hours"),
        ("quiet 24:00-08:00", "couldn't read “24:00-08:00” as quiet hours"),
        ("quiet 22:00-08:60", "as quiet hours"),
        ("quiet 08:00-08:00", "a start and an end that differ"),
        ("reminders maybe", "For reminders, please say on or off"),
        ("announcements sometimes", "For announcements, please say on or off"),
        ("colour blue", "I don't have a setting called “colour”"),
        ("timezone", "Which time zone?"),
        ("country", "Which country?"),
        ("reminders", "/settings reminders off"),
        ("quiet", "Which hours?"),
        ("announcements", "/settings announcements on"),
    ],
)
async def test_a_wrong_or_missing_value_is_refused_kindly_and_nothing_is_saved(
    harness: Harness, typed: str, refusal: str
) -> None:
    [refused] = await harness.say(f"/settings {typed}", as_=alice)
    after = await _settings(harness)

    assert refusal in refused.text
    assert refused.audience is Audience.ONLY_YOU
    assert not refused.text.startswith("Done")
    for line in DEFAULTS_SHOWN:
        assert line in after


async def test_a_country_without_listed_helplines_points_to_the_directory(
    harness: Harness,
) -> None:
    [done] = await harness.say("/settings country ZZ", as_=alice)
    crisis = await harness.text("/crisis", as_=alice)

    assert "I don't have helplines listed for it yet" in done.text
    assert "https://findahelpline.com" in done.text
    assert "local emergency number" in crisis
    assert "https://findahelpline.com" in crisis


async def test_the_form_shows_what_is_set_and_changes_several_at_once(harness: Harness) -> None:
    home = private_chat(alice)
    await harness.say("/settings country IE", as_=alice)
    [opened] = await harness.press("settings:edit", as_=alice)
    [wrong] = await harness.handle(
        FormSubmitted(alice, home, "settings:", {"timezone": "Asia/Tokyo", "quiet": "late"})
    )
    kept = await _settings(harness)
    [done] = await harness.handle(
        FormSubmitted(
            alice, home, "settings:", {"timezone": "Asia/Tokyo", "country": "", "quiet": "off"}
        )
    )
    [empty] = await harness.handle(FormSubmitted(alice, home, "settings:", {}))
    after = await _settings(harness)

    assert opened.audience is Audience.ONLY_YOU
    assert opened.form is not None
    assert [f.name for f in opened.form.fields] == ["timezone", "country", "quiet"]
    assert all(not f.required for f in opened.form.fields)
    assert [f.hint.rsplit("now ", 1)[1] for f in opened.form.fields] == [
        "Europe/London",
        "IE",
        "none",
    ]
    assert "couldn't read “late” as quiet hours" in wrong.text
    assert "Time zone: Europe/London (the default)" in kept  # nothing saved from it
    assert "your time zone is Asia/Tokyo" in done.text
    assert "no quiet hours" not in done.text  # quiet hours were off already: no change
    assert "/settings timezone default" in done.text
    assert empty.text.startswith("Nothing changed")
    assert "Time zone: Asia/Tokyo\n" in after
    assert "Country for crisis help: IE" in after


async def test_two_changes_from_the_form_list_both_undos_and_offer_no_single_button(
    harness: Harness,
) -> None:
    await harness.say("/settings quiet 22:00-07:00", as_=alice)
    [done] = await harness.handle(
        FormSubmitted(alice, private_chat(alice), "settings:", {"country": "US", "quiet": "off"})
    )

    assert "helplines for US" in done.text
    assert "Done: no quiet hours" in done.text
    assert "/settings country default\n/settings quiet 22:00-07:00" in done.text
    assert done.buttons == ()


async def test_in_a_shared_chat_settings_are_still_only_for_me(harness: Harness) -> None:
    tina = person("tina", platform="telegram", user_id="777")
    chat = Place("telegram", "-100123", private=False)
    await harness.say("/settings country IE", as_=tina, place=chat)
    [shown] = await harness.say("/settings", as_=tina, place=chat)

    assert shown.audience is Audience.ONLY_YOU
    assert "Country for crisis help: IE" in shown.text


@pytest.mark.parametrize(
    ("quiet", "local", "ends"),
    [
        ((22, 8), (2026, 12, 1, 23, 0), (2026, 12, 2, 8, 0)),  # wraps midnight: next day
        ((22, 8), (2026, 12, 2, 7, 59), (2026, 12, 2, 8, 0)),  # after midnight: same day
        ((22, 8), (2026, 12, 1, 22, 0), (2026, 12, 2, 8, 0)),  # the start is quiet
        ((22, 8), (2026, 12, 2, 8, 0), None),  # the end is not
        ((22, 8), (2026, 12, 1, 21, 59), None),
        ((13, 14), (2026, 12, 1, 13, 30), (2026, 12, 1, 14, 0)),  # within one day
        ((13, 14), (2026, 12, 1, 12, 0), None),
        ((13, 14), (2026, 12, 1, 23, 0), None),
        ((0, 2), (2026, 3, 29, 0, 30), (2026, 3, 29, 2, 0)),  # 02:00 BST: an hour later
    ],
)
def test_quiet_hours_end_when_their_end_comes_in_the_members_zone(
    quiet: tuple[int, int],
    local: tuple[int, int, int, int, int],
    ends: tuple[int, int, int, int, int] | None,
) -> None:
    london = ZoneInfo("Europe/London")
    hours = QuietHours(time(quiet[0]), time(quiet[1]))
    instant = datetime(*local, tzinfo=london).astimezone(UTC)
    expected = None if ends is None else datetime(*ends, tzinfo=london).astimezone(UTC)
    assert hours.ends_after(instant, london) == expected
