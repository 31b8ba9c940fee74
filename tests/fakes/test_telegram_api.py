"""The fake Telegram Bot API speaks enough Bot API for the real python-telegram-bot:
every test drives telegram.Bot (or a whole telegram.ext.Application) against it."""

from __future__ import annotations

import asyncio
import datetime as dt
import logging
from collections.abc import AsyncIterator

import aiohttp
import pytest
import telegram
from telegram import (
    BotCommand,
    BotCommandScopeAllPrivateChats,
    BotCommandScopeChat,
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    ReplyParameters,
    Update,
)
from telegram.error import (
    BadRequest,
    Conflict,
    EndPointNotFound,
    Forbidden,
    InvalidToken,
    NetworkError,
    RetryAfter,
    TimedOut,
)
from telegram.ext import (
    Application,
    ApplicationBuilder,
    CallbackQueryHandler,
    CommandHandler,
    ContextTypes,
)
from telegram.request import HTTPXRequest

from tests.fakes.telegram_api import FakeTelegramApi


class ManualClock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def keyboard(*buttons: tuple[str, str]) -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup([[InlineKeyboardButton(t, callback_data=d)] for t, d in buttons])


def ptb_bot(fake: FakeTelegramApi, token: str | None = None) -> telegram.Bot:
    return telegram.Bot(
        token or fake.token, base_url=fake.base_url, base_file_url=fake.base_file_url
    )


@pytest.fixture
async def fake() -> AsyncIterator[FakeTelegramApi]:
    async with FakeTelegramApi() as api:
        yield api


@pytest.fixture
async def bot(fake: FakeTelegramApi) -> AsyncIterator[telegram.Bot]:
    async with ptb_bot(fake) as ptb:
        yield ptb


@pytest.fixture(autouse=True)
def _timedelta_retry_after(monkeypatch: pytest.MonkeyPatch) -> None:
    # PTB 22 warns when RetryAfter.retry_after is read as int; opt in to timedelta.
    monkeypatch.setenv("PTB_TIMEDELTA", "true")


# --- basics -----------------------------------------------------------------------


async def test_get_me_answers_the_configured_bot_user(
    fake: FakeTelegramApi, bot: telegram.Bot
) -> None:
    me = await bot.get_me()
    assert (me.id, me.username, me.first_name, me.is_bot) == (
        fake.bot.id,
        "PeerCircleTestBot",
        "PeerCircle",
        True,
    )
    assert fake.base_url.startswith("http://127.0.0.1:")
    assert fake.port != 0
    # Bot.initialize() (async with) called getMe first
    assert [call.method for call in fake.calls] == ["getMe", "getMe"]
    assert all(call.ok and call.token == fake.token for call in fake.calls)


async def test_an_unknown_token_is_unauthorized(fake: FakeTelegramApi) -> None:
    with pytest.raises(InvalidToken):
        await ptb_bot(fake, "42:not-a-token-of-this-bot").initialize()
    assert fake.calls[-1].status == 401
    assert fake.calls[-1].description == "Unauthorized"


async def test_several_tokens_and_a_revoked_one(fake: FakeTelegramApi) -> None:
    fake.tokens.append("7000000001:second-token")
    async with ptb_bot(fake, "7000000001:second-token") as second:
        assert (await second.get_me()).id == fake.bot.id
        fake.revoke_token("7000000001:second-token")
        with pytest.raises(InvalidToken):
            await second.get_me()


async def test_an_unknown_method_is_not_found(fake: FakeTelegramApi, bot: telegram.Bot) -> None:
    with pytest.raises(EndPointNotFound):
        await bot.do_api_request("sendCarrierPigeon", api_kwargs={"chat_id": 1})
    assert fake.calls[-1].status == 404
    assert fake.calls[-1].description == "Not Found: method not found"


