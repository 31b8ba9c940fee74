"""The console adapter: chat with PeerCircle in a terminal, or script it through a pipe."""

from __future__ import annotations

import re
from collections.abc import AsyncIterable
from typing import TextIO

from adapters.base import Capabilities
from adapters.console.render import render_replies
from bot.catalog import Catalog
from bot.dispatcher import Dispatcher
from bot.events import ActionPressed, Actor, Incoming, Place, TextReceived
from bot.permissions import Role
from bot.replies import Button, Reply

CONSOLE_NAME = re.compile(r"^[A-Za-z0-9_.-]{1,32}$")


class ConsoleAdapter:
    """Each input line is a message from the current console user. ``:as NAME [ROLE]``
    switches who is speaking, so one session can show several people using the bot."""

    platform = "console"
    capabilities = Capabilities(buttons=True, ephemeral=True, max_text_length=100_000)

    def __init__(
        self,
        dispatcher: Dispatcher,
        catalog: Catalog,
        *,
        bot_name: str,
        user: str,
        role: Role,
        lines: AsyncIterable[str],
        out: TextIO,
        echo: bool,
    ) -> None:
        self._dispatcher = dispatcher
        self._catalog = catalog
        self._bot_name = bot_name
        self._user = user
        self._role = role
        self._lines = lines
        self._out = out
        self._echo = echo
        self._choices: tuple[Button, ...] = ()
        self._stopped = False

    @property
    def actor(self) -> Actor:
        return Actor("console", self._user, self._user)

    async def run(self) -> None:
        self._write(self._catalog.text("console.banner", **self._who()))
        self._prompt()
        async for line in self._lines:
            if self._echo:
                self._write(f"{self._user}> {line}")
            await self._handle_line(line)
            if self._stopped:
                break
            self._prompt()

    async def stop(self) -> None:
        self._stopped = True

    async def send_private(self, recipient: Actor, reply: Reply) -> None:
        text, _ = render_replies([reply])
        heading = self._catalog.text("console.private_to", name=recipient.display_name)
        self._write(f"{heading}\n{text}")

    async def _handle_line(self, line: str) -> None:
        stripped = line.strip()
        if stripped.startswith(":"):
            self._meta(stripped[1:].split())
            return
        incoming = self._translate(stripped, line)
        if incoming is not None:
            await self._show(await self._dispatcher.handle(incoming))

    def _translate(self, stripped: str, line: str) -> Incoming | None:
        place = Place("console", chat_id=self._user, private=True)
        if stripped.isdecimal() and self._choices:
            number = int(stripped)
            if not 1 <= number <= len(self._choices):
                self._write(
                    self._catalog.text(
                        "console.no_such_choice", number=number, count=len(self._choices)
                    )
                )
                return None
            action = self._choices[number - 1].action
            return ActionPressed(self.actor, place, action, platform_role=self._role)
        return TextReceived(self.actor, place, line, platform_role=self._role)

    def _meta(self, words: list[str]) -> None:
        command = words[0].lower() if words else ""
        if command == "quit":
            self._stopped = True
        elif command == "as" and len(words) in (2, 3) and CONSOLE_NAME.match(words[1]):
            try:
                role = Role.parse(words[2]) if len(words) == 3 else Role.MEMBER
            except ValueError:
                self._write(self._catalog.text("console.bad_role", role=words[2][:20]))
                return
            self._user, self._role, self._choices = words[1], role, ()
            self._write(self._catalog.text("console.switched", **self._who()))
        else:
            self._write(self._catalog.text("console.meta_help"))

    async def _show(self, replies: list[Reply]) -> None:
        text, choices = render_replies(replies)
        self._choices = choices
        self._write(text)

    def _who(self) -> dict[str, str]:
        return {"bot": self._bot_name, "name": self._user, "role": self._role.name.lower()}

    def _prompt(self) -> None:
        if not self._echo:
            self._out.write(f"{self._user}> ")
            self._out.flush()

    def _write(self, text: str) -> None:
        self._out.write(text + "\n\n")
        self._out.flush()
