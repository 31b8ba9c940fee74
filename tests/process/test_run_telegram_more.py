"""``peercircle run`` on Telegram, more of it end to end over the fake Bot API: a member's
check-in in the private chat that outlives a restart of the service halfway, and the
service in webhook mode."""

from __future__ import annotations

import re
import sqlite3
from collections.abc import AsyncIterator
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from tests.fakes.telegram_api import FakeTelegramApi
from tests.process.telegram_service import (
    answers,
    assert_clean_exit,
    messages,
    run_service,
    telegram_config,
)

HMAC_KEY = "process-test-checkin-key-0123456789abcdefgh"
NOTE = "Slept badly, but the group helped me a lot this week."
WEBHOOK_SECRET = "webhook-secret-for-the-process-test_0123"


@pytest.fixture
async def fake() -> AsyncIterator[FakeTelegramApi]:
    async with FakeTelegramApi() as api:
        yield api


def _checkins_open_now(config: Path) -> None:
    """The example's weekly check-in, moved to open at midnight today (London time)."""
    today = datetime.now(ZoneInfo("Europe/London")).strftime("%A").lower()
    text = config.read_text(encoding="utf-8")
    text = text.replace('opens_on = "sunday"', f'opens_on = "{today}"', 1)
    text = text.replace('opens_at = "18:00"', 'opens_at = "00:00"', 1)
    text = text.replace("open_days = 3", "open_days = 6", 1)
    config.write_text(text, encoding="utf-8")


def _stored(database: Path, sql: str) -> list[tuple[object, ...]]:
    with sqlite3.connect(f"file:{database}?mode=ro", uri=True) as connection:
        return connection.execute(sql).fetchall()


async def test_a_checkin_by_buttons_and_a_typed_note_survives_a_restart_halfway(
    fake: FakeTelegramApi, tmp_path: Path
) -> None:
    config = telegram_config(tmp_path, fake.base_url, fake.base_file_url)
    _checkins_open_now(config)
    alex = fake.user("Alex")
    first = await run_service(config, fake.token, PEERCIRCLE_CHECKINS__HMAC_KEY=HMAC_KEY)
    try:
        await fake.wait_until_polling(within=30)
        await answers(fake, lambda: fake.inject_command(alex, "/join tuesday"), alex)
        [[intro, mood]] = await messages(
            fake, lambda: fake.inject_command(alex, "/checkin"), alex, count=2
        )
        okay = "3 · okay"
        [note] = await answers(fake, lambda: fake.press_button(alex, mood, text=okay), alex)
    finally:
        code, took, err = await first.terminate()
    assert_clean_exit(code, took, err, fake.token, HMAC_KEY)
    assert intro.text.startswith("This week's check-in for Tuesday Recovery Circle is open")
    assert "question 1 of 2" in mood.text
    assert [label for label, _ in mood.buttons][:5] == [
        "1 · struggling",
        "2 · low",
        "3 · okay",
        "4 · good",
        "5 · doing well",
    ]
    assert "question 2 of 2" in note.text
    database = tmp_path / "data" / "peercircle.sqlite3"
    assert _stored(database, "SELECT answers FROM form_progress") == [('[["mood", "3"]]',)]

    second = await run_service(config, fake.token, PEERCIRCLE_CHECKINS__HMAC_KEY=HMAC_KEY)
    try:
        await fake.wait_until_polling(within=30)
        [thanks] = await answers(fake, lambda: fake.inject_message(alex, NOTE), alex)
    finally:
        code, took, err_after = await second.terminate()
    assert_clean_exit(code, took, err_after, fake.token, HMAC_KEY)

    assert thanks.text.startswith("Thank you for checking in with Tuesday Recovery Circle.")
    assert _stored(database, "SELECT mood, note FROM checkins") == [(3, NOTE)]
    assert _stored(database, "SELECT * FROM form_progress") == []  # nothing left of the form
    for log in (err, err_after):
        assert NOTE.encode() not in log
        assert b"okay" not in log


async def test_run_in_webhook_mode_handles_telegrams_posts_only(
    fake: FakeTelegramApi, tmp_path: Path
) -> None:
    webhook = (
        '\nmode = "webhook"\nwebhook_url = "https://bot.example.org/telegram"\n'
        'webhook_listen = "127.0.0.1"\nwebhook_port = 0\n'
    )
    config = telegram_config(tmp_path, fake.base_url, fake.base_file_url, extra=webhook)
    service = await run_service(
        config, fake.token, PEERCIRCLE_TELEGRAM__WEBHOOK_SECRET=WEBHOOK_SECRET
    )
    alex = fake.user("Alex")
    try:
        await service.wait_for_stderr(lambda err: b"telegram: connected as" in err)
        found = re.search(rb"listening on 127\.0\.0\.1 port (\d+) at /telegram", service.err)
        assert found is not None, service.err
        address = f"http://127.0.0.1:{int(found[1])}/telegram"
        assert fake.webhook_url == "https://bot.example.org/telegram"
        assert fake.webhook_secret == WEBHOOK_SECRET
        fake.deliver_webhook_to(address)

        [hello] = await answers(fake, lambda: fake.inject_command(alex, "/start"), alex)
        [crisis] = await answers(fake, lambda: fake.inject_command(alex, "/crisis GB"), alex)

        stranger = fake.inject_command(alex, "/groups")  # delivered, and answered once
        await fake.wait_for_sent(3, chat_id=alex, within=15)
        forged = await fake.post_to_webhook(address, stranger, secret="not-the-secret-at-all")
        repeated = await fake.post_to_webhook(address, stranger, secret=WEBHOOK_SECRET)
        await fake.wait_for(lambda: not fake.pending_updates())
    finally:
        code, took, err = await service.terminate()

    assert_clean_exit(code, took, err, fake.token, WEBHOOK_SECRET)
    assert "I help peer-support groups meet" in hello.text
    assert "Samaritans" in crisis.text
    assert (forged, repeated) == (403, 200)
    assert len(fake.sent_messages(alex)) == 3  # neither the forged nor the repeat answered
    assert fake.calls_to("getUpdates") == []