async def test_parameters_as_json_body_or_query_string(fake: FakeTelegramApi) -> None:
    alex = fake.private_chat(fake.user("Alex"))
    async with aiohttp.ClientSession() as http:
        url = f"{fake.base_url}{fake.token}"
        async with http.post(f"{url}/sendMessage", json={"chat_id": alex.id, "text": 1234}) as r:
            assert (await r.json())["result"]["text"] == "1234"
        async with http.get(f"{url}/getchat", params={"chat_id": str(alex.id)}) as r:
            assert (await r.json())["result"]["first_name"] == "Alex"
        async with http.post(f"{url}/sendMessage", data={"chat_id": "nope", "text": "x"}) as r:
            assert r.status == 400
            assert await r.json() == {
                "ok": False,
                "error_code": 400,
                "description": "Bad Request: chat not found",
            }
    assert [call.http_method for call in fake.calls] == ["POST", "GET", "POST"]
    assert fake.calls[1].method == "getChat"  # method names are case-insensitive


async def test_the_token_is_in_no_log_line_and_no_repr(
    fake: FakeTelegramApi, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)  # before any connection: aiohttp decides per connection
    async with ptb_bot(fake) as bot:
        await bot.get_me()
        fake.fault_drop_connection("getMe")
        with pytest.raises(NetworkError):
            await bot.get_me()
        with pytest.raises(EndPointNotFound):
            await bot.do_api_request("noSuchMethod")
    ours = [r for r in caplog.records if r.name.startswith(("aiohttp", "tests"))]
    assert all(fake.token not in r.getMessage() for r in ours)
    assert fake.token not in repr(fake)
    assert fake.token not in repr(fake.calls)


async def test_a_bug_in_the_fake_fails_the_test_that_met_it() -> None:
    async def broken(params: object) -> object:
        raise KeyError("oops")

    fake = await FakeTelegramApi().__aenter__()
    async with ptb_bot(fake) as bot:
        fake.methods["getChat"] = broken
        with pytest.raises(NetworkError, match="Internal Server Error"):
            await bot.get_chat(1)
    with pytest.raises(AssertionError, match="the fake Telegram API failed"):
        await fake.__aexit__(None, None, None)  # what `async with fake:` does on leaving
    assert isinstance(fake.internal_errors[0], KeyError)


# --- sending and editing ----------------------------------------------------------------


async def test_send_html_with_an_inline_keyboard_then_edit_it(
    fake: FakeTelegramApi, bot: telegram.Bot
) -> None:
    alex = fake.private_chat(fake.user("Alex"))
    sent = await bot.send_message(
        alex.id,
        "<b>Circle</b> meets &lt;Tuesday&gt;",
        parse_mode="HTML",
        reply_markup=keyboard(("Join", "join:circle"), ("Later", "later")),
        link_preview_options=telegram.LinkPreviewOptions(is_disabled=True),
    )
    assert sent.text == "Circle meets <Tuesday>"
    assert sent.entities == (telegram.MessageEntity("bold", 0, 6),)
    assert sent.from_user is not None
    assert sent.from_user.id == fake.bot.id
    assert sent.reply_markup == keyboard(("Join", "join:circle"), ("Later", "later"))

    [record] = fake.sent_messages(alex)
    assert record.raw_text == "<b>Circle</b> meets &lt;Tuesday&gt;"
    assert record.text == "Circle meets <Tuesday>"
    assert record.parse_mode == "HTML"
    assert record.buttons == [("Join", "join:circle"), ("Later", "later")]
    assert record.link_preview_options == {"is_disabled": True}

    edited = await bot.edit_message_text(
        "<i>Joined</i>", chat_id=alex.id, message_id=sent.message_id, parse_mode="HTML"
    )
    assert isinstance(edited, telegram.Message)
    assert edited.text == "Joined"
    assert edited.edit_date is not None
    assert edited.reply_markup is None  # an edit without reply_markup drops the keyboard
    assert (record.text, record.edits, record.buttons) == ("Joined", ["Circle meets <Tuesday>"], [])

    with pytest.raises(BadRequest, match="Message is not modified"):
        await bot.edit_message_text(
            "<i>Joined</i>", chat_id=alex.id, message_id=sent.message_id, parse_mode="HTML"
        )
    await bot.edit_message_reply_markup(
        chat_id=alex.id, message_id=sent.message_id, reply_markup=keyboard(("Leave", "leave"))
    )
    assert record.buttons == [("Leave", "leave")]


