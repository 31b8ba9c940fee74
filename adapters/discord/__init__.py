"""The Discord adapter (discord.py): see ``adapter.py``."""

from __future__ import annotations

from adapters.discord.adapter import DiscordAdapter, DiscordOptions

__all__ = ["DiscordAdapter", "DiscordOptions"]
