"""Who sees each reply: pinned for every reply of every command, in a shared chat and in
a private one. Member data (a seat, a waiting-list place, a roster, a crisis request) is
never ``HERE`` in a shared chat; only public facts are."""

from __future__ import annotations

from dataclasses import dataclass

import pytest

from bot.events import FormSubmitted, Place
from bot.replies import Audience
from bot.roles import Role
from tests.harness import Harness, person, private_chat

HERE, ONLY_YOU, PRIVATE = Audience.HERE, Audience.ONLY_YOU, Audience.PRIVATE_MESSAGE
GROUP_CHAT = Place("telegram", chat_id="-100123", private=False)  # where "circle" lives

tina = person("tina", platform="telegram", user_id="777")
uma = person("uma", platform="telegram", user_id="778")
vic = person("vic", platform="telegram", user_id="779")
fran = person("fran", platform="telegram", user_id="4242")  # facilitates "circle"
olive = person("olive")  # an organizer


@dataclass(frozen=True)
class Case:
    name: str
    command: str
    expected: tuple[Audience, ...]
    setup: tuple[str, ...] = ()  # "/join circle" lines said first, by uma then vic
    by: str = "tina"  # "uma-first", "tina-first": that person joins circle, then speaks
    shared: tuple[Audience, ...] | None = None  # in a shared chat, if not ``expected``


FULL = ("/join circle", "/join circle")  # uma and vic take both seats


CASES = [
    Case("start", "/start", (HERE,)),
    Case("help", "/help", (HERE,)),
    Case("crisis", "/crisis", (ONLY_YOU,)),
    Case("groups", "/groups", (HERE,)),
    Case("join seated", "/join circle", (ONLY_YOU,)),
    Case("join waitlisted", "/join circle", (ONLY_YOU,), FULL),
    Case("join again", "/join circle", (ONLY_YOU,), (), "uma-first"),
    Case("join again waitlisted", "/join circle", (ONLY_YOU,), FULL, "tina-first"),
    Case("join choose", "/join", (ONLY_YOU,)),
    Case("join unknown group", "/join nowhere", (ONLY_YOU,)),
    Case("leave", "/leave circle", (ONLY_YOU,), (), "uma-first"),
    Case("leave waitlist", "/leave circle", (ONLY_YOU,), FULL, "tina-first"),
    Case("leave not a member", "/leave circle", (ONLY_YOU,)),
    Case("leave choose", "/leave", (ONLY_YOU,), (), "uma-first"),
    Case("leave choose none", "/leave", (ONLY_YOU,)),
    Case("mygroups", "/mygroups", (ONLY_YOU,), (), "uma-first"),
    Case("mygroups none", "/mygroups", (ONLY_YOU,)),
    Case("roster", "/roster circle", (ONLY_YOU,), ("/join circle",), "fran"),
    Case("roster refused", "/roster circle", (ONLY_YOU,), ("/join circle",)),
    Case("remove", "/remove circle Uma", (ONLY_YOU,), ("/join circle",), "fran"),
    Case("remove asks", "/remove circle um", (ONLY_YOU,), ("/join circle",), "fran"),
    Case("remove too short", "/remove circle u", (ONLY_YOU,), ("/join circle",), "fran"),
    Case("remove by organizer", "/remove circle Uma", (ONLY_YOU,), ("/join circle",), "olive"),
    Case("next of a group", "/next circle", (HERE,)),
    Case("next of mine", "/next", (ONLY_YOU,), (), "uma-first"),
    Case("next none of mine", "/next", (ONLY_YOU,)),
    Case("rsvp", "/rsvp circle yes", (ONLY_YOU,), (), "uma-first"),
    Case("rsvp not seated", "/rsvp circle yes", (ONLY_YOU,)),
    Case("rsvp bad answer", "/rsvp circle perhaps", (ONLY_YOU,), (), "uma-first"),
    Case("calendar", "/calendar circle", (HERE,)),
    Case("calendar unknown group", "/calendar nowhere", (ONLY_YOU,)),
    Case("cancel", "/cancel circle snow", (ONLY_YOU,), ("/join circle",), "fran"),
    Case("cancel refused", "/cancel circle", (ONLY_YOU,), ("/join circle",)),
    Case("move", "/move circle 2026-12-01 20:00", (ONLY_YOU,), ("/join circle",), "fran"),
    Case("move bad date", "/move circle 1st 20:00", (ONLY_YOU,), (), "fran"),
    Case("attendance", "/attendance circle", (ONLY_YOU,), ("/join circle",), "fran"),
    Case("attendance refused", "/attendance circle", (ONLY_YOU,), ("/join circle",)),
    Case("announce", "/announce circle Bring a mug!", (ONLY_YOU,), (), "fran"),
    Case("announce refused", "/announce circle hi", (ONLY_YOU,)),
    Case("settings", "/settings", (ONLY_YOU,)),
    Case("settings with a group", "/settings", (ONLY_YOU,), (), "uma-first"),
    Case("settings change", "/settings timezone Europe/Dublin", (ONLY_YOU,)),
    Case("settings switch", "/settings reminders off", (ONLY_YOU,)),
    Case("settings quiet", "/settings quiet 22:00-08:00", (ONLY_YOU,)),
    Case("settings country unlisted", "/settings country ZZ", (ONLY_YOU,)),
    Case("settings unchanged", "/settings announcements off", (ONLY_YOU,)),
    Case("settings form", "/settings edit", (ONLY_YOU,)),
    Case("settings wrong value", "/settings quiet soon", (ONLY_YOU,)),
    Case("settings missing value", "/settings country", (ONLY_YOU,)),
    Case("settings unknown", "/settings colour blue", (ONLY_YOU,)),
    Case("checkin", "/checkin circle", (ONLY_YOU,), (), "uma-first", (PRIVATE,)),
    Case("checkin no group", "/checkin", (ONLY_YOU,), (), "tina", (PRIVATE,)),
    Case("checkin not a member", "/checkin circle", (ONLY_YOU,), (), "tina", (PRIVATE,)),
    Case("contactme", "/contactme circle", (ONLY_YOU,), (), "uma-first"),
    Case("contactme not a member", "/contactme circle", (ONLY_YOU,)),
    Case("checkins", "/checkins circle", (ONLY_YOU,), (), "fran"),
    Case("checkins refused", "/checkins circle", (ONLY_YOU,)),
    Case("mydata", "/mydata", (ONLY_YOU,), (), "uma-first"),
    Case("mydata of nobody", "/mydata", (ONLY_YOU,)),
    Case("forgetme asks", "/forgetme", (ONLY_YOU,), (), "uma-first"),
    Case("forgetme typed confirm asks", "/forgetme confirm", (ONLY_YOU,), (), "uma-first"),
    Case("forgetme cancel", "/forgetme cancel", (ONLY_YOU,), (), "uma-first"),
    # 1795683600 is the harness clock's start: a "Yes" button shown seconds ago.
    Case("forgetme erases", "/forgetme confirm 1795683600", (ONLY_YOU,), FULL, "tina-first"),
    Case("supportalert me", "/supportalert me", (ONLY_YOU,), (), "uma-first"),
    Case("supportalert anon", "/supportalert anon", (ONLY_YOU,), (), "uma-first"),
    Case("supportalert no", "/supportalert no", (ONLY_YOU,), (), "uma-first"),
    Case("supportalert without a group", "/supportalert me", (ONLY_YOU,)),
    Case("unknown command", "/frobnicate", (ONLY_YOU,)),
    Case("too long", "/join " + "x" * 3000, (ONLY_YOU,)),
]
COVERED = {case.command.split()[0].lstrip("/") for case in CASES}