async def test_text_longer_than_4096_characters_is_refused(
    fake: FakeTelegramApi, bot: telegram.Bot
) -> None:
    alex = fake.private_chat(fake.user("Alex"))
    await bot.send_message(alex.id, "<b>" + "x" * 4096 + "</b>", parse_mode="HTML")
    with pytest.raises(BadRequest, match="Message is too long"):
        await bot.send_message(alex.id, "x" * 4097)
    with pytest.raises(BadRequest, match="Message text is empty"):
        await bot.send_message(alex.id, "<b> </b>", parse_mode="HTML")
    assert len(fake.sent_messages(alex)) == 1


@pytest.mark.parametrize(
    ("html", "error"),
    [
        ("<p>Hi</p>", 'unsupported start tag "p" at byte offset 0'),
        ("<b>Hi", 'can\'t find end tag corresponding to start tag "b"'),
        ("1 < 2", 'unsupported start tag "" at byte offset 2'),
        ("Tea & cake", '"&" at byte offset 4'),
    ],
)
async def test_bad_html_is_refused(
    fake: FakeTelegramApi, bot: telegram.Bot, html: str, error: str
) -> None:
    alex = fake.private_chat(fake.user("Alex"))
    with pytest.raises(BadRequest, match="Can't parse entities") as refused:
        await bot.send_message(alex.id, html, parse_mode="HTML")
    assert error in refused.value.message
    assert fake.sent_messages() == []


async def test_callback_data_over_64_bytes_is_refused(
    fake: FakeTelegramApi, bot: telegram.Bot
) -> None:
    alex = fake.private_chat(fake.user("Alex"))
    await bot.send_message(alex.id, "ok", reply_markup=keyboard(("é", "é" * 32)))  # 64 bytes
    with pytest.raises(BadRequest, match="Button_data_invalid"):
        await bot.send_message(alex.id, "no", reply_markup=keyboard(("x", "x" * 65)))
    assert [m.text for m in fake.sent_messages()] == ["ok"]


async def test_thread_and_reply_in_a_forum_supergroup(
    fake: FakeTelegramApi, bot: telegram.Bot
) -> None:
    forum = fake.group("Circles", is_forum=True)
    alex = fake.user("Alex")
    asked = fake.inject_message(alex, "when do we meet?", chat=forum, thread_id=7)
    answer = await bot.send_message(
        forum.id,
        "Tuesdays",
        message_thread_id=7,
        reply_parameters=ReplyParameters(asked["message"]["message_id"]),
    )
    assert answer.chat.id < 0
    assert answer.chat.type == "supergroup"
    assert answer.message_thread_id == 7
    assert answer.is_topic_message
    assert answer.reply_to_message is not None
    assert answer.reply_to_message.text == "when do we meet?"
    [record] = fake.sent_messages(forum)
    assert record.thread_id == 7
    assert record.reply_parameters == {"message_id": asked["message"]["message_id"]}
    with pytest.raises(BadRequest, match="Message to be replied not found"):
        await bot.send_message(forum.id, "x", reply_parameters=ReplyParameters(999))


async def test_delete_message_chat_action_get_chat(
    fake: FakeTelegramApi, bot: telegram.Bot
) -> None:
    alex = fake.private_chat(fake.user("Alex", username="alex_w"))
    sent = await bot.send_message(alex.id, "bye soon")
    assert await bot.delete_message(alex.id, sent.message_id)
    assert fake.sent_messages()[0].deleted
    with pytest.raises(BadRequest, match="Message to delete not found"):
        await bot.delete_message(alex.id, sent.message_id)
    assert await bot.send_chat_action(alex.id, "typing")
    assert fake.chat_actions(alex) == ["typing"]
    chat = await bot.get_chat("@alex_w")
    assert (chat.id, chat.type, chat.first_name) == (alex.id, "private", "Alex")
    assert await bot.close()
    assert await bot.log_out()


