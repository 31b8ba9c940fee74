"""Anonymous check-ins, end to end through the real core: the member's flow, the
thresholds at release, a release that never changes, and refusals that lose nothing."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.events import Place
from bot.replies import Audience
from tests.domain.checkin_helpers import (
    PERIOD,
    check_in,
    close_period,
    fran,
    join_all,
    open_harness,
    people,
)
from tests.harness import person

pytestmark = pytest.mark.both_engines


async def test_the_checkin_opens_a_private_form_with_mood_words_and_an_optional_note(
    tmp_path: Path,
) -> None:
    harness = await open_harness(tmp_path)
    try:
        alice = person("alice")
        await join_all(harness, [alice])
        [reply] = await harness.say("/checkin", as_=alice)
        assert reply.audience is Audience.ONLY_YOU
        assert reply.form is not None
        assert reply.form.form_id == "checkin:circle"
        mood, note = reply.form.fields
        assert next(c.label for c in mood.choices) == "1 · struggling"
        assert [c.label for c in mood.choices][-1] == "5 · doing well"
        assert not note.required
        assert note.max_length == 500
        assert "500" in note.hint
        assert "anonymous" in reply.text
        assert "at least 5" in reply.text
    finally:
        await harness.close()


async def test_a_checkin_is_thanked_privately_and_offers_contact_separately(
    tmp_path: Path,
) -> None:
    harness = await open_harness(tmp_path)
    try:
        alice = person("alice")
        await join_all(harness, [alice])
        [thanks] = await check_in(harness, alice, 2, "a hard week at work")
        assert thanks.audience is Audience.ONLY_YOU
        assert [b.action for b in thanks.buttons] == ["contactme:circle"]
        assert "a hard week" not in thanks.text  # nothing of the answer is echoed
        # Nothing reaches a facilitator before the period closes.
        assert harness.inbox(fran) == []
    finally:
        await harness.close()


async def test_contact_request_carries_the_name_and_nothing_of_the_checkin(
    tmp_path: Path,
) -> None:
    harness = await open_harness(tmp_path)
    try:
        alice = person("alice")
        await join_all(harness, [alice])
        await check_in(harness, alice, 1, "secret words")
        [sent] = await harness.press("contactme:circle", as_=alice)
        assert sent.audience is Audience.ONLY_YOU
        assert "Tuesday Circle" in sent.text
        [told] = harness.inbox(fran)
        assert "Alice" in told.text
        assert "secret words" not in told.text
        assert "struggling" not in told.text
        assert "check" not in told.text.lower()
        telegram_fran = person("fran", platform="telegram", user_id="4242")
        assert len(harness.inbox(telegram_fran)) == 1  # every configured facilitator
        await harness.press("contactme:circle", as_=alice)  # pressed twice the same day
        assert len(harness.inbox(fran)) == 1
    finally:
        await harness.close()


async def test_a_member_may_replace_their_own_answer_until_close(tmp_path: Path) -> None:
    harness = await open_harness(tmp_path)
    try:
        crowd = people(5)
        await join_all(harness, crowd)
        for member in crowd:
            await check_in(harness, member, 3)
        [intro] = await harness.say("/checkin circle", as_=crowd[0])
        assert "already checked in" in intro.text
        await check_in(harness, crowd[0], 5)  # replaces their 3
        await close_period(harness)
        [release] = harness.inbox(fran)
        assert "5 people checked in" in release.text
        assert "okay 4" in release.text
        assert "doing well 1" in release.text
    finally:
        await harness.close()


async def test_four_respondents_give_no_numbers_five_do_and_notes_wait_for_ten(
    tmp_path: Path,
) -> None:
    for count, numbers, notes in ((4, False, False), (5, True, False), (10, True, True)):
        harness = await open_harness(tmp_path / str(count))
        try:
            crowd = people(count)
            await join_all(harness, crowd)
            for index, member in enumerate(crowd):
                await check_in(harness, member, index % 5 + 1, f"note number {index}")
            await close_period(harness)
            [release] = harness.inbox(fran)
            assert ("not enough check-ins this week" in release.text) is not numbers
            assert (f"{count} people checked in" in release.text) is numbers
            assert ("note number" in release.text) is notes
            assert release.audience is Audience.PRIVATE_MESSAGE
        finally:
            await harness.close()


async def test_nothing_is_released_before_close_and_nothing_accepted_after(
    tmp_path: Path,
) -> None:
    harness = await open_harness(tmp_path)
    try:
        crowd = people(6)
        await join_all(harness, crowd)
        await harness.app.checkins.run_due()  # opens both groups' periods
        for member in crowd[:5]:
            await check_in(harness, member, 4)
        assert await harness.app.checkins.run_due() == 0  # still open: nothing to release
        assert harness.inbox(fran) == []
        [checkins_reply] = await harness.say("/checkins circle", as_=fran)
        assert "No check-in for Tuesday Circle has closed yet" in checkins_reply.text
        await close_period(harness)
        [late] = await check_in(harness, crowd[5], 1, "too late")
        assert late.audience is Audience.ONLY_YOU
        assert "closed" in late.text
        assert "Traceback" not in late.text
        answers = await harness.app.checkins.releases(harness.app.directory.get("circle"))  # type: ignore[arg-type]
        assert answers[0].respondents == 5
    finally:
        await harness.close()


async def test_two_releases_of_one_period_never_differ(tmp_path: Path) -> None:
    harness = await open_harness(tmp_path)
    try:
        crowd = people(12)
        await join_all(harness, crowd)
        for index, member in enumerate(crowd):
            await check_in(harness, member, index % 5 + 1, f"thought {index}")
        await close_period(harness)
        assert await harness.app.checkins.release("circle", PERIOD) == 0  # claimed once
        first = await harness.say("/checkins circle", as_=fran)
        second = await harness.say("/checkins circle", as_=fran)
        assert [r.text for r in first] == [r.text for r in second]
        assert len(harness.inbox(fran)) == 1
    finally:
        await harness.close()


async def test_in_a_shared_chat_checkin_only_points_to_the_private_chat(tmp_path: Path) -> None:
    harness = await open_harness(tmp_path)
    try:
        tina = person("tina", platform="telegram", user_id="777")
        await harness.say("/join circle", as_=tina)
        chat = Place("telegram", chat_id="-100123", private=False)
        [pointer] = await harness.say("/checkin", as_=tina, place=chat)
        assert pointer.audience is Audience.PRIVATE_MESSAGE
        assert pointer.form is None
        assert [b.action for b in pointer.buttons] == ["checkin:"]
    finally:
        await harness.close()


async def test_without_a_key_checkins_are_refused_kindly_and_nothing_is_stored(
    tmp_path: Path,
) -> None:
    harness = await open_harness(tmp_path, environ={})
    try:
        alice = person("alice")
        await join_all(harness, [alice])
        [reply] = await harness.say("/checkin", as_=alice)
        assert "aren't switched on yet" in reply.text
        assert reply.form is None
        [refused] = await check_in(harness, alice, 2, "hello")
        assert "aren't switched on yet" in refused.text
        rows = await harness.app.database.fetch_all("SELECT * FROM checkins")
        assert rows == []
    finally:
        await harness.close()


async def test_members_get_one_prompt_when_a_period_opens_unless_they_opted_out(
    tmp_path: Path,
) -> None:
    harness = await open_harness(tmp_path)
    try:
        alice, bob = person("alice"), person("bob")
        await join_all(harness, [alice, bob])
        await harness.say("/settings checkins off", as_=bob)
        await harness.app.checkins.run_due()
        await harness.app.checkins.run_due()
        await harness.app.delivery.deliver_due(limit=100)
        prompts = [
            r for r in harness.inbox(alice) if "check-in for Tuesday Circle is open" in r.text
        ]
        assert len(prompts) == 1
        assert [b.action for b in prompts[0].buttons] == ["checkin:circle"]
        assert not [r for r in harness.inbox(bob) if "is open" in r.text]
    finally:
        await harness.close()


async def test_only_seated_members_check_in(tmp_path: Path) -> None:
    harness = await open_harness(tmp_path)
    try:
        stranger = person("stranger")
        [refused] = await check_in(harness, stranger, 3)
        assert "for its members" in refused.text
        assert await harness.app.database.fetch_all("SELECT * FROM checkins") == []
    finally:
        await harness.close()


async def test_checkins_shows_released_weeks_with_a_sparkline_and_a_chart(
    tmp_path: Path,
) -> None:
    harness = await open_harness(tmp_path)
    try:
        crowd = people(6)
        await join_all(harness, crowd)
        for member in crowd:
            await check_in(harness, member, 4)
        await close_period(harness)
        harness.clock.advance(days=4)  # the next Sunday: a week with too few answers
        await harness.app.checkins.run_due()
        await check_in(harness, crowd[0], 1)
        harness.clock.advance(days=3, seconds=1)
        await harness.app.checkins.run_due()
        [report] = await harness.say("/checkins circle", as_=fran)
        assert report.audience is Audience.ONLY_YOU
        assert "6 people checked in" in report.text
        assert "not enough check-ins this week" in report.text
        assert "▆·" in report.text  # oldest first: 4.0, then too few
        assert report.attachment is not None
        assert report.attachment.media_type == "image/png"
        assert report.attachment.content.startswith(b"\x89PNG")
        gus = person("gus")  # facilitates "carers", not "circle"
        [refused] = await harness.say("/checkins circle", as_=gus)
        assert refused.attachment is None
        assert "6 people" not in refused.text
    finally:
        await harness.close()


async def test_a_crisis_phrase_in_a_note_gets_support_at_once_and_the_answer_still_counts(
    tmp_path: Path,
) -> None:
    harness = await open_harness(tmp_path)
    try:
        alice = person("alice")
        await join_all(harness, [alice])
        replies = await check_in(harness, alice, 1, "honestly I want to end my life")
        support, thanks = replies
        assert support.audience is Audience.ONLY_YOU
        assert thanks.audience is Audience.ONLY_YOU
        assert "116 123" in support.text  # her helplines, at once
        assert {b.action for b in support.buttons} == {
            "supportalert:me",
            "supportalert:anon",
            "supportalert:no",
        }
        assert harness.inbox(fran) == []  # nobody is told without her choice
        rows = await harness.app.database.fetch_all("SELECT mood FROM checkins")
        assert [row["mood"] for row in rows] == [1]  # nothing deleted, nothing muted
        [calm] = await check_in(harness, alice, 3, "this traffic is killing me")
        assert calm.buttons[0].action == "contactme:circle"
    finally:
        await harness.close()
