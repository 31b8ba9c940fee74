"""2. Command overhead on Discord, and 3. button clicks under Discord's rate limits.

Both are measured the way ``bench.telegram_overhead`` measures Telegram: the real
service (``peercircle run`` with ``[discord] enabled``) and a bare discord.py bot
(``bench.discord_bare``) answering the same interactions with a fixed text, each in a
process of its own, each against its own copy of the loopback Discord fake (REST and
gateway, ``tests.fakes.discord_api``, with Discord's rate limits enforced), taking turns
round by round after a warm-up, reporting the median of the rounds and their spread.

- ``overhead`` (``bench.discord_overhead``): slash commands (``/groups``, ``/join``,
  ``/next``) from many members: interactions a second, latency to the first response,
  CPU per interaction, PeerCircle ÷ bare;
- ``clicks`` (``bench.discord_clicks``): many members pressing the RSVP button of one
  shared message in a group's channel at a high offered rate: latency p50/p99, clicks
  with no answer within Discord's 3 seconds, throughput ÷ bare, and the shared-message
  edits and 429s PeerCircle got.

The world (a server, a channel per group, members, starting the bots) is
``bench.discord_fake``. ``python -m bench.discord_interactions`` is a quicker probe of
the adapter alone, in one process with the fake.
"""

from __future__ import annotations

from pathlib import Path

from bench import discord_clicks, discord_overhead
from bench.discord_clicks import ClickSizes
from bench.discord_overhead import DiscordSizes
from bench.report import Figure

__all__ = ["ClickSizes", "DiscordSizes", "clicks", "overhead"]


async def overhead(sizes: DiscordSizes, directory: Path) -> list[Figure]:
    """2. Slash commands over the loopback gateway, PeerCircle ÷ bare discord.py."""
    return await discord_overhead.run(sizes, directory)


async def clicks(sizes: ClickSizes, directory: Path) -> list[Figure]:
    """3. Many members clicking one shared message's button, the fake enforcing
    Discord's rate limits."""
    return await discord_clicks.run(sizes, directory)
