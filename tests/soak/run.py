"""The fault soak, start to finish: the service in a process of its own with both
adapters, members on both fakes, faults on, then the checks' raw material.

Faults, and when each happens relative to the fake acting:

- a 429 (``retry_after`` 0.05-0.2 s) or a 500: the fake did nothing;
- a dropped connection (``drop``): closed before the fake acts, so a retry is safe;
- ``drop_after`` (off by default): closed after the fake acted, the ambiguous case —
  Telegram has no idempotency key, so a retried send shows twice; measured, not hidden;
- Discord's gateway drops every few seconds (discord.py resumes, the fake replays);
- another connection holds ``BEGIN EXCLUSIVE`` on the database now and then.

The rates apply to every Bot API method (``getUpdates`` and ``answerCallbackQuery``
included) and every Discord REST route, once the service is up.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import random
import time
from dataclasses import dataclass, field
from pathlib import Path

from tests.fakes.discord_faults import RandomFaults as DiscordFaults
from tests.fakes.telegram_faults import RandomFaults as TelegramFaults
from tests.process.telegram_service import Service
from tests.soak.config import service_command, service_env, soak_config
from tests.soak.discord_side import DiscordMember, WatchedDiscord
from tests.soak.disturb import (
    DatabaseLocker,
    Progress,
    cpu_seconds,
    drop_gateway_now_and_then,
)
from tests.soak.model import pending
from tests.soak.script import Tally
from tests.soak.telegram_side import TelegramMember, WatchedTelegram


def _env(name: str, default: float) -> float:
    return float(os.environ.get(f"PEERCIRCLE_SOAK_{name}", default))


@dataclass(frozen=True)
class Plan:
    # The size: about 50 s on 2 quiet cores, 2 minutes on a loaded machine
    # (figures in README.md).
    commands: int = 10_000
    members: int = 500  # half on Telegram, half on Discord, all at once
    within: float = 60.0  # seconds a member waits for an answer before calling it lost
    seed: int = 13
    too_many: float = 0.05
    server_error: float = 0.02
    drop: float = 0.01
    drop_after: float = 0.0
    lock_every: float = 3.0
    gateway_every: float = 8.0

    @classmethod
    def from_env(cls) -> Plan:
        """PEERCIRCLE_SOAK_COMMANDS, _MEMBERS, _DROP_AFTER, _SEED change the defaults;
        PEERCIRCLE_SOAK_FAULTS=0 turns every fault off (a baseline to compare with)."""
        on = _env("FAULTS", 1) != 0
        return cls(
            commands=int(_env("COMMANDS", cls.commands)),
            members=int(_env("MEMBERS", cls.members)),
            drop_after=_env("DROP_AFTER", cls.drop_after),
            seed=int(_env("SEED", cls.seed)),
            too_many=cls.too_many if on else 0.0,
            server_error=cls.server_error if on else 0.0,
            drop=cls.drop if on else 0.0,
            lock_every=cls.lock_every if on else 0.0,
            gateway_every=cls.gateway_every if on else 0.0,
        )


@dataclass
class Soak:
    """Everything the run leaves for the checks and the figures."""

    plan: Plan
    database: Path
    tally: Tally = field(default_factory=Tally)
    telegram: list[TelegramMember] = field(default_factory=list)
    discord: list[DiscordMember] = field(default_factory=list)
    telegram_faults: TelegramFaults | None = None
    discord_faults: DiscordFaults | None = None
    locker: DatabaseLocker | None = None
    gateway_drops: list[float] = field(default_factory=list)
    progress: Progress | None = None
    seconds: float = 0.0
    service_cpu: float = 0.0  # seconds of CPU the service used during the commands
    test_cpu: float = 0.0  # and this process (the fakes and the members)
    drained_after: float | None = None
    alive_at_end: bool = False
    exit_code: int | None = None
    stderr: str = ""


async def soak(plan: Plan, directory: Path) -> Soak:
    async with WatchedTelegram() as telegram, WatchedDiscord() as discord:
        server = discord.guild("Soak server")
        run = Soak(plan, directory / "soak.sqlite3")
        _cast(run, telegram, discord)
        config = soak_config(directory, telegram, discord, server)
        service = await _start(config, telegram, discord)
        try:
            await discord.wait_for(lambda: discord.commands(server), within=30, what="commands")
            await _faulty_run(run, service, telegram, discord)
        finally:
            run.alive_at_end = service.process.returncode is None
            code, _, err = await service.terminate()
            run.exit_code, run.stderr = code, err.decode(errors="replace")
    return run


def _cast(run: Soak, telegram: WatchedTelegram, discord: WatchedDiscord) -> None:
    rng = random.Random(run.plan.seed)
    half = run.plan.members // 2
    for n in range(half):
        person = telegram.user(f"Member {n}")
        run.telegram.append(TelegramMember(telegram, person, random.Random(rng.random())))
    server = next(iter(discord.guilds.values()))
    for n in range(run.plan.members - half):
        user = discord.user(f"member{n}", global_name=f"Member {n}")
        discord.join(server, user)
        member_rng = random.Random(rng.random())
        run.discord.append(DiscordMember(discord, user, server.channels[0], member_rng))


async def _start(config: Path, telegram: WatchedTelegram, discord: WatchedDiscord) -> Service:
    process = await asyncio.create_subprocess_exec(
        *service_command(config),
        stdin=asyncio.subprocess.DEVNULL,
        stdout=asyncio.subprocess.DEVNULL,
        stderr=asyncio.subprocess.PIPE,
        cwd=config.parent,
        env=service_env(telegram, discord),
    )
    service = Service(process)
    try:
        await telegram.wait_until_polling(within=60)
        await discord.wait_until_connected(within=60)
    except AssertionError:
        await service.terminate()
        raise AssertionError(f"the service did not start:\n{service.err[-3000:]!r}") from None
    return service


async def _faulty_run(
    run: Soak, service: Service, telegram: WatchedTelegram, discord: WatchedDiscord
) -> None:
    plan = run.plan
    run.progress = Progress(plan.commands, service.process.pid)
    run.tally.tick = run.progress.step
    _faults_on(run, telegram, discord)
    run.locker = DatabaseLocker(run.database, seed=plan.seed, every=plan.lock_every)
    if plan.lock_every:
        run.locker.start()
    dropper = asyncio.create_task(
        drop_gateway_now_and_then(discord, plan.gateway_every, run.gateway_drops, plan.seed)
        if plan.gateway_every
        else asyncio.sleep(0)
    )
    began, cpu, own = time.monotonic(), cpu_seconds(service.process.pid), time.process_time()
    try:
        await asyncio.gather(*_members(run))
    finally:
        run.seconds = time.monotonic() - began
        run.service_cpu = cpu_seconds(service.process.pid) - cpu
        run.test_cpu = time.process_time() - own
        dropper.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await dropper
        run.locker.stop()
        _faults_off(run)
    run.drained_after = await _drained(run.database, within=60)
    await asyncio.sleep(2.0)  # a late duplicate would arrive now


def _members(run: Soak) -> list[asyncio.Task[None]]:
    everyone: list[TelegramMember | DiscordMember] = [*run.telegram, *run.discord]
    steps = run.plan.commands // len(everyone)
    extra = run.plan.commands - steps * len(everyone)
    return [
        asyncio.create_task(member.run(steps + (n < extra), run.tally, run.plan.within))
        for n, member in enumerate(everyone)
    ]


def _faults_on(run: Soak, telegram: WatchedTelegram, discord: WatchedDiscord) -> None:
    plan = run.plan
    rates = (plan.too_many, plan.server_error, plan.drop, plan.drop_after)
    run.telegram_faults = TelegramFaults(plan.seed, *rates)
    run.discord_faults = DiscordFaults(plan.seed + 1, *rates)
    telegram.random_faults(run.telegram_faults)
    discord.faults.random = run.discord_faults


def _faults_off(run: Soak) -> None:
    for faults in (run.telegram_faults, run.discord_faults):
        if faults is not None:
            faults.enabled = False


async def _drained(database: Path, within: float) -> float | None:
    """Seconds until the outbox has nothing pending (None: not within ``within``)."""
    began = time.monotonic()
    while time.monotonic() - began < within:
        if await asyncio.to_thread(pending, database) == 0:
            return time.monotonic() - began
        await asyncio.sleep(0.5)
    return None
