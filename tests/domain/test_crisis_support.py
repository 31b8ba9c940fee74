"""The crisis safety net end to end: a private message with a crisis phrase gets one
supportive, private reply with helplines; facilitators hear only when the member presses
a button, and never what the member wrote."""

from __future__ import annotations

import logging
from datetime import timedelta

import pytest

from bot.events import Place
from bot.instants import from_epoch_ms
from bot.replies import Audience, Reply
from tests.harness import Harness, person

# "circle" (Tuesday Circle) is facilitated by console:fran and telegram:4242.
tina = person("tina", user_id="m-55501")
nora = person("nora", user_id="m-55502")
fran = person("fran")
fran_on_telegram = person("fran", platform="telegram", user_id="4242")
WORDS = "Honestly I want to end my life, nobody gets it"
NOT_A_COMMAND = "I only understand commands for now"
GROUP_CHAT = Place("telegram", chat_id="-100123", private=False)


async def _seated(harness: Harness) -> None:
    await harness.say("/join circle", as_=tina)


async def _support_rows(harness: Harness) -> list[dict[str, object]]:
    rows = await harness.app.database.fetch_all(
        "SELECT * FROM outbox WHERE dedupe_key LIKE 'support:%' ORDER BY id"
    )
    return [dict(row) for row in rows]


def _facilitator_messages(harness: Harness) -> list[Reply]:
    return harness.inbox(fran) + harness.inbox(fran_on_telegram)


async def test_a_crisis_message_gets_one_private_supportive_reply_with_buttons(
    harness: Harness,
) -> None:
    await _seated(harness)

    [reply] = await harness.say(WORDS, as_=tina)

    assert reply.audience is Audience.ONLY_YOU
    assert "automated message from PeerCircle" in reply.text
    assert "I'm a bot, not a counsellor" in reply.text
    assert "You deserve support right now" in reply.text
    assert "Samaritans: call 116 123" in reply.text  # the bot's country is GB
    assert "999" in reply.text
    assert [button.action for button in reply.buttons] == [
        "supportalert:me",
        "supportalert:anon",
        "supportalert:no",
    ]
    assert WORDS not in reply.text
    assert await _support_rows(harness) == []  # nothing goes anywhere without a press
    assert _facilitator_messages(harness) == []


async def test_a_member_with_no_group_gets_the_helplines_only(harness: Harness) -> None:
    [reply] = await harness.say("je veux mourir", as_=nora)
    assert reply.audience is Audience.ONLY_YOU
    assert "Samaritans: call 116 123" in reply.text
    assert reply.buttons == ()


async def test_a_member_on_a_waiting_list_only_gets_no_buttons(harness: Harness) -> None:
    await harness.say("/join circle", as_=person("uma"))
    await harness.say("/join circle", as_=person("vic"))
    await harness.say("/join circle", as_=tina)  # circle holds two: tina waits
    [reply] = await harness.say(WORDS, as_=tina)
    assert reply.buttons == ()


async def test_the_members_own_country_is_used(harness: Harness) -> None:
    await harness.say("/settings country IE", as_=nora)
    [reply] = await harness.say("I want to die", as_=nora)
    assert "Ireland" in reply.text


async def test_in_a_shared_chat_nothing_happens(harness: Harness) -> None:
    telegram_tina = person("tina", platform="telegram", user_id="777")
    await harness.say("/join circle", as_=telegram_tina)
    assert await harness.say(WORDS, as_=telegram_tina, place=GROUP_CHAT) == []
    assert await _support_rows(harness) == []


@pytest.mark.parametrize(
    "idiom",
    ["this traffic is killing me", "I'm dying to see the film", "me muero de risa", "hello"],
)
async def test_everything_else_gets_the_usual_answer(harness: Harness, idiom: str) -> None:
    [reply] = await harness.say(idiom, as_=tina)
    assert NOT_A_COMMAND in reply.text
    assert reply.buttons == ()


