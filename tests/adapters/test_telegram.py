"""The Telegram adapter beyond the conformance suite: what only Telegram has (commands
addressed to a bot, callback answers, forum topics, deep links, chat admins, forms as
conversations), against the fake Bot API with the real core behind the adapter."""

from __future__ import annotations

from pathlib import Path

from adapters.telegram.adapter import command_description
from bot.app import BotApp
from bot.args import Args
from bot.catalog import Catalog
from bot.commands import CommandSpec
from bot.config import load_settings
from bot.context import Context
from bot.dispatcher import Dispatcher
from bot.events import Place
from bot.replies import Audience, Button, Reply
from bot.roles import Role
from tests.adapters.conformance import SECRET, Seen
from tests.adapters.telegram_driver import TelegramDriver, dispatcher_with
from tests.fakes.telegram_api import FakeTelegramApi
from tests.harness import write_config

CATALOG = Catalog.load()
POINTER = CATALOG.text("audience.sent_privately")
EXPIRED = CATALOG.text("core.form_expired")


def _texts(seen: list[Seen]) -> list[str]:
    return [s.text for s in seen]


# -- what is for us -------------------------------------------------------------------------


async def test_a_command_addressed_to_another_bot_is_ignored(driver: TelegramDriver) -> None:
    assert await driver.say("alice", "/here@SomeOtherBot", shared=True) == []
    assert await driver.say("alice", "/here@SomeOtherBot", shared=False) == []

    to_us = await driver.say("alice", "/here@PeerCircleTestBot", shared=True)
    to_nobody = await driver.say("alice", "/here", shared=True)
    assert _texts(to_us) == _texts(to_nobody) == ["For everyone: the group meets on Tuesdays."]


async def test_chatter_in_a_group_gets_no_answer_but_a_private_chat_always_does(
    driver: TelegramDriver,
) -> None:
    assert await driver.say("alice", "just saying hi", shared=True) == []
    [answer] = await driver.say("alice", "just saying hi", shared=False)
    assert answer.text == CATALOG.text("core.not_a_command")


async def test_a_sticker_in_the_private_chat_is_answered_kindly(driver: TelegramDriver) -> None:
    alice = driver.user("alice")
    sticker = {
        "message_id": 99,
        "from": alice.to_json(),
        "chat": {"id": alice.id, "type": "private", "first_name": "alice"},
        "date": 0,
        "sticker": {"file_id": "x", "file_unique_id": "y", "type": "regular"}
        | {"width": 1, "height": 1, "is_animated": False, "is_video": False},
    }
    seen = await driver.acting(lambda: driver.fake.inject_update("message", sticker))
    assert _texts(seen) == [CATALOG.text("core.empty_message")]


async def test_messages_from_bots_are_ignored(driver: TelegramDriver) -> None:
    other_bot = driver.fake.user("Helper")
    update = {
        "message_id": 5,
        "from": other_bot.to_json() | {"is_bot": True},
        "chat": {"id": driver.group.id, "type": "supergroup", "title": "Circle"},
        "date": 0,
        "text": "/here",
        "entities": [{"type": "bot_command", "offset": 0, "length": 5}],
    }
    assert await driver.acting(lambda: driver.fake.inject_update("message", update)) == []


async def test_a_forum_topic_is_answered_in_that_topic(driver: TelegramDriver) -> None:
    forum = driver.fake.group("Circles", is_forum=True)
    alice = driver.user("alice")
    await driver.acting(lambda: driver.fake.inject_message(alice, "/here", chat=forum, thread_id=7))
    await driver.acting(lambda: driver.fake.inject_message(alice, "/dm", chat=forum, thread_id=7))
    here, pointer = driver.fake.sent_messages(forum)
    assert (here.thread_id, pointer.thread_id) == (7, 7)
    assert pointer.text == POINTER


# -- buttons --------------------------------------------------------------------------------


async def test_every_button_press_is_answered(driver: TelegramDriver) -> None:
    await driver.say("bob", "/choose", shared=False)
    await driver.press("bob", "Pick apple", shared=False)

    await driver.say("alice", "/choose", shared=True)  # ONLY_YOU: the buttons go privately
    await driver.press("alice", "Pick pear", shared=False)

    driver.fake.fault_server_error(times=99)  # now every reply fails to send
    sent = driver.last_with_button(driver.user("bob").id, "Pick pear")
    await driver.acting(
        lambda: driver.fake.press_button(driver.user("bob"), sent, text="Pick pear")
    )

    answered = [answer.data for answer in driver.fake.answered_callbacks()]
    assert answered == ["picked:apple", "picked:pear", "picked:pear"]


