"""``peercircle run`` as the Telegram service: the real CLI in a subprocess, talking to
the fake Bot API running in this test on 127.0.0.1 (a free port), as a member would
see it in a private chat and in a group chat; then a clean stop on SIGTERM."""

from __future__ import annotations

import os
import signal
import socket
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from tests.fakes.telegram_api import FakeTelegramApi
from tests.process.cli import example_copy, peercircle
from tests.process.telegram_service import (
    Service,
    answers,
    assert_clean_exit,
    run_service,
    telegram_config,
)

__all__ = ["Service", "telegram_config"]  # other process tests import them from here


@pytest.fixture
async def fake() -> AsyncIterator[FakeTelegramApi]:
    async with FakeTelegramApi() as api:
        yield api


async def test_run_serves_telegram_and_stops_cleanly(fake: FakeTelegramApi, tmp_path: Path) -> None:
    config = telegram_config(tmp_path, fake.base_url, fake.base_file_url)
    service = await run_service(config, fake.token)
    try:
        assert service.process.stdin is not None  # run never reads it: this goes nowhere
        service.process.stdin.write(b":as mallory organizer\n/roster tues\n")
        await service.process.stdin.drain()
        await fake.wait_until_polling(within=30)

        alex = fake.user("Alex")
        deep_link = "/start start"  # what the pointer's t.me link makes Telegram send
        [hello] = await answers(fake, lambda: fake.inject_command(alex, deep_link), alex)
        assert "I help peer-support groups meet" in hello.text

        [groups] = await answers(fake, lambda: fake.inject_command(alex, "/groups"), alex)
        assert "Tuesday Recovery Circle — /join tuesday-recovery" in groups.text
        assert groups.buttons[0][0] == "Join Tuesday Recovery Circle"

        [joined] = await answers(fake, lambda: fake.inject_command(alex, "/join tuesday"), alex)
        assert joined.text.startswith("You're in: you have a seat in Tuesday Recovery Circle")

        [crisis] = await answers(fake, lambda: fake.inject_command(alex, "/crisis GB"), alex)
        assert "Samaritans" in crisis.text
        assert "116 123" in crisis.text

        youth = "Join Youth Space (16–25)"
        [pressed] = await answers(fake, lambda: fake.press_button(alex, groups, text=youth), alex)
        assert pressed.text.startswith("You're in: you have a seat in Youth Space (16–25)")
        assert len(fake.answered_callbacks()) == 1

        circle = fake.group("Tuesday circle chat")
        mine = await answers(
            fake, lambda: fake.inject_command(alex, "/mygroups", chat=circle), alex, circle
        )
        details, pointer = mine
        assert "Tuesday Recovery Circle — you have a seat" in details.text
        assert pointer.text == "📬 I've sent you a private message."

        checkin = "/checkin@PeerCircleTestBot"
        mine = await answers(
            fake, lambda: fake.inject_command(alex, checkin, chat=circle), alex, circle
        )
        private, pointer = mine
        assert private.text.startswith("Check-ins are private, so let's do this here")
        assert private.buttons == [("Check in", "checkin:")]
        assert pointer.text == "📬 I've sent you a private message."

        bea = fake.user("Bea")  # in the group, never started the bot: only a deep link
        [link] = await answers(fake, lambda: fake.inject_command(bea, checkin, chat=circle), circle)
        assert link.text == (
            "I couldn't send you a private message. To get it, open a private chat with me "
            "here: https://t.me/PeerCircleTestBot?start=start — tap Start, then try again."
        )
        assert fake.sent_messages(bea) == []
    finally:
        code, took, err = await service.terminate()

    assert_clean_exit(code, took, err, fake.token)
    assert service.process.stdout is not None
    assert await service.process.stdout.read() == b""  # a service: nothing on stdout
    everything = " ".join(m.text for m in fake.sent_messages())
    assert "Roster" not in everything  # the piped ":as mallory organizer" did nothing
    assert "mallory" not in everything
    assert fake.commands()[0] == {
        "command": "start",
        "description": "Say hello and see how PeerCircle works",
    }
    assert "roster" not in [c["command"] for c in fake.commands()]  # facilitators only
    wal = tmp_path / "data" / "peercircle.sqlite3-wal"
    assert not wal.exists() or wal.stat().st_size == 0


