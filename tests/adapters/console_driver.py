"""Plays people on the console for the conformance suite, reading what it printed.

The console runs for real (its ``start`` loop, its lanes, its rendering, its meta
commands), live by default: a command is handed over and the next line read at once, as
at a terminal. This driver types lines into it, waits until everything typed has been
answered (``ConsoleAdapter.settled``), and reads the terminal text back into ``Seen``
values, using the headings the console prints for each audience.
"""

from __future__ import annotations

import asyncio
import io
import re
from collections.abc import Awaitable, Callable, Sequence

from adapters.base import Inbox
from adapters.console.adapter import MAX_MESSAGE, ConsoleAdapter
from adapters.console.input import InputLine
from bot.catalog import Catalog
from bot.events import Actor, Place
from bot.platforms import Platforms
from bot.roles import Role
from tests.adapters.conformance import Seen, Where, conformance_dispatcher

CHAT = "circle-chat"
_ECHO = re.compile(r"^(\S+)( in #\S+)?> ")
_BUTTON = re.compile(r"^  \[(\d+)\] (.*)$")
# An attachment: its name ("(file notes.txt, 0.1 KB)", "(image chart.png, 2.0 KB: ...)").
_FILE = re.compile(r"^  \((?:file|image) (\S+), [\d.]+ KB(?:: [^()]*)?\)$")
_HEADINGS: list[tuple[re.Pattern[str], Where | None]] = [
    (re.compile(r"^\(everyone in #\S+ sees this\)$"), "chat"),
    (re.compile(r"^\(message \S+ in #\S+, edited\)$"), "chat"),
    (re.compile(r"^\(only (\S+) sees this\)$"), "only"),
    (re.compile(r"^\(private message to (\S+)\)$"), "private"),
    (re.compile(r"^\(message to (\S+)\)$"), "private"),
]


class WatchedOutput(io.StringIO):
    """The console's terminal, which says when something was written to it."""

    def __init__(self) -> None:
        super().__init__()
        self._written = asyncio.Event()

    def write(self, text: str) -> int:
        written = super().write(text)
        self._written.set()
        self._written = asyncio.Event()
        return written

    async def until(self, shown: Callable[[str], bool], *, within: float = 10.0) -> None:
        """Wait until ``shown(everything written so far)`` holds."""
        async with asyncio.timeout(within):
            while not shown(self.getvalue()):
                written = self._written
                await written.wait()


class ScriptedLines:
    """Input lines fed one at a time; ``feed`` returns once the console has dealt with
    the line and asks for the next one."""

    def __init__(self) -> None:
        self._queue: asyncio.Queue[str | None] = asyncio.Queue()
        self.ready = asyncio.Event()

    def __aiter__(self) -> ScriptedLines:
        return self

    async def __anext__(self) -> InputLine:
        self.ready.set()
        line = await self._queue.get()
        if line is None:
            raise StopAsyncIteration
        return InputLine(line)

    async def feed(self, line: str | None) -> None:
        """Type ``line``; returns once the console has taken it and asks for the next."""
        self.ready.clear()
        await self._queue.put(line)
        if line is not None:
            await asyncio.wait_for(self.ready.wait(), timeout=10)


