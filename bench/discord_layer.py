"""PeerCircle's Discord layer alone: the third side of part 2, which splits its gap.

    PEERCIRCLE_DISCORD__TOKEN=... python -m bench.discord_layer --config CONFIG

The real adapter of ``peercircle run`` (``adapters.discord``: discord.py's client and
command tree with PeerCircle's commands, the lanes, the answers and their rendering),
built from the config as the service builds it, with the core replaced by an inbox that
answers every command at once with the bare bot's fixed text (``bench.discord_bare``):
no dispatcher, no database work, no outbox worker, no timers. Against the bare bot it
shows what PeerCircle's platform code costs; against PeerCircle it shows what the core's
work (the dispatcher, the domain, SQLite) costs. It runs until SIGTERM.
"""

from __future__ import annotations

import argparse
import asyncio
import signal
from pathlib import Path

from adapters.discord import discord_adapter
from bench.discord_bare import FIXED
from bot.app import BotApp
from bot.config import load_settings
from bot.events import Actor, Incoming, Place
from bot.replies import Audience, Reply
from bot.roles import Role
from groups.suggestions import group_suggestions


class FixedAnswer:
    """An ``Inbox`` that answers everything with one text, for everyone to see."""

    async def handle(self, incoming: Incoming) -> list[Reply]:
        return [Reply(FIXED, audience=Audience.HERE)]

    async def role_here(self, actor: Actor, place: Place) -> Role:
        return Role.MEMBER

    def is_urgent(self, incoming: Incoming) -> bool:
        return False


async def serve(config: Path) -> None:
    app = await BotApp.open(load_settings(config))  # for the catalog, commands and limits
    try:
        suggestions = {"group": group_suggestions(app.directory)}
        adapter = discord_adapter(app.catalog, app.settings, app.rate_limits, suggestions)
        await adapter.register_commands(list(app.dispatcher.commands.listed()))
        stop = asyncio.Event()
        loop = asyncio.get_running_loop()
        for sign in (signal.SIGTERM, signal.SIGINT):
            loop.add_signal_handler(sign, stop.set)
        running = asyncio.create_task(adapter.start(FixedAnswer()))
        stopping = asyncio.create_task(stop.wait())
        await asyncio.wait({running, stopping}, return_when=asyncio.FIRST_COMPLETED)
        stopping.cancel()
        if running.done():
            running.result()  # it ended by itself: say why
        await adapter.stop()
        await running
    finally:
        await app.close()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.discord_layer", description=__doc__)
    parser.add_argument("--config", type=Path, required=True, help="a `peercircle run` config")
    asyncio.run(serve(parser.parse_args(argv).config))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
