"""The Telegram adapter as the config's ``[telegram]`` section describes it (``peercircle
run``): the token and the webhook's secret from the settings (read from the
environment), polling or a webhook, and forms in progress kept in the bot's database."""

from __future__ import annotations

from adapters.telegram.adapter import TelegramAdapter
from adapters.telegram.intake import Receiving
from adapters.telegram.webhook import Webhook
from bot.catalog import Catalog
from bot.clock import SystemClock
from bot.config import TelegramSection
from bot.form_progress_sql import SqlFormProgress
from bot.ratelimit import PlatformLimiter
from bot.storage.database import Database
from bot.update_ledger import SqlUpdateLedger


def configured_adapter(
    section: TelegramSection,
    catalog: Catalog,
    *,
    bot_name: str,
    database: Database,
    limiter: PlatformLimiter | None,
) -> TelegramAdapter:
    if section.token is None:  # the config refuses this; never start without one
        raise RuntimeError("[telegram] is enabled without a token")
    return TelegramAdapter(
        catalog,
        token=section.token.get_secret_value(),
        bot_name=bot_name,
        base_url=section.base_url,
        base_file_url=section.base_file_url,
        admins_are_facilitators=section.admins_are_facilitators,
        receiving=receiving(section),
        forms=SqlFormProgress(database),
        limiter=limiter,
        updates=SqlUpdateLedger(database, SystemClock()),
    )


def receiving(section: TelegramSection) -> Receiving:
    """Polling, or the webhook the section describes."""
    if section.mode != "webhook":
        return Receiving(drop_pending_updates=section.drop_pending_updates)
    if section.webhook_url is None or section.webhook_secret is None:
        raise RuntimeError("webhook mode without its address or secret")  # config refuses
    webhook = Webhook(
        url=section.webhook_url,
        secret=section.webhook_secret.get_secret_value(),
        listen=section.webhook_listen,
        port=section.webhook_port,
        path=section.webhook_path,
    )
    return Receiving(webhook=webhook, drop_pending_updates=section.drop_pending_updates)
