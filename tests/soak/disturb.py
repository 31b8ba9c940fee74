"""What the soak does to the service besides the platforms' faults: another program
locking its database now and then, Discord's gateway dropping, and its memory watched."""

from __future__ import annotations

import asyncio
import os
import random
import sqlite3
import threading
import time
from contextlib import closing
from dataclasses import dataclass, field
from pathlib import Path

from tests.fakes.discord_api import FakeDiscordApi


@dataclass
class DatabaseLocker:
    """Every ``every`` seconds (± half), a connection of its own takes ``BEGIN EXCLUSIVE``
    on the bot's SQLite file and holds it for ``hold`` seconds (a range), as a backup
    tool or a second program might. Runs in a thread: the lock must not stall the fakes."""

    database: Path
    seed: int = 0
    every: float = 3.0
    hold: tuple[float, float] = (0.3, 1.0)
    held: list[float] = field(default_factory=list)  # seconds each lock was held
    refused: int = 0  # times the lock could not be had (the bot was writing for long)
    _stop: threading.Event = field(default_factory=threading.Event)
    _thread: threading.Thread | None = None

    def start(self) -> None:
        self._thread = threading.Thread(target=self._run, name="soak-db-lock", daemon=True)
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=10)

    def _run(self) -> None:
        rng = random.Random(self.seed)
        with closing(sqlite3.connect(self.database, timeout=5, isolation_level=None)) as conn:
            while not self._stop.wait(self.every * rng.uniform(0.5, 1.5)):
                hold = rng.uniform(*self.hold)
                try:
                    conn.execute("BEGIN EXCLUSIVE")
                except sqlite3.OperationalError:
                    self.refused += 1
                    continue
                began = time.monotonic()
                self._stop.wait(hold)
                conn.execute("COMMIT")
                self.held.append(time.monotonic() - began)


async def drop_gateway_now_and_then(
    fake: FakeDiscordApi, every: float, drops: list[float], seed: int = 0
) -> None:
    """Closes the bot's gateway connection every ``every`` seconds (± half) until
    cancelled; discord.py reconnects and resumes, and the fake replays what it missed."""
    rng = random.Random(seed)
    while True:
        await asyncio.sleep(every * rng.uniform(0.5, 1.5))
        await fake.wait_until_connected(within=60)
        began = time.monotonic()
        await fake.drop_gateway()
        drops.append(began)


def cpu_seconds(pid: int) -> float:
    """User plus system CPU time of ``pid`` so far, all its threads."""
    fields = Path(f"/proc/{pid}/stat").read_text().rpartition(")")[2].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def resident_kib(pid: int) -> int:
    """VmRSS of ``pid``, in KiB."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    raise RuntimeError(f"no VmRSS for {pid}")


@dataclass
class Progress:
    """Commands done out of ``total``; the service's memory sampled at every tenth."""

    total: int
    pid: int
    samples: list[tuple[int, int]] = field(default_factory=list)  # (percent, KiB)
    done: int = 0

    def __post_init__(self) -> None:
        self.samples.append((0, resident_kib(self.pid)))

    def step(self) -> None:
        self.done += 1
        percent = self.done * 100 // self.total
        if percent >= (len(self.samples)) * 10 and percent % 10 == 0:
            self.samples.append((percent, resident_kib(self.pid)))
