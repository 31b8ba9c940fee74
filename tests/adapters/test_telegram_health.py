"""What keeps the Telegram side alive and the organizer informed: a token revoked while
the bot runs (a clear line, Telegram asked again only after a pause that doubles, the
other adapters untouched), a group upgraded to a supergroup (written to at its new id,
and the config change named once), and the privacy mode, told once at start."""

from __future__ import annotations

import asyncio
import itertools
import logging

import pytest

from adapters.telegram.adapter import PRIVACY_OFF, PRIVACY_ON
from adapters.telegram.intake import Receiving
from adapters.telegram.watch import STILL_REFUSED, TOKEN_REFUSED
from bot.events import Place
from bot.replies import Audience, Reply
from bot.supervisor import Backoff, Handler, Supervisor
from tests.adapters.telegram_driver import TelegramDriver, dispatcher_with
from tests.fakes.telegram_api import FakeTelegramApi

NOTICE = Reply("The circle meets at 19:00 tonight.", audience=Audience.HERE)


class Heartbeat:
    """Another adapter, which only counts while it runs."""

    platform = "heartbeat"

    def __init__(self) -> None:
        self.beats = 0
        self._stop = asyncio.Event()

    async def start(self, inbox: Handler) -> None:
        while not self._stop.is_set():
            self.beats += 1
            await asyncio.sleep(0.02)

    async def stop(self) -> None:
        self._stop.set()


def _getme_times(fake: FakeTelegramApi) -> list[float]:
    return [call.received_at for call in fake.calls_to("getMe") if call.status == 401]


async def test_a_token_revoked_while_running_is_told_once_and_tried_with_backoff(
    fake: FakeTelegramApi, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO)
    receiving = Receiving(poll_timeout=1, drop_pending_updates=True)
    driver = TelegramDriver(fake, receiving=receiving)
    heartbeat = Heartbeat()
    backoff = Backoff(first=0.2, longest=0.8, healthy_after=60)
    supervisor = Supervisor(
        dispatcher_with(driver.platforms), [driver.adapter, heartbeat], backoff=backoff
    )
    stop = asyncio.Event()
    running = asyncio.create_task(supervisor.run(stop))
    token = fake.token
    try:
        await fake.wait_until_polling(within=10)
        fake.revoke_token(token)
        await fake.wait_for(lambda: len(_getme_times(fake)) >= 4, within=15)
        beats = heartbeat.beats
        await asyncio.sleep(0.3)
        assert heartbeat.beats > beats  # the other adapter never stopped
        refused = _getme_times(fake)

        fake.tokens.append(token)  # a new token: the next try connects again
        await fake.wait_until_polling(within=10)
        [answer] = await driver.say("bob", "/here", shared=False)
    finally:
        stop.set()
        await asyncio.wait_for(running, 10)

    gaps = [later - earlier for earlier, later in itertools.pairwise(refused)]
    print(f"\n401 getMe tries after the revocation: {len(refused)}, gaps {gaps}")
    assert all(gap >= 0.35 for gap in gaps)  # 0.4, 0.8, 0.8: never hammering
    assert gaps[-1] >= 0.7
    assert answer.text.startswith("For everyone")
    assert supervisor.restarts["telegram"] >= 4
    assert supervisor.restarts["heartbeat"] == 0
    log = caplog.text
    assert log.count(TOKEN_REFUSED) == 1
    assert log.count(STILL_REFUSED) >= 3
    assert token not in log
    assert token.split(":")[1] not in log
    assert log.count(PRIVACY_OFF) == 1  # told once, not at every reconnection
    drops = [call.params.get("drop_pending_updates") for call in fake.calls_to("deleteWebhook")]
    assert drops[0] is True
    assert not any(drops[1:])  # a reconnection never drops members' messages


async def test_privacy_mode_on_is_told_at_start(caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.INFO)
    async with FakeTelegramApi(group_privacy=True) as fake:
        driver = TelegramDriver(fake)
        await driver.start()
        await driver.close()
    assert caplog.text.count(PRIVACY_ON) == 1
    assert PRIVACY_OFF not in caplog.text


@pytest.mark.parametrize("announced", [True, False])
async def test_a_group_upgraded_to_a_supergroup_is_written_to_at_its_new_id(
    fake: FakeTelegramApi, caplog: pytest.LogCaptureFixture, announced: bool
) -> None:
    home = fake.group("Tuesday circle", type="group")
    place = Place("telegram", str(home.id), private=False)
    driver = TelegramDriver(fake)
    await driver.start()
    try:
        await driver.adapter.send(place, NOTICE)
        upgraded = fake.migrate_to_supergroup(home, announce=announced)
        if announced:
            await fake.wait_until_confirmed()
            await asyncio.sleep(0.2)  # the service message is handled
        first = await driver.adapter.send(place, NOTICE)
        second = await driver.adapter.send(place, NOTICE)
        [alex_saw] = await driver.say("alex", "/here", shared=False)  # the bot works on
    finally:
        await driver.close()

    assert first.chat_id == second.chat_id == str(home.id)  # the core still names the old
    assert [m.text for m in fake.sent_messages(home)] == [NOTICE.text]
    assert [m.text for m in fake.sent_messages(upgraded)] == [NOTICE.text, NOTICE.text]
    refused = [c for c in fake.calls_to("sendMessage") if c.status == 400]
    assert len(refused) == (0 if announced else 1)  # then straight to the new id
    hint = f"telegram_chat_id = {home.id}, write telegram_chat_id = {upgraded.id}"
    assert caplog.text.count(hint) == 1
    assert alex_saw.text.startswith("For everyone")
