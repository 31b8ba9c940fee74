"""Child processes of the benchmark: start one, read its CPU time and memory from /proc,
stop it by its own process id.

Each bot under test runs in a process of its own, so its CPU time is its own and the
fake platform (in the benchmark's process) never competes with it for the same core.
Its standard error goes to a file, shown when it fails.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import signal
import sys
from collections.abc import Awaitable, Callable, Mapping, Sequence
from pathlib import Path
from typing import TypeVar

Started = TypeVar("Started")

ROOT = Path(__file__).resolve().parents[1]
TICKS = os.sysconf("SC_CLK_TCK")


class Child:
    def __init__(self, process: asyncio.subprocess.Process, log: Path) -> None:
        self.process = process
        self.log = log

    @property
    def pid(self) -> int:
        return self.process.pid

    def cpu_seconds(self) -> float:
        """User plus system CPU time so far, every thread of the process included."""
        fields = Path(f"/proc/{self.pid}/stat").read_text().rpartition(")")[2].split()
        return (int(fields[11]) + int(fields[12])) / TICKS  # utime, stime

    def memory(self) -> dict[str, int]:
        """Resident memory now (VmRSS) and at its highest (VmHWM), in bytes."""
        found = {}
        for line in Path(f"/proc/{self.pid}/status").read_text().splitlines():
            name, _, value = line.partition(":")
            if name in ("VmRSS", "VmHWM"):
                found[name] = int(value.split()[0]) * 1024
        return found

    async def hear(self, within: float) -> str:
        """The next line the child writes on its standard output."""
        assert self.process.stdout is not None
        try:
            line = await asyncio.wait_for(self.process.stdout.readline(), within)
        except TimeoutError:
            tail = self.log_tail()
            raise RuntimeError(f"no word from the child in {within:g} s:\n{tail}") from None
        if not line:
            raise RuntimeError(f"the child ended ({self.process.returncode}):\n{self.log_tail()}")
        return line.decode().strip()

    async def say(self, line: str) -> None:
        assert self.process.stdin is not None
        self.process.stdin.write(line.encode() + b"\n")
        await self.process.stdin.drain()

    def running(self) -> bool:
        return self.process.returncode is None

    def log_tail(self, lines: int = 30) -> str:
        return _tail(self.log, lines)

    async def stop(self, grace: float = 15.0) -> int:
        """SIGTERM, then SIGKILL after ``grace`` seconds; the exit code."""
        if self.running():
            with contextlib.suppress(ProcessLookupError):
                self.process.send_signal(signal.SIGTERM)
            try:
                await asyncio.wait_for(self.process.wait(), grace)
            except TimeoutError:
                with contextlib.suppress(ProcessLookupError):
                    self.process.kill()
                await self.process.wait()
        code = self.process.returncode
        return -1 if code is None else code


async def start(
    args: Sequence[str],
    log: Path,
    *,
    env: Mapping[str, str] | None = None,
    cwd: Path = ROOT,
    talk: bool = False,
) -> Child:
    """``python args...`` with the repository on its path; stderr to ``log``, and stdout
    too unless ``talk`` (then stdin and stdout are pipes: ``say`` and ``hear``)."""
    environ = {k: v for k, v in os.environ.items() if not k.startswith("PEERCIRCLE_")}
    environ.update(PYTHONPATH=str(ROOT), LC_ALL="C.UTF-8", **(env or {}))
    with log.open("wb") as out:
        process = await asyncio.create_subprocess_exec(
            sys.executable,
            *args,
            stdin=asyncio.subprocess.PIPE if talk else asyncio.subprocess.DEVNULL,
            stdout=asyncio.subprocess.PIPE if talk else out,
            stderr=out,
            cwd=cwd,
            env=environ,
        )
    return Child(process, log)


async def run_to_end(
    args: Sequence[str], log: Path, *, env: Mapping[str, str] | None = None, within: float
) -> str:
    """Run ``python args...`` to its end and return its standard output; raise with the
    end of its log if it fails or takes more than ``within`` seconds."""
    environ = {k: v for k, v in os.environ.items() if not k.startswith("PEERCIRCLE_")}
    environ.update(PYTHONPATH=str(ROOT), LC_ALL="C.UTF-8", **(env or {}))
    with log.open("wb") as err:
        process = await asyncio.create_subprocess_exec(
            sys.executable,
            *args,
            stdin=asyncio.subprocess.DEVNULL,
            stdout=asyncio.subprocess.PIPE,
            stderr=err,
            cwd=ROOT,
            env=environ,
        )
        try:
            out, _ = await asyncio.wait_for(process.communicate(), within)
        except TimeoutError:
            process.kill()
            await process.wait()
            raise RuntimeError(f"{' '.join(args[:2])} took over {within:g} s") from None
    if process.returncode != 0:
        raise RuntimeError(f"{' '.join(args[:2])} failed ({process.returncode}):\n{_tail(log)}")
    return out.decode()


def _tail(log: Path, lines: int = 30) -> str:
    try:
        return "\n".join(log.read_text(errors="replace").splitlines()[-lines:])
    except OSError:
        return ""


async def all_started(
    starts: Sequence[Awaitable[Started]], stop: Callable[[Started], Awaitable[object]]
) -> list[Started]:
    """Bots started side by side; if one fails, the others are stopped (no bot is
    left running) and the failure raised."""
    results = await asyncio.gather(*starts, return_exceptions=True)
    failures = [result for result in results if isinstance(result, BaseException)]
    if failures:
        for result in results:
            if not isinstance(result, BaseException):
                await stop(result)
        raise failures[0]
    return [result for result in results if not isinstance(result, BaseException)]
