"""The discord.py client the adapter runs: what it asks Discord for, and what it hears.

- Intents: ``guilds`` (the servers, their channels and roles) and ``dm_messages`` (what
  people write in the private chat with the bot). Nothing privileged: the bot reads no
  server channel and keeps no member list.
- Every message defaults to ``AllowedMentions.none()``.
- A 429 asking for more than ``MAX_RATELIMIT_WAIT`` seconds raises ``RateLimited``
  instead of being slept on (see ``delivery.py``).
- ``AutoShardedClient`` when shard settings are given.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence
from typing import Any

import discord

from adapters.discord.buttons import Pressed, dynamic_items

MAX_RATELIMIT_WAIT = 30.0  # discord.py's smallest allowed value


def new_client(
    *,
    shard_ids: Sequence[int] | None,
    shard_count: int | None,
    on_action: Pressed,
    on_form: Pressed,
    on_interaction: Callable[[discord.Interaction[Any]], Awaitable[None]],
    on_message: Callable[[discord.Message], Awaitable[None]],
) -> discord.Client:
    intents = discord.Intents.none()
    intents.guilds = True
    intents.dm_messages = True
    settings: dict[str, Any] = {
        "intents": intents,
        "allowed_mentions": discord.AllowedMentions.none(),
        "max_ratelimit_timeout": MAX_RATELIMIT_WAIT,
        "chunk_guilds_at_startup": False,
        "member_cache_flags": discord.MemberCacheFlags.none(),
    }
    client: discord.Client
    if shard_ids is not None or shard_count is not None:
        if shard_ids is not None:
            settings["shard_ids"] = list(shard_ids)
        client = discord.AutoShardedClient(shard_count=shard_count, **settings)
    else:
        client = discord.Client(**settings)
    for item in dynamic_items(on_action, on_form):
        client.add_dynamic_items(item)

    async def on_interaction_event(interaction: discord.Interaction[Any]) -> None:
        await on_interaction(interaction)

    async def on_message_event(message: discord.Message) -> None:
        await on_message(message)

    on_interaction_event.__name__ = "on_interaction"
    on_message_event.__name__ = "on_message"
    client.event(on_interaction_event)
    client.event(on_message_event)
    return client
