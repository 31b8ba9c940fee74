"""A command that waits until the test lets it go: a slow handler on demand (as a write
waiting on a locked database is), for watching what else goes on meanwhile."""

from __future__ import annotations

import asyncio

from bot.args import Args
from bot.commands import CommandSpec
from bot.context import Context
from bot.replies import Audience, Button, Reply


class Gate:
    def __init__(self, name: str = "slow", *, buttons: tuple[Button, ...] = ()) -> None:
        self.name = name
        self.entered = asyncio.Event()
        self.release = asyncio.Event()
        self._buttons = buttons

    async def handler(self, ctx: Context, args: Args) -> Reply:
        self.entered.set()
        await self.release.wait()
        return Reply(f"{self.name} done", audience=Audience.ONLY_YOU, buttons=self._buttons)

    def spec(self) -> CommandSpec:
        return CommandSpec(self.name, "commands.help", self.handler)


async def _sos(ctx: Context, args: Args) -> Reply:
    return Reply("help is here", audience=Audience.ONLY_YOU)


SOS = CommandSpec("sos", "commands.help", _sos, urgent=True)  # an urgent command, like /crisis
