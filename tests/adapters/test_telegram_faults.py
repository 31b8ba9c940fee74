"""The Telegram adapter when things go wrong or get busy: flood control, server errors,
people who cannot be reached, the token and the logs, stopping, restarting, and several
people at once. The fake Bot API injects every fault; the core behind is the real one."""

from __future__ import annotations

import asyncio
import datetime as dt
import logging
import socket

import pytest
from telegram.error import InvalidToken, NetworkError, RetryAfter

from adapters.telegram import TelegramAdapter
from adapters.telegram.sender import RetryPolicy, retry_after_seconds
from bot.args import Args
from bot.catalog import Catalog
from bot.commands import CommandSpec
from bot.context import Context
from bot.events import Actor
from bot.messenger import DeliveryOutcome, Messenger
from bot.platforms import PlatformBusy, Platforms, RecipientUnreachable
from bot.replies import Audience, Reply
from bot.supervisor import Backoff, Supervisor
from tests.adapters.telegram_driver import QUICK_RETRIES, TelegramDriver, dispatcher_with
from tests.fakes.telegram_api import FakeTelegramApi

QUICK_RESTARTS = Backoff(first=0.01, longest=0.05, healthy_after=10)
NOTICE = Reply("A seat opened up for you.", audience=Audience.PRIVATE_MESSAGE)


class Gate:
    """A command that waits until released: a slow handler on demand."""

    def __init__(self) -> None:
        self.entered = asyncio.Event()
        self.release = asyncio.Event()

    async def slow(self, ctx: Context, args: Args) -> Reply:
        self.entered.set()
        await self.release.wait()
        return Reply("slow done", audience=Audience.ONLY_YOU)

    def spec(self) -> CommandSpec:
        return CommandSpec("slow", "commands.help", self.slow)


def _statuses(fake: FakeTelegramApi, method: str = "sendMessage") -> list[int | None]:
    return [call.status for call in fake.calls_to(method)]


# -- flood control and server errors --------------------------------------------------------


async def test_a_429_is_waited_out_and_the_message_delivered_once(driver: TelegramDriver) -> None:
    driver.fake.fault_retry_after(1)

    [reply] = await driver.say("bob", "/here", shared=False)

    assert reply.text.startswith("For everyone")
    assert _statuses(driver.fake) == [429, 200]
    limited, sent = driver.fake.calls_to("sendMessage")
    assert sent.received_at - limited.received_at >= 1.0
    assert driver.fake.too_many_requests_count == 1
    assert len(driver.fake.sent_messages(driver.user("bob"))) == 1


async def test_a_flood_wait_past_the_ceiling_is_not_waited(driver: TelegramDriver) -> None:
    driver.fake.fault_retry_after(3600)
    loop = asyncio.get_running_loop()
    asked = loop.time()
    assert await driver.say("bob", "/here", shared=False) == []  # the reply is given up
    assert loop.time() - asked < 5
    assert _statuses(driver.fake) == [429]


async def test_a_notice_that_meets_flood_control_is_platform_busy_at_once(
    driver: TelegramDriver,
) -> None:
    driver.fake.fault_retry_after(2)  # an answer would wait this out; a notice does not
    with pytest.raises(PlatformBusy) as busy:
        await driver.adapter.send_private(driver.actor("bob"), NOTICE)
    assert busy.value.retry_after == 2.0
    driver.fake.fault_retry_after(3600, chat_id=driver.group)
    with pytest.raises(PlatformBusy):
        await driver.adapter.send(driver.shared_place(), NOTICE)
    assert _statuses(driver.fake) == [429, 429]


async def test_server_errors_and_dropped_connections_are_retried(driver: TelegramDriver) -> None:
    driver.fake.fault_server_error(times=2)
    driver.fake.fault_drop_connection(times=1)

    [reply] = await driver.say("bob", "/here", shared=False)

    assert reply.text.startswith("For everyone")
    assert sorted(_statuses(driver.fake), key=str) == [0, 200, 500, 500]  # 0: dropped
    assert len(driver.fake.sent_messages()) == 1


