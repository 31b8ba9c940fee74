"""Reminders survive a crash: ``peercircle run`` starts 30 minutes before a meeting of a
group with 200 seated Telegram members and a group chat, so the hour-before reminder is
due at once for 201 recipients; it is SIGKILLed in the middle of the fan-out and started
again. Everyone gets the reminder, and only the reminders in flight at the kill (being
sent, not yet recorded: at most one per delivery slot) may arrive twice; those claimed
ahead and not yet sent wait out their lease and go once.

And a bot that starts after the meeting began sends no reminder for it: the rows are
recorded as expired. Run with ``-s`` to see the figures."""

from __future__ import annotations

import asyncio
from collections import Counter
from collections.abc import AsyncIterator, Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from bot.app import BotApp
from bot.config import load_settings
from bot.events import Actor
from bot.outbox import DeliveryPolicy
from groups.models import WEEKDAYS, JoinOutcome
from tests.fakes.telegram_api import FakeTelegramApi
from tests.fakes.telegram_updates import TgChat, TgUser
from tests.process.bot_process import (
    in_flight_targets,
    kill_all,
    kill_when,
    outbox_rows,
    start_bot,
    until,
)
from tests.process.test_run_telegram import Service, telegram_config

RECIPIENTS = 200
KILL_AFTER = 70  # reminders the fake has received when the bot is killed
SLOTS = 4  # the [delivery] default
# Rows claimed at the kill: one per slot being sent, and those claimed ahead (a batch,
# claimed while at most SLOTS of the last one were still waiting).
CLAIMED_AT_MOST = 2 * SLOTS + DeliveryPolicy().claim_batch
LEASE_SECONDS = 2  # so the restarted bot takes over the in-flight rows quickly
SLUG = "big-circle"
KIND = "reminder"


@dataclass(frozen=True)
class Circle:
    """A group's config and database, its seated members and its Telegram chat."""

    config: Path
    database: Path
    people: list[TgUser]
    chat: TgChat

    @property
    def everyone(self) -> set[int]:
        """The chats a reminder goes to: each member's private chat, and the group's."""
        return {user.id for user in self.people} | {self.chat.id}


@pytest.fixture
async def fake() -> AsyncIterator[FakeTelegramApi]:
    async with FakeTelegramApi() as api:
        yield api


@pytest.fixture
async def started() -> AsyncIterator[list[Service]]:
    """The bots a test started; any still running at the end (a failed test) is killed."""
    services: list[Service] = []
    yield services
    await kill_all(services)


def _config(directory: Path, fake: FakeTelegramApi, chat: TgChat, meets: datetime) -> Path:
    """The example config on the fake, in UTC, with one group meeting weekly at ``meets``
    (to the minute) and short delivery leases."""
    config = telegram_config(directory, fake.base_url, fake.base_file_url)
    text = config.read_text(encoding="utf-8")
    text = text.replace('timezone = "Europe/London"', 'timezone = "UTC"', 1)
    head, found, _ = text.partition("\n[[groups]]\n")
    assert found
    assert "\n[delivery]\n" in head
    delivery = f"[delivery]\nslots = {SLOTS}\nlease_seconds = {LEASE_SECONDS}\n"
    head = head.replace("\n[delivery]\n", f"\n{delivery}", 1)
    group = (
        f'[[groups]]\nslug = "{SLUG}"\nname = "Big Circle"\ncapacity = {RECIPIENTS + 50}\n'
        f'telegram_chat_id = {chat.id}\n\n[groups.schedule]\nfrequency = "weekly"\n'
        f'weekday = "{WEEKDAYS[meets.weekday()]}"\ntime = "{meets:%H:%M}"\n'
        "duration_minutes = 60\n"
    )
    config.write_text(f"{head}\n{group}", encoding="utf-8")
    return config


async def _seat(config: Path, token: str, people: Sequence[TgUser]) -> None:
    """Everyone joins the group the way a member's /join does, before the bot runs."""
    settings = load_settings(config, environ={"PEERCIRCLE_TELEGRAM__TOKEN": token})
    app = await BotApp.open(settings)
    try:
        group = app.directory.get(SLUG)
        assert group is not None
        for user in people:
            actor = Actor("telegram", str(user.id), user.first_name)
            result = await app.membership.join(actor, group)
            assert result.outcome is JoinOutcome.SEATED
    finally:
        await app.close()