async def test_run_keeps_going_while_telegram_is_unreachable(tmp_path: Path) -> None:
    with socket.socket() as probe:  # a port nobody listens on
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    base = f"http://127.0.0.1:{port}"
    config = telegram_config(tmp_path, f"{base}/bot", f"{base}/file/bot")
    token = "7000000001:AAFakeTokenForTests-0123456789abcdefghij"
    service = await run_service(config, token)
    try:
        await service.wait_for_stderr(lambda err: err.count(b"restarting in") >= 2)
        assert service.process.returncode is None  # still running
    finally:
        code, took, err = await service.terminate()

    assert_clean_exit(code, took, err, token)
    shown = err.decode()
    assert "incident INC-" in shown
    assert "NetworkError" in shown
    assert "telegram adapter stopped unexpectedly; restarting in 1.0 s" in shown
    assert "restarting in 2.0 s" in shown


async def test_run_paces_replies_with_the_configured_limits(
    fake: FakeTelegramApi, tmp_path: Path
) -> None:
    config = telegram_config(tmp_path, fake.base_url, fake.base_file_url)
    with config.open("a", encoding="utf-8") as extra:
        extra.write("\n[telegram.limits]\nper_chat_per_second = 2\nper_chat_burst = 1\n")
    service = await run_service(config, fake.token)
    try:
        await fake.wait_until_polling(within=30)
        alex = fake.user("Alex")
        fake.inject_command(alex, "/crisis")
        fake.inject_command(alex, "/groups")
        await fake.wait_for_sent(2, chat_id=alex, within=15)
    finally:
        code, took, err = await service.terminate()

    assert_clean_exit(code, took, err, fake.token)
    first, second = [call.received_at for call in fake.calls_to("sendMessage") if call.ok]
    assert second - first >= 0.4  # two a second in one chat; unpaced, a few ms apart


async def test_sighup_reloads_the_groups_and_a_broken_config_is_refused(
    fake: FakeTelegramApi, tmp_path: Path
) -> None:
    config = telegram_config(tmp_path, fake.base_url, fake.base_file_url)
    good = config.read_text(encoding="utf-8")
    service = await run_service(config, fake.token)
    try:
        await fake.wait_until_polling(within=30)
        alex = fake.user("Alex")
        renamed = good.replace('name = "Youth Space (16–25)"', 'name = "Young Adults Space"')
        config.write_text(renamed, encoding="utf-8")
        secrets = {"PEERCIRCLE_TELEGRAM__TOKEN": fake.token}  # the service's environment
        asked = peercircle("--config", str(config), "reload", env=secrets)  # by its pid file
        await service.wait_for_stderr(lambda err: b"config reloaded" in err)
        [groups] = await answers(fake, lambda: fake.inject_command(alex, "/groups"), alex)

        config.write_text(renamed.replace("capacity = 12", "capacity = 0"), encoding="utf-8")
        service.process.send_signal(signal.SIGHUP)
        await service.wait_for_stderr(lambda err: b"config not reloaded" in err)
        [still] = await answers(fake, lambda: fake.inject_command(alex, "/groups"), alex)
    finally:
        code, took, err = await service.terminate()

    assert_clean_exit(code, took, err, fake.token)
    assert asked.code == 0, asked.err
    assert f"process {service.process.pid}" in asked.out
    assert not (tmp_path / "data" / "peercircle.pid").exists()  # removed at stop
    assert "Young Adults Space" in groups.text
    assert "Youth Space (16–25)" not in groups.text
    assert "Young Adults Space" in still.text  # the running config was kept
    assert b"capacity" in err  # the problem is named in the log


def test_reload_without_a_running_bot_says_so(tmp_path: Path) -> None:
    config = example_copy(tmp_path)
    (tmp_path / "data").mkdir()
    (tmp_path / "data" / "peercircle.pid").write_text(f"{os.getpid()}\n")  # not a bot

    asked = peercircle("--config", str(config), "reload")

    assert asked.code == 1
    assert "No running PeerCircle was found" in asked.err