async def test_sending_to_a_user_who_never_started_the_bot_is_forbidden(
    fake: FakeTelegramApi, bot: telegram.Bot
) -> None:
    stranger = fake.user("Sam")
    with pytest.raises(Forbidden, match="Forbidden: bot can't initiate conversation with a user"):
        await bot.send_message(stranger.id, "hello")
    with pytest.raises(BadRequest, match="Chat not found"):
        await bot.send_message(123, "hello")
    fake.inject_message(stranger, "/start")  # now the private chat exists
    await bot.send_message(stranger.id, "hello")
    fake.set_blocked(stranger)
    with pytest.raises(Forbidden, match="Forbidden: bot was blocked by the user"):
        await bot.send_message(stranger.id, "still there?")


# --- chat members and commands ----------------------------------------------------------


@pytest.mark.parametrize(
    ("status", "member_class"),
    [
        ("creator", telegram.ChatMemberOwner),
        ("administrator", telegram.ChatMemberAdministrator),
        ("member", telegram.ChatMemberMember),
        ("restricted", telegram.ChatMemberRestricted),
        ("left", telegram.ChatMemberLeft),
        ("kicked", telegram.ChatMemberBanned),
    ],
)
async def test_get_chat_member_reports_the_configured_status(
    fake: FakeTelegramApi, bot: telegram.Bot, status: str, member_class: type
) -> None:
    group = fake.group("Circle")
    alex = fake.user("Alex")
    fake.set_chat_member(group, alex, status)
    member = await bot.get_chat_member(group.id, alex.id)
    assert isinstance(member, member_class)
    assert member.status == status
    assert member.user.first_name == "Alex"


async def test_get_chat_member_defaults_to_member(fake: FakeTelegramApi, bot: telegram.Bot) -> None:
    group = fake.group("Circle")
    assert (await bot.get_chat_member(group.id, 555)).status == "member"
    fake.set_chat_member(group, fake.bot, "administrator", can_delete_messages=False)
    me = await bot.get_chat_member(group.id, fake.bot.id)
    assert isinstance(me, telegram.ChatMemberAdministrator)
    assert me.can_delete_messages is False


async def test_commands_are_kept_per_scope_and_language(
    fake: FakeTelegramApi, bot: telegram.Bot
) -> None:
    group = fake.group("Circle")
    await bot.set_my_commands([BotCommand("join", "Join a group"), BotCommand("leave", "Leave")])
    await bot.set_my_commands(
        [BotCommand("join", "Rejoindre")],
        scope=BotCommandScopeAllPrivateChats(),
        language_code="fr",
    )
    await bot.set_my_commands(
        [BotCommand("roster", "Who is in")], scope=BotCommandScopeChat(group.id)
    )

    assert fake.commands() == [
        {"command": "join", "description": "Join a group"},
        {"command": "leave", "description": "Leave"},
    ]
    assert fake.commands("all_private_chats", "fr") == [
        {"command": "join", "description": "Rejoindre"}
    ]
    assert fake.commands("all_private_chats") == []
    assert fake.commands({"type": "chat", "chat_id": group.id}) == [
        {"command": "roster", "description": "Who is in"}
    ]
    assert await bot.get_my_commands(scope=BotCommandScopeChat(group.id)) == (
        BotCommand("roster", "Who is in"),
    )
    await bot.delete_my_commands()
    assert fake.commands() == []
    with pytest.raises(BadRequest, match="Bot_command_invalid"):
        await bot.set_my_commands([BotCommand("Join", "capital letters are not allowed")])


# --- updates ------------------------------------------------------------------------------


async def test_a_waiting_get_updates_returns_as_soon_as_an_update_arrives(
    fake: FakeTelegramApi, bot: telegram.Bot
) -> None:
    alex = fake.user("Alex")
    polling = asyncio.create_task(bot.get_updates(timeout=10))
    await fake.wait_until_polling()
    await asyncio.sleep(0.05)  # let it settle into waiting
    loop = asyncio.get_running_loop()
    injected = loop.time()
    fake.inject_message(alex, "hello")
    [update] = await asyncio.wait_for(polling, 5)
    assert loop.time() - injected < 0.5
    assert update.message is not None
    assert update.message.text == "hello"
    assert update.effective_user is not None
    assert update.effective_user.id == alex.id


