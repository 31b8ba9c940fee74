"""``peercircle run`` against the fake Telegram Bot API, for process tests: the config,
the running service, and waiting for what a member sees."""

from __future__ import annotations

import asyncio
import os
import signal
import sys
from collections.abc import Callable
from pathlib import Path

from tests.fakes.telegram_api import FakeTelegramApi
from tests.fakes.telegram_updates import SentMessage, TgChat, TgUser
from tests.process.cli import ROOT, example_copy

SIGTERM_GRACE = 10.0


def telegram_config(directory: Path, base_url: str, base_file_url: str, extra: str = "") -> Path:
    """The example config with ``[telegram] enabled = true``, the Bot API addresses, and
    ``extra`` lines in the ``[telegram]`` section."""
    config = example_copy(directory)
    head, _, tail = config.read_text(encoding="utf-8").partition("[telegram]\n")
    settings = f'enabled = true\nbase_url = "{base_url}"\nbase_file_url = "{base_file_url}"'
    tail = tail.replace("enabled = false", settings + extra, 1)
    config.write_text(f"{head}[telegram]\n{tail}", encoding="utf-8")
    return config


class Service:
    """A running ``peercircle run``; stderr is collected as it comes."""

    def __init__(self, process: asyncio.subprocess.Process) -> None:
        self.process = process
        self.err = b""
        self._more = asyncio.Event()
        self._reading = asyncio.create_task(self._read_stderr())

    async def _read_stderr(self) -> None:
        assert self.process.stderr is not None
        while chunk := await self.process.stderr.read(4096):
            self.err += chunk
            self._more.set()

    async def wait_for_stderr(self, wanted: Callable[[bytes], bool], within: float = 30) -> None:
        async with asyncio.timeout(within):
            while not wanted(self.err):
                self._more.clear()
                await self._more.wait()

    async def terminate(self) -> tuple[int, float, bytes]:
        """SIGTERM; the exit code, the seconds it took, and all of stderr."""
        loop = asyncio.get_running_loop()
        began = loop.time()
        self.process.send_signal(signal.SIGTERM)
        code = await asyncio.wait_for(self.process.wait(), SIGTERM_GRACE + 5)
        took = loop.time() - began
        await self._reading
        return code, took, self.err


async def run_service(config: Path, token: str, **environ: str) -> Service:
    """``peercircle run`` with ``token`` (and ``environ``) as its only PEERCIRCLE_ settings."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("PEERCIRCLE_")}
    env.update(PYTHONPATH=str(ROOT), PEERCIRCLE_TELEGRAM__TOKEN=token, LC_ALL="C.UTF-8")
    env.update(environ)
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "bot",
        "--config",
        str(config),
        "run",
        stdin=asyncio.subprocess.PIPE,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
        cwd=config.parent,
        env=env,
    )
    return Service(process)


async def answers(
    fake: FakeTelegramApi, act: Callable[[], object], *chats: TgChat | TgUser, within: float = 15
) -> list[SentMessage]:
    """``act()`` (a member writes or presses), then the one message the bot sends in each
    of ``chats`` as a result, in that order; nothing else may follow."""
    return [sent[0] for sent in await messages(fake, act, *chats, within=within)]


async def messages(
    fake: FakeTelegramApi,
    act: Callable[[], object],
    *chats: TgChat | TgUser,
    count: int = 1,
    within: float = 15,
) -> list[list[SentMessage]]:
    """``act()``, then the ``count`` messages the bot sends in each of ``chats``; nothing
    else may follow."""
    before = {chat.id: len(fake.sent_messages(chat)) for chat in chats}
    act()
    for chat in chats:
        await fake.wait_for_sent(before[chat.id] + count, chat_id=chat, within=within)
    await asyncio.sleep(0.3)  # nothing more should follow
    seen: list[list[SentMessage]] = []
    for chat in chats:
        sent = fake.sent_messages(chat)
        assert len(sent) == before[chat.id] + count, [m.text for m in sent[before[chat.id] :]]
        seen.append(sent[before[chat.id] :])
    return seen


def assert_clean_exit(code: int, took: float, err: bytes, *secrets: str) -> None:
    """Exit 0 within the grace, no traceback, and no ``secrets`` (nor a token's secret
    half) anywhere in stderr."""
    shown = err.decode(errors="replace")
    print(f"\npeercircle run: exit {code} {took:.2f} s after SIGTERM")  # with -s
    assert code == 0, shown
    assert took < SIGTERM_GRACE, shown
    assert "Traceback" not in shown
    for secret in secrets:
        for part in {secret, secret.partition(":")[2]} - {""}:
            assert part not in shown