async def test_an_answer_outlasts_more_faults_in_a_row_than_a_notice_would(
    driver: TelegramDriver,
) -> None:
    """Someone is waiting for it: beyond the attempts a notice gets, an answer is tried
    for as long as ``answer_patience`` allows (the fault soak lost one to four in a row)."""
    faults = QUICK_RETRIES.attempts + 3
    driver.fake.fault_server_error(times=faults)

    [reply] = await driver.say("bob", "/here", shared=False)

    assert reply.text.startswith("For everyone")
    assert _statuses(driver.fake) == [500] * faults + [200]
    assert len(driver.fake.sent_messages()) == 1


async def test_retries_are_bounded_then_the_delivery_counts_as_failed(
    driver: TelegramDriver,
) -> None:
    driver.fake.fault_server_error(times=99)
    with pytest.raises(NetworkError):
        await driver.adapter.send_private(driver.actor("bob"), NOTICE)
    assert _statuses(driver.fake) == [500] * QUICK_RETRIES.attempts

    outcome = (await Messenger(driver.platforms).deliver(driver.actor("bob"), NOTICE)).outcome
    assert outcome is DeliveryOutcome.FAILED


# -- people who cannot be reached -----------------------------------------------------------


async def test_forbidden_in_send_private_is_recipient_unreachable(driver: TelegramDriver) -> None:
    await driver.block("carol")
    never_started = driver.fake.user("Sam")
    messenger = Messenger(driver.platforms)
    sam = Actor("telegram", str(never_started.id), "Sam")
    unknown = Actor("telegram", "123", "Nobody")

    for actor in (driver.actor("carol"), sam, unknown):
        with pytest.raises(RecipientUnreachable):
            await driver.adapter.send_private(actor, NOTICE)
        assert (await messenger.deliver(actor, NOTICE)).outcome is DeliveryOutcome.UNREACHABLE
    assert driver.fake.sent_messages() == []


async def test_a_private_message_can_go_out_before_start(fake: FakeTelegramApi) -> None:
    driver = TelegramDriver(fake)  # never started: notices at start-up come first
    ref = await driver.adapter.send_private(driver.actor("bob"), NOTICE)
    assert ref.chat_id == str(driver.user("bob").id)
    assert [m.text for m in fake.sent_messages()] == [NOTICE.text]
    await driver.adapter.stop()


# -- the token and the logs -----------------------------------------------------------------


async def test_the_token_never_reaches_a_log(caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG)  # before any connection or adapter exists
    async with FakeTelegramApi() as fake:
        driver = TelegramDriver(fake)
        await driver.start()
        fake.fault_server_error(times=2)
        await driver.say("bob", "/here", shared=False)
        await driver.block("carol")
        await driver.say("carol", "/dm", shared=True)
        fake.fault("getUpdates", 500, "Internal Server Error")
        fake.fault_conflict()
        await driver.say("bob", "/here", shared=False)  # ends the waiting poll: faults next
        await fake.wait_for(lambda: len(fake.calls_to("getUpdates")) >= 6, within=10)
        await driver.close()

        revoked = TelegramAdapter(
            Catalog.load(),
            token="7000000001:AAH-revoked-token-abcdefghijklmnopqrst",
            bot_name="PeerCircle",
            base_url=fake.base_url,
            base_file_url=fake.base_file_url,
        )
        with pytest.raises(InvalidToken) as refused:
            await revoked.start(dispatcher_with(driver.platforms))
        assert "AAH-revoked" in str(refused.value)  # the library puts it there...

    logged = caplog.text + "".join(r.getMessage() for r in caplog.records)
    for secret in (fake.token, fake.token.split(":")[1], "AAH-revoked"):
        assert secret not in logged  # ...and it goes no further
    assert "409 Conflict" in logged
    assert "fetching updates failed (NetworkError)" in logged


# -- several people at once -----------------------------------------------------------------


