"""``peercircle run`` as a child process for crash tests: start it against the fake Bot
API, SIGKILL it at a chosen moment, and read its outbox straight from the SQLite file."""

from __future__ import annotations

import asyncio
import os
import signal
import sqlite3
import sys
from collections.abc import Callable
from contextlib import closing
from pathlib import Path

from tests.fakes.telegram_api import FakeTelegramApi
from tests.process.cli import ROOT
from tests.process.test_run_telegram import Service


async def start_bot(config: Path, token: str, started: list[Service]) -> Service:
    """``peercircle run`` with ``config``; added to ``started`` so a fixture can kill it."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("PEERCIRCLE_")}
    env.update(PYTHONPATH=str(ROOT), PEERCIRCLE_TELEGRAM__TOKEN=token, LC_ALL="C.UTF-8")
    process = await asyncio.create_subprocess_exec(
        *(sys.executable, "-m", "bot", "--config", str(config), "run"),
        stdin=asyncio.subprocess.DEVNULL,
        stdout=asyncio.subprocess.DEVNULL,
        stderr=asyncio.subprocess.PIPE,
        cwd=config.parent,
        env=env,
    )
    service = Service(process)
    started.append(service)
    return service


async def kill_all(started: list[Service]) -> None:
    """SIGKILL whichever of ``started`` still runs (a test that failed half-way)."""
    for service in started:
        if service.process.returncode is None:
            service.process.kill()
            await service.process.wait()


async def kill_when(
    service: Service, fake: FakeTelegramApi, count: Callable[[], int], wanted: int
) -> int:
    """SIGKILL once ``count()`` (what the fake has received) reaches ``wanted``; the count
    then. The fake runs on this event loop, so nothing arrives between the look and the
    kill."""
    await fake.wait_for(
        lambda: count() >= wanted or service.process.returncode is not None,
        within=60,
        what=f"{wanted} sends",
    )
    assert service.process.returncode is None, service.err.decode(errors="replace")
    service.process.send_signal(signal.SIGKILL)
    at_kill = count()
    assert await asyncio.wait_for(service.process.wait(), 10) == -signal.SIGKILL
    await asyncio.sleep(0.2)  # a request already read may still be answered
    return at_kill


def outbox_rows(database: Path, kind: str) -> dict[str, int]:
    """Rows of ``kind`` by state: 'sent', 'expired', ... and, among the pending ones,
    'in flight' (claimed and not finished; a dead owner's lease may have run out) and
    'waiting' (not claimed)."""
    with closing(sqlite3.connect(database)) as conn:
        rows = conn.execute(
            "SELECT CASE WHEN status <> 'pending' THEN status"
            " WHEN claimed_until IS NOT NULL THEN 'in flight' ELSE 'waiting' END, COUNT(*)"
            " FROM outbox WHERE kind = ? GROUP BY 1",
            (kind,),
        ).fetchall()
    return {str(state): int(n) for state, n in rows}


def in_flight_targets(database: Path, kind: str) -> set[str]:
    """Whom the claimed, unfinished rows of ``kind`` are for: a user id or a chat id."""
    with closing(sqlite3.connect(database)) as conn:
        rows = conn.execute(
            "SELECT COALESCE(recipient, chat_id) FROM outbox"
            " WHERE kind = ? AND status = 'pending' AND claimed_until IS NOT NULL",
            (kind,),
        ).fetchall()
    return {str(target) for (target,) in rows}


async def until(check: Callable[[], bool], within: float, what: str) -> None:
    """Polls ``check`` (the bot writes the file: there is no event to wait on)."""
    for _ in range(int(within / 0.1)):
        if check():
            return
        await asyncio.sleep(0.1)
    raise AssertionError(f"not within {within} s: {what}")