async def test_get_updates_returns_nothing_after_its_timeout(
    fake: FakeTelegramApi, bot: telegram.Bot
) -> None:
    loop = asyncio.get_running_loop()
    started = loop.time()
    assert await bot.get_updates(timeout=1) == ()
    assert 0.9 <= loop.time() - started < 4


async def test_offsets_confirm_earlier_updates(fake: FakeTelegramApi, bot: telegram.Bot) -> None:
    alex = fake.user("Alex")
    ids = [fake.inject_message(alex, text)["update_id"] for text in ("one", "two", "three")]
    assert ids == sorted(ids)
    assert len(set(ids)) == 3
    assert [u.update_id for u in await bot.get_updates(limit=2)] == ids[:2]
    assert [u.update_id for u in await bot.get_updates()] == ids  # nothing confirmed yet
    assert [u.update_id for u in await bot.get_updates(offset=ids[1])] == ids[1:]
    assert await bot.get_updates(offset=ids[2] + 1) == ()
    assert fake.pending_updates() == []


async def test_allowed_updates_filter_what_is_queued(
    fake: FakeTelegramApi, bot: telegram.Bot
) -> None:
    alex = fake.user("Alex")
    sent = await bot.send_message(
        fake.private_chat(alex).id, "pick", reply_markup=keyboard(("A", "a"))
    )
    await bot.get_updates(allowed_updates=["callback_query"])
    fake.inject_message(alex, "ignored")
    fake.press_button(alex, fake.sent_messages()[0], "a")
    [update] = await bot.get_updates()
    assert update.callback_query is not None
    assert update.callback_query.data == "a"
    assert update.callback_query.message is not None
    assert update.callback_query.message.message_id == sent.message_id
    assert [u["message"]["text"] for u in fake.dropped_updates] == ["ignored"]


async def test_commands_replies_and_button_presses_parse_in_ptb(
    fake: FakeTelegramApi, bot: telegram.Bot
) -> None:
    group = fake.group("Circle")
    alex = fake.user("Alex", last_name="Wu", username="alexwu", language_code="de")
    fake.inject_command(alex, "/join@OtherBot circle", chat=group, thread_id=3)
    sent = await bot.send_message(group.id, "Who joins?", reply_markup=keyboard(("Me", "me")))
    fake.inject_reply_to_bot(alex, fake.sent_messages(group)[0], "me!")
    fake.press_button(alex, fake.sent_messages(group)[0], text="Me")

    command, reply, press = await bot.get_updates()
    assert command.message is not None
    assert command.message.text == "/join@OtherBot circle"
    assert command.message.parse_entities(["bot_command"]) == {
        telegram.MessageEntity("bot_command", 0, 14): "/join@OtherBot"
    }
    assert command.message.message_thread_id == 3
    assert command.effective_chat is not None
    assert command.effective_chat.id == group.id
    assert command.effective_user == telegram.User(alex.id, "Alex", False, last_name="Wu")
    assert command.effective_user.language_code == "de"
    assert reply.message is not None
    assert reply.message.reply_to_message is not None
    assert reply.message.reply_to_message.message_id == sent.message_id
    assert press.callback_query is not None
    assert press.callback_query.data == "me"

    assert await press.callback_query.answer("Noted", show_alert=True)
    [answer] = fake.answered_callbacks()
    assert (answer.data, answer.user_id, answer.text, answer.show_alert) == (
        "me",
        alex.id,
        "Noted",
        True,
    )
    with pytest.raises(BadRequest, match="Query is too old"):
        await press.callback_query.answer("again")