async def test_one_persons_slow_command_delays_nobody_else_and_their_order_holds(
    fake: FakeTelegramApi,
) -> None:
    gate = Gate()
    driver = TelegramDriver(fake)
    await driver.start(dispatcher_with(driver.platforms, gate.spec()))
    alice = driver.user("alice")
    try:
        updates = [fake.inject_message(alice, "/slow")]
        await asyncio.wait_for(gate.entered.wait(), 5)
        updates += [fake.inject_message(alice, f"/echo {n}") for n in ("one", "two", "three")]

        bob_saw = await driver.say("bob", "/echo hi from bob", shared=False)  # alice still busy

        assert [s.text for s in bob_saw] == ["You said: hi from bob"]
        assert fake.sent_messages(alice) == []
        gate.release.set()
        for update in updates:
            await driver.handled(update["update_id"])
    finally:
        gate.release.set()
        await driver.close()
    assert [m.text for m in fake.sent_messages(alice)] == [
        "slow done",
        "You said: one",
        "You said: two",
        "You said: three",
    ]


# -- stopping and restarting ----------------------------------------------------------------


async def test_stop_takes_no_new_updates_and_lets_replies_in_flight_finish(
    fake: FakeTelegramApi,
) -> None:
    gate = Gate()
    driver = TelegramDriver(fake)
    await driver.start(dispatcher_with(driver.platforms, gate.spec()))
    alice, bob = driver.user("alice"), driver.user("bob")
    fake.inject_message(alice, "/slow")
    await asyncio.wait_for(gate.entered.wait(), 5)

    stopping = asyncio.create_task(driver.adapter.stop())
    await fake.wait_for(lambda: not fake.polling, within=5)
    await asyncio.sleep(0.2)
    late = fake.inject_message(bob, "/here")
    assert not stopping.done()  # the slow reply is still on its way

    gate.release.set()
    await asyncio.wait_for(stopping, 10)
    await driver.close()
    assert [m.text for m in fake.sent_messages(alice)] == ["slow done"]
    assert fake.pending_updates() == [late]  # left for the next start, not lost
    assert fake.sent_messages(bob) == []


async def test_stop_while_connecting_returns_at_once(fake: FakeTelegramApi) -> None:
    driver = TelegramDriver(fake)
    fake.fault_slow(30, "getMe")
    task = asyncio.create_task(driver.adapter.start(dispatcher_with(driver.platforms)))
    await fake.wait_for(lambda: bool(fake.calls_to("getMe")))
    await asyncio.wait_for(driver.adapter.stop(), 5)
    await asyncio.wait_for(task, 1)


async def test_a_crashed_adapter_starts_again_under_the_supervisor(
    fake: FakeTelegramApi, caplog: pytest.LogCaptureFixture
) -> None:
    fake.fault("getMe", 500, "Internal Server Error", times=2)
    driver = TelegramDriver(fake)
    dispatcher = dispatcher_with(driver.platforms)
    supervisor = Supervisor(dispatcher, [driver.adapter], backoff=QUICK_RESTARTS)
    stop = asyncio.Event()
    running = asyncio.create_task(supervisor.run(stop))
    try:
        await fake.wait_until_polling(within=10)
        [reply] = await driver.say("bob", "/here", shared=False)
    finally:
        stop.set()
        await asyncio.wait_for(running, 10)
    assert supervisor.restarts["telegram"] == 2
    assert reply.text.startswith("For everyone")
    assert "incident INC-" in caplog.text
    assert "NetworkError" in caplog.text


async def test_an_unreachable_server_makes_start_fail_quickly() -> None:
    with socket.socket() as probe:  # a port nobody listens on
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    adapter = TelegramAdapter(
        Catalog.load(),
        token="7000000001:AAFakeTokenForTests-0123456789abcdefghij",
        bot_name="PeerCircle",
        base_url=f"http://127.0.0.1:{port}/bot",
        base_file_url=f"http://127.0.0.1:{port}/file/bot",
        retry=RetryPolicy(attempts=1),
    )
    with pytest.raises(NetworkError):
        await asyncio.wait_for(adapter.start(dispatcher_with(Platforms())), 10)
    await adapter.stop()


@pytest.mark.parametrize("as_timedelta", ["true", "false"])
def test_flood_waits_are_read_in_either_form(
    monkeypatch: pytest.MonkeyPatch, as_timedelta: str
) -> None:
    monkeypatch.setenv("PTB_TIMEDELTA", as_timedelta)
    assert retry_after_seconds(RetryAfter(7)) == 7.0
    assert retry_after_seconds(RetryAfter(dt.timedelta(seconds=2.5))) == 2.5
