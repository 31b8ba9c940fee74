"""The Discord adapter (discord.py): see ``adapter.py``."""

from __future__ import annotations

from adapters.discord.adapter import DiscordAdapter, DiscordOptions
from adapters.discord.setup import discord_adapter

__all__ = ["DiscordAdapter", "DiscordOptions", "discord_adapter"]