async def test_group_privacy_mode_hides_chatter_from_the_bot() -> None:
    async with FakeTelegramApi(group_privacy=True) as private_fake:
        group = private_fake.group("Circle")
        alex = private_fake.user("Alex")
        private_fake.inject_message(alex, "just chatting", chat=group)
        private_fake.inject_command(alex, "/join@OtherBot", chat=group)
        private_fake.inject_command(alex, "/join@PeerCircleTestBot", chat=group)
        private_fake.inject_message(alex, "hey @PeerCircleTestBot", chat=group)
        seen = [u["message"]["text"] for u in private_fake.pending_updates()]
        assert seen == ["/join@PeerCircleTestBot", "hey @PeerCircleTestBot"]
        assert len(private_fake.dropped_updates) == 2


async def test_webhook_set_info_delete(fake: FakeTelegramApi, bot: telegram.Bot) -> None:
    assert await bot.set_webhook("https://example.invalid/hook")
    assert (await bot.get_webhook_info()).url == "https://example.invalid/hook"
    with pytest.raises(
        Conflict, match="Conflict: can't use getUpdates method while webhook is active"
    ):
        await bot.get_updates()
    with pytest.raises(BadRequest, match="Bad webhook: an https url must be provided"):
        await bot.set_webhook("http://insecure.invalid/hook")
    fake.inject_message(fake.user("Alex"), "queued")
    assert (await bot.get_webhook_info()).pending_update_count == 1
    assert await bot.delete_webhook(drop_pending_updates=True)
    assert (await bot.get_webhook_info()).url == ""
    assert fake.pending_updates() == []


# --- faults ---------------------------------------------------------------------------------


async def test_429_raises_retry_after_with_the_given_delay(
    fake: FakeTelegramApi, bot: telegram.Bot
) -> None:
    alex = fake.private_chat(fake.user("Alex"))
    fake.fault_retry_after(7)
    with pytest.raises(RetryAfter) as limited:
        await bot.send_message(alex.id, "hi")
    assert limited.value.retry_after == dt.timedelta(seconds=7)
    await bot.send_message(alex.id, "hi again")  # the fault was for one call
    assert fake.too_many_requests_count == 1
    assert [m.text for m in fake.sent_messages()] == ["hi again"]
    assert fake.pending_faults() == []


async def test_403_faults_raise_forbidden_only_for_the_matching_chat(
    fake: FakeTelegramApi, bot: telegram.Bot
) -> None:
    alex = fake.private_chat(fake.user("Alex"))
    sam = fake.private_chat(fake.user("Sam"))
    fake.fault_blocked(chat_id=alex, times=2)
    fake.fault_cant_initiate(chat_id=sam)
    await bot.send_chat_action(alex.id, "typing")  # another method: not affected
    for _ in range(2):
        with pytest.raises(Forbidden, match="Forbidden: bot was blocked by the user"):
            await bot.send_message(alex.id, "hi")
    with pytest.raises(Forbidden, match="Forbidden: bot can't initiate conversation with a user"):
        await bot.send_message(sam.id, "hi")
    await bot.send_message(alex.id, "third time")
    assert [m.chat_id for m in fake.sent_messages()] == [alex.id]


async def test_400_chat_not_found_fault(fake: FakeTelegramApi, bot: telegram.Bot) -> None:
    alex = fake.private_chat(fake.user("Alex"))
    fake.fault_chat_not_found("getChat")
    with pytest.raises(BadRequest, match="Chat not found"):
        await bot.get_chat(alex.id)
    assert (await bot.get_chat(alex.id)).id == alex.id


async def test_500_raises_a_plain_network_error(fake: FakeTelegramApi, bot: telegram.Bot) -> None:
    alex = fake.private_chat(fake.user("Alex"))
    fake.fault_server_error()
    with pytest.raises(NetworkError, match="Internal Server Error") as failed:
        await bot.send_message(alex.id, "hi")
    assert type(failed.value) is NetworkError
    assert fake.calls[-1].status == 500


async def test_a_dropped_connection_raises_network_error(
    fake: FakeTelegramApi, bot: telegram.Bot
) -> None:
    alex = fake.private_chat(fake.user("Alex"))
    fake.fault_drop_connection()
    with pytest.raises(NetworkError, match="Server disconnected") as failed:
        await bot.send_message(alex.id, "hi")
    assert not isinstance(failed.value, BadRequest | TimedOut)
    assert fake.sent_messages() == []
    await bot.send_message(alex.id, "hi")  # the next call goes through
    assert len(fake.sent_messages()) == 1