async def _circle(directory: Path, fake: FakeTelegramApi, meets: datetime) -> Circle:
    """200 people who have pressed Start, all seated in a group that meets at ``meets``
    (UTC; computed once, so a meeting just after midnight falls on the next weekday)."""
    people = [fake.user(f"Member{n}") for n in range(RECIPIENTS)]
    for user in people:
        fake.private_chat(user)
    chat = fake.group("Big Circle chat")
    config = _config(directory, fake, chat, meets)
    await _seat(config, fake.token, people)
    return Circle(config, directory / "data" / "peercircle.sqlite3", people, chat)


def _received(fake: FakeTelegramApi, chats: Iterable[int]) -> Counter[int]:
    wanted = set(chats)
    return Counter(m.chat_id for m in fake.sent_messages() if m.chat_id in wanted)


async def test_a_reminder_killed_mid_fan_out_reaches_everyone_after_restart(
    fake: FakeTelegramApi, tmp_path: Path, started: list[Service]
) -> None:
    loop = asyncio.get_running_loop()
    circle = await _circle(tmp_path, fake, datetime.now(UTC) + timedelta(minutes=30))
    assert outbox_rows(circle.database, KIND) == {}  # nothing is queued before the bot runs

    began = loop.time()
    first = await start_bot(circle.config, fake.token, started)
    at_kill = await kill_when(first, fake, lambda: len(fake.sent_messages()), KILL_AFTER)
    at_crash = outbox_rows(circle.database, KIND)
    claimed = in_flight_targets(circle.database, KIND)
    sent_rows, in_flight = at_crash.get("sent", 0), at_crash.get("in flight", 0)
    assert sum(at_crash.values()) == RECIPIENTS + 1  # all queued at start, in one go
    assert at_kill < RECIPIENTS  # killed in the middle, not after the end
    # Every reminder that arrived was recorded, or its row is still claimed.
    assert sent_rows <= at_kill <= sent_rows + in_flight

    second = await start_bot(circle.config, fake.token, started)
    try:
        await fake.wait_for(
            lambda: set(_received(fake, circle.everyone)) >= circle.everyone,
            within=60,
            what="everyone reminded",
        )
        await until(
            lambda: outbox_rows(circle.database, KIND) == {"sent": RECIPIENTS + 1},
            within=LEASE_SECONDS + 30,  # doubles would have landed by then
            what=f"every reminder recorded as sent: {outbox_rows(circle.database, KIND)}",
        )
    finally:
        code, _, err = await second.terminate()
    took = loop.time() - began

    received = _received(fake, circle.everyone)
    doubles = sum(n - 1 for n in received.values())
    print(
        f"\nreminder crash: {at_kill} received before the kill ({sent_rows} recorded sent,"
        f" {in_flight} in flight, {at_crash.get('waiting', 0)} waiting); {doubles}"
        f" duplicate(s); {sum(received.values())} messages to {len(received)} chats"
        f" in {took:.1f} s"
    )
    assert code == 0, err.decode(errors="replace")
    assert b"Traceback" not in first.err + err
    assert set(received) == circle.everyone
    assert len(fake.sent_messages()) == sum(received.values())  # nothing else was sent
    assert in_flight <= CLAIMED_AT_MOST
    assert doubles <= min(in_flight, SLOTS)
    assert {str(chat) for chat, n in received.items() if n > 1} <= claimed
    reminder = fake.sent_messages(circle.people[0])[0]
    assert reminder.text.startswith("Reminder: Big Circle meets")
    assert outbox_rows(circle.database, KIND) == {"sent": RECIPIENTS + 1}


async def test_a_bot_started_after_the_meeting_began_sends_no_reminder_for_it(
    fake: FakeTelegramApi, tmp_path: Path, started: list[Service]
) -> None:
    circle = await _circle(tmp_path, fake, datetime.now(UTC) - timedelta(minutes=10))

    bot = await start_bot(circle.config, fake.token, started)
    try:
        await until(
            lambda: outbox_rows(circle.database, KIND).get("expired") == RECIPIENTS + 1,
            within=30,
            what=f"every reminder expired: {outbox_rows(circle.database, KIND)}",
        )
        await fake.wait_until_polling(within=30)
        await asyncio.sleep(LEASE_SECONDS)  # a reminder sent anyway would arrive by now
    finally:
        code, took, err = await bot.terminate()

    shown = err.decode(errors="replace")
    print(f"\nreminder after the start: stopped in {took:.1f} s; the log:\n{shown}")
    assert code == 0, shown
    assert "Traceback" not in shown
    assert fake.sent_messages() == []
    assert outbox_rows(circle.database, KIND) == {"expired": RECIPIENTS + 1}
    assert f"reminders: {RECIPIENTS + 1} for {SLUG} came too late" in shown