async def test_let_a_facilitator_know_its_me_sends_the_name_and_nothing_else(
    harness: Harness,
) -> None:
    await _seated(harness)
    await harness.say(WORDS, as_=tina)

    [reply] = await harness.press("supportalert:me", as_=tina)

    assert reply.audience is Audience.ONLY_YOU
    assert "I've let the facilitators of Tuesday Circle know" in reply.text
    messages = _facilitator_messages(harness)
    assert len(messages) == 2  # fran on the console and on Telegram
    for message in messages:
        assert message.audience is Audience.PRIVATE_MESSAGE
        assert message.text.startswith("Tina, a member of Tuesday Circle, would like")
        assert "get in touch" in message.text
        assert "end my life" not in message.text
        assert "nobody gets it" not in message.text


async def test_a_second_press_the_same_day_sends_nothing_more(harness: Harness) -> None:
    await _seated(harness)
    await harness.press("supportalert:me", as_=tina)
    [again] = await harness.press("supportalert:me", as_=tina)
    assert "already let the facilitators" in again.text
    assert len(_facilitator_messages(harness)) == 2


async def test_without_my_name_goes_later_with_no_name_and_no_id(harness: Harness) -> None:
    await _seated(harness)
    await harness.say(WORDS, as_=tina)
    pressed_at = harness.clock.now() + timedelta(seconds=1)  # ``press`` moves the clock

    [reply] = await harness.press("supportalert:anon", as_=tina)

    assert reply.audience is Audience.ONLY_YOU
    assert "without your name" in reply.text
    assert _facilitator_messages(harness) == []  # not at once: timing must not point at her
    rows = await _support_rows(harness)
    assert len(rows) == 2
    for row in rows:
        delay = from_epoch_ms(int(str(row["not_before"]))) - pressed_at
        assert timedelta(minutes=5) <= delay <= timedelta(minutes=20)
        for value in row.values():
            for trace in ("m-55501", tina.key, "Tina", "tina"):
                assert trace not in str(value)

    harness.clock.advance(minutes=21)
    await harness.app.delivery.deliver_due(limit=20)
    messages = _facilitator_messages(harness)
    assert len(messages) == 2
    for message in messages:
        assert message.text.startswith("Someone in Tuesday Circle may need support right now")
        assert "Tina" not in message.text
        assert "end my life" not in message.text


async def test_no_thanks_sends_nothing(harness: Harness) -> None:
    await _seated(harness)
    await harness.say(WORDS, as_=tina)
    [reply] = await harness.press("supportalert:no", as_=tina)
    assert "nothing has been sent to anyone" in reply.text
    assert reply.audience is Audience.ONLY_YOU
    assert await _support_rows(harness) == []
    harness.clock.advance(minutes=30)
    await harness.app.delivery.deliver_due(limit=20)
    assert _facilitator_messages(harness) == []


async def test_a_press_without_a_group_or_with_an_odd_choice_sends_nothing(
    harness: Harness,
) -> None:
    [lonely] = await harness.press("supportalert:me", as_=nora)
    assert "couldn't find a facilitator" in lonely.text
    [odd] = await harness.press("supportalert:maybe", as_=tina)
    assert "didn't recognise that choice" in odd.text
    assert await _support_rows(harness) == []


async def test_the_supportalert_command_is_not_listed(harness: Harness) -> None:
    listed = {spec.name for spec in harness.app.dispatcher.commands.listed()}
    assert "supportalert" not in listed
    assert "supportalert" not in await harness.text("/help", as_=tina)


async def test_the_members_words_never_reach_a_log(
    harness: Harness, caplog: pytest.LogCaptureFixture
) -> None:
    await _seated(harness)
    with caplog.at_level(logging.DEBUG):
        await harness.say(WORDS, as_=tina)
        await harness.say("this traffic is killing me", as_=tina)
        await harness.press("supportalert:me", as_=tina)
        await harness.press("supportalert:anon", as_=tina)
        harness.clock.advance(minutes=21)
        await harness.app.delivery.deliver_due(limit=20)
    for fragment in ("end my life", "nobody gets it", "traffic is killing"):
        assert fragment not in caplog.text
    assert len(_facilitator_messages(harness)) == 4
