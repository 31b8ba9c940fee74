"""The reference for the Discord benchmarks: a bare discord.py bot that answers the same
interactions with a fixed text, nothing else.

    DISCORD_TOKEN=... python -m bench.discord_bare --api URL --gateway URL --guild ID

It is the smallest bot discord.py makes for slash commands and buttons, with its
defaults: a ``discord.Client`` (default intents), an ``app_commands.CommandTree`` with
``/groups``, ``/join [group]`` and ``/next [group]`` published in the one server, each
answered with ``interaction.response.send_message(FIXED)``; and a persistent button
(a ``DynamicItem`` matching ``rsvp:<group> <answer>``, the custom id of PeerCircle's
RSVP buttons) answered with a fixed ephemeral text. It runs until SIGTERM.

``BareBot(guild, work)`` runs ``work(command, member id, group)`` before each answer:
the floor reference (``bench.discord_floor``) gives it the database work of PeerCircle's
commands.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import re
import signal
from collections.abc import Callable
from typing import Any

import discord
import yarl
from discord import app_commands, ui
from discord.gateway import DiscordWebSocket
from discord.http import Route

FIXED = "Thanks, noted. Here is what you asked for."
PRESSED = "Thanks, your answer is noted."

Work = Callable[[str, int, str | None], object]  # (command, member's id, group option)


class Rsvp(ui.DynamicItem[ui.Button[ui.View]], template=r"rsvp:(?P<slug>\S+) (?P<answer>\w+)"):
    def __init__(self, slug: str, answer: str) -> None:
        super().__init__(ui.Button(custom_id=f"rsvp:{slug} {answer}"))

    @classmethod
    async def from_custom_id(
        cls, interaction: discord.Interaction[Any], item: ui.Item[Any], match: re.Match[str], /
    ) -> Rsvp:
        return cls(match["slug"], match["answer"])

    async def callback(self, interaction: discord.Interaction[Any]) -> None:
        await interaction.response.send_message(PRESSED, ephemeral=True)


class BareBot(discord.Client):
    def __init__(self, guild: int, work: Work | None = None) -> None:
        super().__init__(intents=discord.Intents.default())
        self.tree = app_commands.CommandTree(self)
        self.guild = discord.Object(id=guild)
        self.work = work

    async def setup_hook(self) -> None:
        self.add_dynamic_items(Rsvp)

        async def answer(interaction: discord.Interaction[Any], group: str | None = None) -> None:
            if self.work is not None and interaction.command is not None:
                self.work(interaction.command.name, interaction.user.id, group)
            await interaction.response.send_message(FIXED)

        for name in ("groups", "join", "next"):
            command: app_commands.Command[Any, Any, None] = app_commands.Command(
                name=name, description=f"/{name}", callback=answer
            )
            self.tree.add_command(command, guild=self.guild)
        await self.tree.sync(guild=self.guild)


async def serve(args: argparse.Namespace, work: Work | None = None) -> None:
    Route.BASE = args.api
    DiscordWebSocket.DEFAULT_GATEWAY = yarl.URL(args.gateway)
    bot = BareBot(args.guild, work)
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sign in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sign, stop.set)
    async with bot:
        running = asyncio.create_task(bot.start(os.environ["DISCORD_TOKEN"]))
        stopping = asyncio.create_task(stop.wait())
        await asyncio.wait({running, stopping}, return_when=asyncio.FIRST_COMPLETED)
        stopping.cancel()
        if running.done():
            running.result()  # it ended by itself: say why
        await bot.close()  # SIGTERM, even while still logging in or publishing
        running.cancel()
        await asyncio.gather(running, return_exceptions=True)


def arguments(prog: str, description: str | None) -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog=prog, description=description)
    parser.add_argument("--api", required=True, help="the REST API's base URL")
    parser.add_argument("--gateway", required=True, help="the gateway's URL")
    parser.add_argument("--guild", type=int, required=True, help="the server's id")
    return parser


def main(argv: list[str] | None = None) -> int:
    parser = arguments("python -m bench.discord_bare", __doc__)
    asyncio.run(serve(parser.parse_args(argv)))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
