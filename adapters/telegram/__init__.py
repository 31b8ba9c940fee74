"""The Telegram adapter (python-telegram-bot): see ``adapter.py``."""

from __future__ import annotations

from adapters.telegram.adapter import TelegramAdapter

__all__ = ["TelegramAdapter"]
