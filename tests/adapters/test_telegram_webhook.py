"""Webhook mode, end to end over the fake Bot API: the adapter registers its webhook
(setWebhook with the secret token), listens on 127.0.0.1 (a free port), and the fake
delivers updates to it as Telegram would. A request with a wrong or missing secret is
refused and does nothing; an update Telegram delivers twice is handled once."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator

import pytest
from telegram.error import InvalidToken

from adapters.telegram.intake import Receiving
from adapters.telegram.watch import TOKEN_REFUSED
from adapters.telegram.webhook import RecentUpdates, Webhook
from tests.adapters.telegram_driver import TelegramDriver
from tests.fakes.telegram_api import FakeTelegramApi

SECRET = "s3cret-for-the-webhook_0123456789"
PUBLIC = "https://bot.example.org/telegram"
HERE = "For everyone: the group meets on Tuesdays."


def webhook_mode(**changes: object) -> Receiving:
    webhook = Webhook(url=PUBLIC, secret=SECRET, listen="127.0.0.1", port=0, path="/telegram")
    return Receiving(webhook=webhook, **changes)  # type: ignore[arg-type]


@pytest.fixture
async def hooked(fake: FakeTelegramApi) -> AsyncIterator[TelegramDriver]:
    driver = TelegramDriver(fake, receiving=webhook_mode())
    await driver.start()
    try:
        yield driver
    finally:
        await driver.close()


async def test_updates_with_the_right_secret_are_handled_by_webhook(
    hooked: TelegramDriver,
) -> None:
    fake = hooked.fake
    [registered] = fake.calls_to("setWebhook")
    assert registered.params["url"] == PUBLIC
    assert registered.params["secret_token"] == SECRET
    assert registered.params["allowed_updates"] == ["message", "callback_query"]
    assert not registered.params.get("drop_pending_updates")

    [private] = await hooked.say("bob", "/here", shared=False)
    [in_group] = await hooked.say("bob", "/here@PeerCircleTestBot", shared=True)

    assert private.text == in_group.text == HERE
    assert fake.calls_to("getUpdates") == []  # nothing polls in webhook mode
    assert fake.pending_updates() == []  # each delivery was answered 200
    assert hooked.delivery is not None
    assert {attempt.status for attempt in hooked.delivery.attempts} == {200}


@pytest.mark.parametrize("secret", ["wrong-secret-0123456789", None, SECRET[:-1], ""])
async def test_a_request_without_the_right_secret_is_refused_and_does_nothing(
    hooked: TelegramDriver, secret: str | None, caplog: pytest.LogCaptureFixture
) -> None:
    fake = hooked.fake
    bob = hooked.user("bob")
    update = {
        "update_id": 555_000_001,
        "message": {
            "message_id": 1,
            "from": bob.to_json(),
            "chat": {"id": bob.id, "type": "private", "first_name": "bob"},
            "date": 0,
            "text": "/here",
            "entities": [{"type": "bot_command", "offset": 0, "length": 5}],
        },
    }

    status = await fake.post_to_webhook(hooked.webhook_address(), update, secret=secret)
    await asyncio.sleep(0.3)

    assert status == 403
    assert fake.sent_messages() == []
    assert "refused a request without the right secret token" in caplog.text
    assert SECRET not in caplog.text
    # the same update with the right secret is handled: only the secret was missing
    status = await fake.post_to_webhook(hooked.webhook_address(), update, secret=SECRET)
    await hooked.handled(555_000_001)
    assert status == 200
    assert [m.text for m in fake.sent_messages(bob)] == [HERE]


async def test_an_update_telegram_delivers_again_is_handled_once(hooked: TelegramDriver) -> None:
    fake = hooked.fake
    bob = hooked.user("bob")
    update = fake.inject_message(bob, "/here")
    await hooked.handled(update["update_id"])

    again = [
        await fake.post_to_webhook(hooked.webhook_address(), update, secret=SECRET)
        for _ in range(3)
    ]
    await hooked.say("bob", "/echo after", shared=False)  # in order: after the repeats

    assert again == [200, 200, 200]  # Telegram is told it arrived, so it stops sending
    assert [m.text for m in fake.sent_messages(bob)] == [HERE, "You said: after"]


async def test_what_is_no_update_is_refused(hooked: TelegramDriver) -> None:
    address = hooked.webhook_address()
    assert await hooked.fake.post_to_webhook(address, {"nonsense": True}, secret=SECRET) == 400
    assert hooked.fake.sent_messages() == []


async def test_updates_that_waited_while_the_bot_was_down_arrive_after_it_starts(
    fake: FakeTelegramApi,
) -> None:
    first = TelegramDriver(fake, receiving=webhook_mode())
    await first.start()
    await first.say("bob", "/here", shared=False)
    await first.close()
    bob = first.user("bob")
    waiting = fake.inject_message(bob, "/echo while you were away")
    delivery = first.delivery
    assert delivery is not None
    await fake.wait_for(lambda: sum(a.status == 0 for a in delivery.attempts) >= 2)
    await delivery.stop()  # Telegram keeps the update and tries the new address

    second = TelegramDriver(fake, users=first.users, receiving=webhook_mode())
    await second.start()
    try:
        await second.handled(waiting["update_id"])
    finally:
        await second.close()
    assert [m.text for m in fake.sent_messages(bob)] == [HERE, "You said: while you were away"]


def test_recent_updates_forget_the_oldest_beyond_their_size() -> None:
    seen = RecentUpdates(size=3)
    assert [seen.first_time(n) for n in (1, 2, 1, 3, 4)] == [True, True, False, True, True]
    assert seen.first_time(1)  # forgotten: only the last three are kept
    assert not seen.first_time(4)


async def test_the_webhook_secret_never_reaches_a_log(
    fake: FakeTelegramApi, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    driver = TelegramDriver(fake, receiving=webhook_mode())
    await driver.start()
    try:
        await driver.say("bob", "/here", shared=False)
        fake.fault("setMyCommands", 500, "Internal Server Error")
        await fake.post_to_webhook(driver.webhook_address(), {"update_id": 1}, secret="x")
    finally:
        await driver.close()
    assert "webhook mode, listening on 127.0.0.1 port" in caplog.text
    assert SECRET not in caplog.text + "".join(r.getMessage() for r in caplog.records)


async def test_a_token_revoked_in_webhook_mode_ends_the_run(
    fake: FakeTelegramApi, caplog: pytest.LogCaptureFixture
) -> None:
    """Nothing polls in webhook mode: the periodic look at the webhook notices instead."""
    driver = TelegramDriver(fake, receiving=webhook_mode(check_every=0.1))
    await driver.start()
    try:
        fake.revoke_token(fake.token)
        assert driver.task is not None
        with pytest.raises(InvalidToken):
            await asyncio.wait_for(driver.task, 5)
    finally:
        await driver.adapter.stop()
    assert TOKEN_REFUSED in caplog.text
    assert [c.status for c in fake.calls_to("getWebhookInfo")][-1] == 401


async def test_deliveries_telegram_could_not_make_are_logged_once_each(
    fake: FakeTelegramApi, caplog: pytest.LogCaptureFixture
) -> None:
    driver = TelegramDriver(fake, receiving=webhook_mode(check_every=0.1))
    await driver.start()
    try:
        assert driver.delivery is not None
        await driver.delivery.stop()
        broken = fake.deliver_webhook_to("http://127.0.0.1:9/telegram")  # the proxy is down
        fake.inject_message(driver.user("bob"), "/here")
        await fake.wait_for(lambda: len(broken.attempts) >= 3)
        await fake.wait_for(lambda: len(fake.calls_to("getWebhookInfo")) >= 3)
        await broken.stop()
    finally:
        await driver.close()
    told = [r.getMessage() for r in caplog.records if "could not deliver" in r.getMessage()]
    assert told[0] == (
        "telegram: Telegram could not deliver updates to https://bot.example.org/telegram "
        "(Connection refused); 1 waiting. Check the reverse proxy and its certificate"
    )
    assert len(told) <= len(broken.attempts)  # once per failure, not once per look
