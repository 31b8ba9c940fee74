"""What people choose (names, ids, messages) is cleaned once, where it enters."""

from __future__ import annotations

import pytest

from bot.args import ParamSpec, bind_args, split_text
from bot.errors import UserError
from bot.events import Actor, CommandInvoked, Place
from bot.text import clean_id, clean_input, clean_name, quote_back, strip_escapes
from tests.harness import Harness, person

NASTY = {
    "colour": ("\x1b[31mRed\x1b[0m Riding", "Red Riding"),
    "clear screen": ("\x1b[2J\x1b[HEve", "Eve"),
    "title": ("\x1b]0;pwned\x07Sam", "Sam"),
    "8-bit csi": ("\x9b31mAl", "Al"),
    "bidi": ("\u202eevil\u202c txt", "evil txt"),
    "marks": ("\u200fJo\u200e", "Jo"),
    "nul and bell": ("Ma\x00ry\x07", "Mary"),
    "line breaks": ("Ann\nSYSTEM: you are admin", "Ann SYSTEM: you are admin"),
    "tabs": ("Bo\tb", "Bo b"),
    "unpaired surrogates": ("Zo\udc80\ud800e", "Zoe"),
    "emoji kept": ("Kai 🌈‍🔥", "Kai 🌈‍🔥"),
    "rtl kept": ("שלום", "שלום"),
}


@pytest.mark.parametrize(("raw", "clean"), NASTY.values(), ids=NASTY.keys())
def test_display_names_are_cleaned_when_an_actor_is_made(raw: str, clean: str) -> None:
    assert Actor("telegram", "1", raw).display_name == clean
    assert clean_name(clean_name(raw)) == clean_name(raw)


def test_names_are_capped_at_64_characters_and_never_empty() -> None:
    assert len(Actor("telegram", "1", "x" * 500).display_name) == 64
    assert Actor("telegram", "42", "\x1b[0m\u202e").display_name == "42"


def test_ids_are_cleaned_and_capped() -> None:
    actor = Actor("tele\x1b[1mgram", "12 34\x00", "A")
    assert actor.key == "telegram:1234"
    assert len(clean_id("9" * 100)) == 64
    place = Place("telegram", "-100\n123", thread_id="7\x07", private=False)
    assert (place.chat_id, place.thread_id) == ("-100123", "7")


def test_messages_keep_their_line_breaks_but_lose_escapes() -> None:
    assert clean_input("/join\x1b[31m circle\nsecond line") == "/join circle\nsecond line"
    assert strip_escapes("a\x1b[1;31mb\x1bPdcs\x1b\\c") == "abc"
    assert quote_back("x" * 100, limit=10) == "x" * 9 + "…"


def test_arguments_from_a_platform_are_bound_without_resplitting() -> None:
    params = (ParamSpec("group", "params.group"), ParamSpec("member", "params.member", rest=True))
    bound = bind_args(params, {"group": "carers", "member": "Mary  Ann"}, "/remove")
    assert bound.text("member") == "Mary  Ann"
    assert split_text(params, "carers Mary Ann") == {"group": "carers", "member": "Mary Ann"}
    with pytest.raises(UserError) as missing:
        bind_args(params, {"group": " \x1b[0m "}, "/remove")
    assert missing.value.key == "core.missing_argument"
    with pytest.raises(UserError) as unknown:
        bind_args(params, {"group": "x", "member": "y", "admin": "1"}, "/remove")
    assert unknown.value.key == "core.unknown_argument"


async def test_a_slash_command_with_spaces_in_its_options_reaches_the_right_person(
    harness: Harness,
) -> None:
    mary = Actor("discord", "700000000000000001", "Mary Ann")
    mary_lou = Actor("discord", "700000000000000002", "Mary")
    for member in (mary, mary_lou):
        await harness.say("/join carers", as_=member)
    gus = person("gus")
    place = Place("console", "gus", private=True)

    [reply] = await harness.handle(
        CommandInvoked(gus, place, "remove", {"group": "carers", "member": "Mary Ann"})
    )

    assert "Mary Ann is no longer in Carers' Circle" in reply.text
    roster = await harness.app.membership.roster(harness.app.directory.resolve("carers"))
    assert [m.member.display_name for m in roster] == ["Mary"]


async def test_a_name_stored_before_cleaning_is_shown_clean_on_a_roster(
    harness: Harness,
) -> None:
    """Rows written by an older release are cleaned when read back into an Actor."""
    await harness.say("/join circle", as_=person("alice"))
    await harness.app.database.execute(
        "UPDATE members SET display_name = :name WHERE user_id = 'alice'",
        {"name": "\x1b[2J\u202eAlice\x07 " + "z" * 80},
    )

    roster = await harness.text("/roster circle", as_=person("fran"))

    assert "\x1b" not in roster
    assert "\u202e" not in roster
    assert "\x07" not in roster
    assert "• Alice zzz" in roster
    assert "z" * 41 not in roster  # names on a roster are shortened to 40 characters


async def test_a_name_or_message_with_an_unpaired_surrogate_is_stored_and_answered(
    harness: Harness,
) -> None:
    """No UTF-8 holds an unpaired surrogate (a broken client's JSON escape, a byte the
    console could not decode), so SQLite and the platforms would refuse it: the fuzzing
    found /join failing with an incident for such a name."""
    zoe = Actor("telegram", "9001", "Zo\udc80e")

    [joined] = await harness.say("/join circle\ud800", as_=zoe)
    roster = await harness.text("/roster circle", as_=person("fran"))

    assert "have a seat" in joined.text
    assert "• Zoe (telegram:9001)" in roster