async def test_a_button_pressed_in_a_group_acts_for_whoever_pressed_it(
    driver: TelegramDriver,
) -> None:
    offer = Reply("Who wants one?", audience=Audience.HERE, buttons=(Button("Mine", "mine:"),))
    sent = await driver.adapter.send(driver.shared_place(), offer)
    assert sent.chat_id == str(driver.group.id)

    seen = await driver.press("carol", "Mine", shared=True)

    # Privately, and no pointer in the group: many presses on one message (a meeting
    # card) must not flood the group with "I've sent you a private message".
    assert [(s.where, s.person) for s in seen] == [("private", "carol")]
    assert seen[0].text == f"{SECRET} carol"


# -- private messages and pointers ----------------------------------------------------------


async def test_someone_who_never_started_the_bot_gets_a_deep_link_not_the_content(
    driver: TelegramDriver,
) -> None:
    stranger = driver.fake.user("Sam")  # never pressed Start
    seen = await driver.acting(
        lambda: driver.fake.inject_message(stranger, "/mine", chat=driver.group)
    )
    [pointer] = seen
    assert pointer.where == "chat"
    assert "https://t.me/PeerCircleTestBot?start=start" in pointer.text
    assert SECRET not in pointer.text
    assert "Sam" not in pointer.text
    [record] = driver.fake.sent_messages(driver.group)
    assert record.reply_parameters is not None  # it answers Sam's message: no name needed


async def test_several_private_replies_get_one_pointer(fake: FakeTelegramApi) -> None:
    driver = TelegramDriver(fake)

    async def twice(ctx: Context, args: Args) -> list[Reply]:
        return [
            Reply(f"{SECRET} one", audience=Audience.ONLY_YOU),
            Reply(f"{SECRET} two", audience=Audience.PRIVATE_MESSAGE),
        ]

    dispatcher = _dispatcher(driver, CommandSpec("twice", "commands.help", twice))
    await driver.start(dispatcher)
    try:
        seen = await driver.say("alice", "/twice", shared=True)
    finally:
        await driver.close()
    assert [(s.where, s.text) for s in seen] == [
        ("private", f"{SECRET} one"),
        ("private", f"{SECRET} two"),
        ("chat", POINTER),
    ]


# -- forms ----------------------------------------------------------------------------------


async def test_a_form_opened_in_a_group_is_a_private_conversation(driver: TelegramDriver) -> None:
    seen = await driver.say("alice", "/survey", shared=True)
    assert [(s.where, s.person) for s in seen] == [
        ("private", "alice"),
        ("private", "alice"),
        ("chat", None),
    ]
    assert seen[1].buttons == ("1 of 5", "2 of 5", "3 of 5", "4 of 5", "5 of 5", "Cancel")
    assert seen[2].text == POINTER

    done = await driver.fill_form("alice", ["2", "fine"], shared=True)
    assert done[-1] == Seen("private", "alice", "Thanks: mood 2, note “fine”.")
    assert not [s for s in done if s.where == "chat"]


async def test_form_buttons_carry_compact_data(driver: TelegramDriver) -> None:
    await driver.say("bob", "/survey", shared=False)
    question = driver.fake.sent_messages(driver.user("bob"))[-1]
    assert all(data is not None and len(data.encode()) <= 64 for _, data in question.buttons)


async def test_an_optional_question_can_be_skipped_and_a_form_cancelled(
    driver: TelegramDriver,
) -> None:
    await driver.say("bob", "/survey", shared=False)
    await driver.fill_form("bob", ["5"], shared=False)
    [thanks] = await driver.press("bob", "Skip", shared=False)
    assert thanks.text == "Thanks: mood 5, note “”."

    await driver.say("bob", "/survey", shared=False)
    [cancelled] = await driver.press("bob", "Cancel", shared=False)
    assert cancelled.text == CATALOG.text("telegram.form.cancelled")
    [not_an_answer] = await driver.say("bob", "3", shared=False)  # the form is gone
    assert not_an_answer.text == CATALOG.text("core.not_a_command")