async def test_a_slow_answer_times_out_but_the_message_was_sent(fake: FakeTelegramApi) -> None:
    alex = fake.private_chat(fake.user("Alex"))
    impatient = telegram.Bot(
        fake.token, base_url=fake.base_url, request=HTTPXRequest(read_timeout=0.2)
    )
    async with impatient:
        fake.fault_slow(0.6)
        with pytest.raises(TimedOut):
            await impatient.send_message(alex.id, "hi")
        await fake.wait_for_sent(1)  # like Telegram: a timed-out send may still arrive


async def test_409_conflict_injected_and_from_a_second_poller(
    fake: FakeTelegramApi, bot: telegram.Bot
) -> None:
    fake.fault_conflict()
    with pytest.raises(Conflict, match="Conflict: terminated by other getUpdates request"):
        await bot.get_updates()
    async with ptb_bot(fake) as other_instance:
        first = asyncio.create_task(bot.get_updates(timeout=5))
        await fake.wait_until_polling()
        assert await other_instance.get_updates(timeout=0) == ()
        with pytest.raises(Conflict):
            await first


async def test_stop_ends_a_waiting_long_poll_at_once() -> None:
    fake = FakeTelegramApi()
    await fake.start()
    async with ptb_bot(fake) as bot:
        polling = asyncio.create_task(bot.get_updates(timeout=30))
        await fake.wait_until_polling()
        loop = asyncio.get_running_loop()
        started = loop.time()
        await fake.stop()
        assert await asyncio.wait_for(polling, 5) == ()
        assert loop.time() - started < 5


# --- rate limits ----------------------------------------------------------------------------


async def test_rate_limits_refuse_a_burst_to_one_chat() -> None:
    clock = ManualClock()
    async with FakeTelegramApi(enforce_limits=True, clock=clock) as fake, ptb_bot(fake) as bot:
        alex = fake.private_chat(fake.user("Alex"))
        for n in range(3):  # the burst Telegram tolerates
            await bot.send_message(alex.id, f"burst {n}")
        with pytest.raises(RetryAfter) as limited:
            await bot.send_message(alex.id, "one too many")
        assert limited.value.retry_after == dt.timedelta(seconds=1)
        clock.now += 1.0
        await bot.send_message(alex.id, "after a second")
        with pytest.raises(RetryAfter):
            await bot.send_message(alex.id, "again too soon")
        assert fake.too_many_requests_count == 2
        assert len(fake.sent_messages(alex)) == 4


async def test_rate_limits_20_per_minute_in_a_group_and_30_per_second_overall() -> None:
    clock = ManualClock()
    async with FakeTelegramApi(enforce_limits=True, clock=clock) as fake, ptb_bot(fake) as bot:
        group = fake.group("Circle")
        for n in range(20):
            await bot.send_message(group.id, f"message {n}")
            clock.now += 1.0
        with pytest.raises(RetryAfter) as limited:
            await bot.send_message(group.id, "21st within a minute")
        assert limited.value.retry_after == dt.timedelta(seconds=40)

        clock.now += 100.0
        users = [fake.private_chat(fake.user(f"U{n}")) for n in range(31)]
        for chat in users[:30]:
            await bot.send_message(chat.id, "news")
        with pytest.raises(RetryAfter):
            await bot.send_message(users[30].id, "news")
        assert fake.too_many_requests_count == 2


async def test_rate_limits_with_the_real_clock() -> None:
    async with FakeTelegramApi() as fake, ptb_bot(fake) as bot:
        alex = fake.private_chat(fake.user("Alex"))
        for n in range(6):
            await bot.send_message(alex.id, f"unlimited {n}")
        fake.enforce_rate_limits(burst_in_chat=1)
        refused = 0
        for n in range(6):
            try:
                await bot.send_message(alex.id, f"limited {n}")
            except RetryAfter:
                refused += 1
        assert refused >= 4  # six sends take far less than the four seconds they'd need
        assert fake.too_many_requests_count == refused


