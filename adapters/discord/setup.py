"""The Discord adapter as ``peercircle run`` makes it from the ``[discord]`` settings."""

from __future__ import annotations

from collections.abc import Mapping

from adapters.discord.adapter import DiscordAdapter, DiscordOptions
from adapters.discord.commands import Suggest
from adapters.discord.translate import PLATFORM
from bot.catalog import Catalog
from bot.config import Settings
from bot.ratelimit import RateLimiters


def discord_adapter(
    catalog: Catalog,
    settings: Settings,
    rate_limits: RateLimiters,
    suggestions: Mapping[str, Suggest],
) -> DiscordAdapter:
    """``rate_limits``: the process's pacing (the adapter takes Discord's)."""
    section = settings.discord
    if section.token is None:  # the config refuses this; never start without one
        raise RuntimeError("[discord] is enabled without a token")
    options = DiscordOptions(
        guild_ids=tuple(section.guild_ids),
        facilitator_roles=tuple(section.facilitator_roles),
        api_base_url=section.api_base_url,
        gateway_url=section.gateway_url,
        shard_ids=None if section.shard_ids is None else tuple(section.shard_ids),
        shard_count=section.shard_count,
    )
    return DiscordAdapter(
        catalog,
        token=section.token.get_secret_value(),
        options=options,
        limiter=rate_limits.for_platform(PLATFORM),
        suggestions=suggestions,
    )