async def test_wrong_answers_are_asked_for_again(driver: TelegramDriver) -> None:
    await driver.say("bob", "/survey", shared=False)
    [again] = await driver.say("bob", "seven", shared=False)
    assert again.text.startswith(CATALOG.text("telegram.form.not_a_choice"))
    assert "question 1 of 2" in again.text
    await driver.say("bob", "4 of 5", shared=False)  # a label typed is a choice too
    [too_long] = await driver.say("bob", "x" * 201, shared=False)
    assert too_long.text.startswith(CATALOG.text("telegram.form.too_long", limit=200))
    [thanks] = await driver.say("bob", "ok", shared=False)
    assert thanks.text == "Thanks: mood 4, note “ok”."


async def test_a_command_puts_an_open_form_away_and_is_answered(driver: TelegramDriver) -> None:
    await driver.say("bob", "/survey", shared=False)
    seen = await driver.say("bob", "/here", shared=False)
    assert _texts(seen) == [
        "For everyone: the group meets on Tuesdays.",
        CATALOG.text("telegram.form.put_away"),
    ]
    [not_an_answer] = await driver.say("bob", "2", shared=False)
    assert not_an_answer.text == CATALOG.text("core.not_a_command")


async def test_crisis_with_an_invisible_mark_before_it_is_a_command_not_an_answer(
    driver: TelegramDriver,
) -> None:
    await driver.say("bob", "/survey", shared=False)
    seen = await driver.say("bob", "\u200f/here", shared=False)
    assert _texts(seen) == [
        "For everyone: the group meets on Tuesdays.",
        CATALOG.text("telegram.form.put_away"),
    ]


async def test_without_a_store_a_restart_forgets_open_forms_and_says_so_kindly(
    fake: FakeTelegramApi,
) -> None:
    first = TelegramDriver(fake)
    await first.start()
    await first.say("bob", "/survey", shared=False)
    await first.close()

    second = TelegramDriver(fake, users=first.users)  # a new process: nothing remembered
    await second.start()
    try:
        bob = second.user("bob")
        question = fake.sent_messages(bob)[-1]
        pressed = await second.acting(lambda: fake.press_button(bob, question, text="3 of 5"))
        replied = await second.acting(lambda: fake.inject_reply_to_bot(bob, question, "fine"))
    finally:
        await second.close()
    assert _texts(pressed) == _texts(replied) == [EXPIRED]
    [answer] = fake.answered_callbacks()
    assert (answer.data, answer.user_id) == (dict(question.buttons)["3 of 5"], bob.id)


async def test_a_form_for_someone_unreachable_is_not_left_open(driver: TelegramDriver) -> None:
    await driver.block("alice")
    seen = await driver.say("alice", "/survey", shared=True)
    assert [s.where for s in seen] == ["chat"]
    assert "?start=start" in seen[0].text
    driver.fake.set_blocked(driver.user("alice"), False)
    [answer] = await driver.say("alice", "3", shared=False)
    assert answer.text == CATALOG.text("core.not_a_command")


# -- proactive sends, edits, commands -------------------------------------------------------


async def test_edit_replaces_the_first_part_and_deletes_the_rest(driver: TelegramDriver) -> None:
    place = driver.shared_place()
    ref = await driver.adapter.send(place, Reply("word " * 2000, audience=Audience.HERE))
    assert len(ref.message_ids) == 3
    seen = await driver.seen_since(driver.adapter.edit(ref, Reply("short", audience=Audience.HERE)))
    assert [(s.where, s.text) for s in seen] == [("chat", "short")]
    assert [m.deleted for m in driver.fake.sent_messages(driver.group)] == [False, True, True]


async def test_member_commands_are_published_with_their_summaries(fake: FakeTelegramApi) -> None:
    driver = TelegramDriver(fake)
    dispatcher = _dispatcher(driver)
    await driver.adapter.register_commands(list(dispatcher.commands))
    await driver.start(dispatcher)
    try:
        await fake.wait_for_call("setMyCommands")
    finally:
        await driver.close()
    published = fake.commands()
    names = [c["command"] for c in published]
    assert names == [
        "here",
        "mine",
        "dm",
        "choose",
        "picked",
        "survey",
        "long",
        "echo",
        "file",
        "image",
    ]
    assert published[0]["description"] == CATALOG.text("commands.help")