# --- a whole Application ----------------------------------------------------------------------


async def test_a_real_application_handles_commands_and_button_presses(
    fake: FakeTelegramApi,
) -> None:
    alex = fake.user("Alex")

    async def start(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        assert update.effective_message is not None
        await update.effective_message.reply_html(
            f"<b>Welcome</b>, {context.args[0] if context.args else 'friend'}",
            reply_markup=keyboard(("Join", "join:circle")),
        )

    async def pressed(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        query = update.callback_query
        assert query is not None
        assert query.data is not None
        await query.answer("Joined")
        await query.edit_message_text(f"You joined {query.data.removeprefix('join:')}")

    app: Application = (  # type: ignore[type-arg]
        ApplicationBuilder()
        .token(fake.token)
        .base_url(fake.base_url)
        .base_file_url(fake.base_file_url)
        .build()
    )
    app.add_handler(CommandHandler("start", start))
    app.add_handler(CallbackQueryHandler(pressed))
    await app.initialize()
    assert [call.method for call in fake.calls] == ["getMe"]
    await app.start()
    assert app.updater is not None
    await app.updater.start_polling(timeout=dt.timedelta(seconds=5), poll_interval=0)
    try:
        await fake.wait_until_polling()
        assert [call.method for call in fake.calls][:3] == ["getMe", "deleteWebhook", "getUpdates"]

        fake.inject_command(alex, "/start@SomeOtherBot")  # meant for another bot: ignored
        fake.inject_command(alex, "/start Alex")
        [welcome] = await fake.wait_for_sent(chat_id=alex)
        assert (welcome.text, welcome.parse_mode) == ("Welcome, Alex", "HTML")
        assert welcome.buttons == [("Join", "join:circle")]

        fake.press_button(alex, welcome, "join:circle")
        await fake.wait_for_call("editMessageText")
        assert [(a.data, a.text) for a in fake.answered_callbacks()] == [("join:circle", "Joined")]
        assert welcome.text == "You joined circle"
        assert welcome.buttons == []
        await fake.wait_until_confirmed()
    finally:
        await app.updater.stop()
        await app.stop()
        await app.shutdown()
    assert len(fake.sent_messages()) == 1
    # PTB cancels its waiting poll on stop: that poll ends quietly, with no 409 for anyone
    await fake.wait_for(lambda: all(call.status is not None for call in fake.calls), within=1)
    assert not [call for call in fake.calls if call.status == 409]


async def test_send_document_records_the_uploaded_file(
    fake: FakeTelegramApi, bot: telegram.Bot
) -> None:
    alex = fake.user("Alex")
    fake.private_chat(alex)
    upload = telegram.InputFile(b"BEGIN:VCALENDAR\r\nEND:VCALENDAR\r\n", filename="circle.ics")

    message = await bot.send_document(
        alex.id, upload, caption="<b>Your</b> file", parse_mode="HTML"
    )

    assert message.document is not None
    assert (message.document.file_name, message.caption) == ("circle.ics", "Your file")
    [sent] = fake.sent_messages(alex)
    assert sent.document is not None
    assert sent.document.filename == "circle.ics"
    assert sent.document.content == b"BEGIN:VCALENDAR\r\nEND:VCALENDAR\r\n"
    assert sent.document.content_type == "text/calendar"
    assert sent.text == "Your file"


async def test_send_document_refuses_a_long_caption_or_no_upload(
    fake: FakeTelegramApi, bot: telegram.Bot
) -> None:
    alex = fake.user("Alex")
    fake.private_chat(alex)
    upload = telegram.InputFile(b"notes", filename="notes.txt")
    with pytest.raises(BadRequest, match="caption is too long"):
        await bot.send_document(alex.id, upload, caption="x" * 1025)
    with pytest.raises(BadRequest, match="uploads only"):
        await bot.send_document(alex.id, "some-file-id")
    assert fake.sent_messages(alex) == []