class ConsoleDriver:
    def __init__(self, platforms: Platforms | None = None, *, live: bool = True) -> None:
        """``platforms``: where to attach the console (an app's own, say)."""
        self.out = WatchedOutput()
        self.lines = ScriptedLines()
        self.platforms = platforms or Platforms()
        self.adapter = ConsoleAdapter(
            Catalog.load(),
            bot_name="PeerCircle",
            user="alice",
            role=Role.MEMBER,
            lines=self.lines,
            out=self.out,
            echo=True,
            live=live,
        )
        self.platforms.attach(self.adapter)
        self._user = "alice"
        self._chat: str | None = None
        self._task: asyncio.Task[None] | None = None
        self._last_buttons: dict[str, int] = {}

    async def start(self, inbox: Inbox | None = None) -> None:
        inbox = inbox or conformance_dispatcher(self.platforms, MAX_MESSAGE)
        self._task = asyncio.create_task(self.adapter.start(inbox))
        await asyncio.wait_for(self.lines.ready.wait(), timeout=10)

    async def close(self) -> None:
        await self.lines.feed(None)
        if self._task is not None:
            await asyncio.wait_for(self._task, timeout=10)

    # -- the Driver protocol -------------------------------------------------------------

    def actor(self, person: str) -> Actor:
        return Actor("console", person, person)

    def shared_place(self) -> Place:
        return Place("console", f"#{CHAT}", private=False)

    async def say(self, person: str, text: str, *, shared: bool) -> list[Seen]:
        await self.become(person, shared=shared)
        return await self._typed(text)

    async def press(self, person: str, label: str, *, shared: bool) -> list[Seen]:
        await self.become(person, shared=shared)
        return await self._typed(str(self._last_buttons[label]))

    async def fill_form(self, person: str, answers: Sequence[str], *, shared: bool) -> list[Seen]:
        await self.become(person, shared=shared)
        seen: list[Seen] = []
        for answer in answers:
            seen += await self._typed(answer)
        return seen

    async def block(self, person: str) -> None:
        await self.lines.feed(f":block {person}")

    async def seen_since(self, action: Awaitable[object]) -> list[Seen]:
        start = len(self.out.getvalue())
        await action
        return self._parse(self.out.getvalue()[start:])

    def parse(self, output: str) -> list[Seen]:
        """What people saw in ``output`` (a slice of ``out``)."""
        return self._parse(output)

    # -- helpers -------------------------------------------------------------------------

    async def become(self, person: str, *, shared: bool = False) -> None:
        """Make ``person`` the one typing (``:as``), in the shared chat or their own."""
        if person != self._user:
            await self.lines.feed(f":as {person}")
            self._user = person
        chat = CHAT if shared else None
        if chat != self._chat:
            await self.lines.feed(f":group {CHAT}" if shared else ":private")
            self._chat = chat

    async def type(self, line: str) -> None:
        """Type ``line`` and go on at once: its answer may come later (see ``settled``)."""
        await self.lines.feed(line)

    async def _typed(self, line: str) -> list[Seen]:
        start = len(self.out.getvalue())
        await self.lines.feed(line)
        await asyncio.wait_for(self.adapter.settled(), timeout=10)
        return self._parse(self.out.getvalue()[start:])

    def _parse(self, output: str) -> list[Seen]:
        seen: list[Seen] = []
        speaker = self._user
        for chunk in output.split("\n\n"):
            lines = chunk.split("\n")
            first = lines[0]
            echo = _ECHO.match(first)
            if echo:
                speaker = echo.group(1)
                continue
            if not chunk.strip():
                continue
            if first.startswith("("):
                where, person = self._heading(first, seen)
                body = lines[1:]
            elif first.startswith("  "):  # unheaded: the private chat of whoever typed
                where, person, body = "private", speaker, lines
            else:
                continue
            if where is None:
                continue
            seen.append(self._message(where, person, body))
        return seen

    def _heading(self, line: str, seen: list[Seen]) -> tuple[Where | None, str | None]:
        if line == "(continued)" and seen:
            return seen[-1].where, seen[-1].person
        for pattern, where in _HEADINGS:
            match = pattern.match(line)
            if match:
                return where, (match.group(1) if match.groups() else None)
        return None, None  # a console notice or a form question: not a message

    def _message(self, where: Where, person: str | None, body: list[str]) -> Seen:
        """A message's text and buttons; an attachment's line ("(file NAME, SIZE)") gives
        its name, and the indented lines after it (its content) are not text."""
        text_lines, buttons, file = [], [], None
        for line in body:
            button = _BUTTON.match(line)
            attached = _FILE.match(line)
            if attached:
                file = attached.group(1)
            elif file is not None and line.startswith("    "):
                continue
            elif button:
                buttons.append(button.group(2))
                self._last_buttons[button.group(2)] = int(button.group(1))
            else:
                text_lines.append(line.removeprefix("  "))
        return Seen(where, person, "\n".join(text_lines), tuple(buttons), file)