async def test_commands_that_cannot_be_published_do_not_stop_the_adapter(
    fake: FakeTelegramApi,
) -> None:
    fake.fault("setMyCommands", 400, "Bad Request: BOT_COMMAND_INVALID")
    driver = TelegramDriver(fake)
    dispatcher = _dispatcher(driver)
    await driver.adapter.register_commands(list(dispatcher.commands))
    await driver.start(dispatcher)
    try:
        [answer] = await driver.say("bob", "/here", shared=False)
    finally:
        await driver.close()
    assert answer.text.startswith("For everyone")
    assert fake.commands() == []


# -- chat admins ----------------------------------------------------------------------------


async def test_chat_admins_are_facilitators_only_in_their_chat(fake: FakeTelegramApi) -> None:
    driver = TelegramDriver(fake, admins_are_facilitators=True)
    ada = driver.user("ada")
    other = fake.group("Elsewhere")
    fake.set_chat_member(driver.group, ada, "administrator")
    fake.set_chat_member(other, driver.user("owen"), "creator")
    adapter = driver.adapter
    here, elsewhere = driver.shared_place(), Place("telegram", str(other.id), private=False)

    assert await adapter.platform_role(driver.actor("ada"), here) is Role.FACILITATOR
    assert await adapter.platform_role(driver.actor("owen"), elsewhere) is Role.FACILITATOR
    assert await adapter.platform_role(driver.actor("ada"), elsewhere) is Role.MEMBER
    assert await adapter.platform_role(driver.actor("ada"), _private(ada.id)) is Role.MEMBER
    assert await adapter.platform_role(driver.actor("bob"), here) is Role.MEMBER

    asked = len(fake.calls_to("getChatMember"))
    assert await adapter.platform_role(driver.actor("ada"), here) is Role.FACILITATOR
    assert len(fake.calls_to("getChatMember")) == asked  # remembered for a minute

    fake.fault("getChatMember", 500, "Internal Server Error")
    assert await adapter.platform_role(driver.actor("eve"), here) is Role.MEMBER
    await adapter.stop()


async def test_admins_are_nobody_special_unless_the_config_says_so(fake: FakeTelegramApi) -> None:
    driver = TelegramDriver(fake)
    fake.set_chat_member(driver.group, driver.user("ada"), "creator")
    role = await driver.adapter.platform_role(driver.actor("ada"), driver.shared_place())
    assert role is Role.MEMBER
    assert fake.calls_to("getChatMember") == []
    await driver.adapter.stop()


async def test_an_admin_sees_the_roster_of_the_group_that_lives_in_their_chat_only(
    fake: FakeTelegramApi, tmp_path: Path
) -> None:
    """The whole chain, with the real domain: the harness's group "circle" lives in the
    Telegram chat -100123; an admin there may see its roster, an admin elsewhere not."""
    app = await BotApp.open(load_settings(write_config(tmp_path), environ={}))
    home = fake.group("Tuesday Circle", id=-100123)
    driver = TelegramDriver(fake, admins_are_facilitators=True)
    app.platforms.attach(driver.adapter)
    await driver.start(app.dispatcher)
    try:
        await driver.say("bob", "/join circle", shared=False)
        fake.set_chat_member(home, driver.user("ada"), "administrator")
        fake.set_chat_member(driver.group, driver.user("ada"), "administrator")
        in_home = await driver.acting(
            lambda: fake.inject_message(driver.user("ada"), "/roster circle", chat=home)
        )
        elsewhere = await driver.say("ada", "/roster circle", shared=True)
    finally:
        await driver.close()
        await app.close()
    assert [s.where for s in in_home] == ["private", "chat"]
    assert "Roster of Tuesday Circle" in in_home[0].text
    assert "bob" in in_home[0].text
    assert "bob" not in in_home[1].text
    assert [s.where for s in elsewhere] == ["private", "chat"]
    assert "is for group facilitators" in elsewhere[0].text


def _private(user_id: int) -> Place:
    return Place("telegram", str(user_id), private=True)


def _dispatcher(driver: TelegramDriver, *extra: CommandSpec) -> Dispatcher:
    return dispatcher_with(driver.platforms, *extra)


def test_command_descriptions_fit_telegrams_limit() -> None:
    assert command_description("Join a group") == "Join a group"
    long = command_description("x" * 300)
    assert len(long) == 256
    assert long.endswith("…")