async def _run(harness: Harness, case: Case, place: Place | None) -> list[Audience]:
    for line, who in zip(case.setup, (uma, vic), strict=False):
        await harness.say(line, as_=who)
    speakers = {"tina": tina, "fran": fran, "olive": olive, "uma-first": uma, "tina-first": tina}
    speaker = speakers[case.by]
    if case.by.endswith("-first"):
        await harness.say("/join circle", as_=speaker)
    where = place if speaker.platform == "telegram" else None
    return [reply.audience for reply in await harness.say(case.command, as_=speaker, place=where)]


@pytest.mark.parametrize("case", CASES, ids=[case.name for case in CASES])
async def test_every_reply_in_a_shared_chat_has_its_pinned_audience(
    harness: Harness, case: Case
) -> None:
    expected = case.expected if case.shared is None else case.shared
    assert await _run(harness, case, GROUP_CHAT) == list(expected)


@pytest.mark.parametrize("case", CASES, ids=[case.name for case in CASES])
async def test_every_reply_in_a_private_chat_has_its_pinned_audience(
    harness: Harness, case: Case
) -> None:
    assert await _run(harness, case, None) == list(case.expected)


def test_the_table_covers_every_command(harness: Harness) -> None:
    registered = {spec.name for spec in harness.app.dispatcher.commands}
    assert registered - COVERED == set(), "pin the audience of the new command's replies"


@pytest.mark.parametrize("place", [GROUP_CHAT, None], ids=["shared", "private"])
@pytest.mark.parametrize(
    "answers",
    [{"timezone": "Asia/Tokyo", "country": "IE"}, {"quiet": "later"}, {}],
    ids=["changed", "refused", "unchanged"],
)
async def test_the_settings_forms_answers_are_only_for_the_member(
    harness: Harness, place: Place | None, answers: dict[str, str]
) -> None:
    where = place or private_chat(tina)
    harness.outbound["telegram"].grant(tina, where, Role.MEMBER)
    replies = await harness.handle(FormSubmitted(tina, where, "settings:", answers))
    assert [reply.audience for reply in replies] == [ONLY_YOU]


async def test_notices_the_bot_sends_on_its_own_are_private_messages(harness: Harness) -> None:
    for member in (tina, uma, vic):
        await harness.say("/join circle", as_=member)

    await harness.say("/remove circle Tina", as_=fran)  # vic is promoted

    [removed] = harness.inbox(tina)
    [promoted] = harness.inbox(vic)
    assert removed.audience is PRIVATE
    assert promoted.audience is PRIVATE


# That no reply naming a member is ever HERE, whoever speaks and wherever: the
# authorization matrix (test_authorization_matrix.py) checks it for every command.
