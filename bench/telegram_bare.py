"""The reference for the Telegram overhead benchmark: a bare python-telegram-bot bot
that answers ``/groups`` and ``/join`` with a fixed text, nothing else.

    python -m bench.telegram_bare --base-url URL --token TOKEN

It is the smallest bot PTB makes, with PTB's defaults: an ``Application`` from the
builder, one ``CommandHandler``, ``run_polling`` until SIGTERM. It handles one update
at a time (PTB's default), where PeerCircle works on several members' updates side by
side. ``--concurrent N`` lets PTB handle N at once, the same concurrency as the
benchmark's 16 members in flight; measured both ways (November 2026, 2 busy cores,
``python -m bench.telegram_profile --side bare``), the CPU per update was the same
within the noise (2.76 ms with 16, 2.69 ms one at a time, medians of 6 rounds), so the
benchmark keeps PTB's default.

``--transport aiohttp`` makes the same bot send through PeerCircle's own transport
(``adapters.telegram.transport.AiohttpRequest``) instead of PTB's default, httpx: the
benchmark's second reference, so that what PeerCircle saves by its transport is not
mistaken for what its own code costs.
"""

from __future__ import annotations

import argparse
import signal

from telegram import Update
from telegram.ext import ApplicationBuilder, CommandHandler, ContextTypes

from adapters.telegram.transport import AiohttpRequest

FIXED = "Thanks, noted. Here is what you asked for."


async def answer(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    message = update.effective_message
    if message is not None:
        await message.reply_text(FIXED)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.telegram_bare", description=__doc__)
    parser.add_argument("--base-url", required=True)
    parser.add_argument("--base-file-url", required=True)
    parser.add_argument("--token", required=True)
    parser.add_argument(
        "--concurrent", type=int, default=0, help="updates handled at once (default: one)"
    )
    parser.add_argument("--transport", choices=("httpx", "aiohttp"), default="httpx")
    args = parser.parse_args(argv)
    builder = (
        ApplicationBuilder()
        .token(args.token)
        .base_url(args.base_url)
        .base_file_url(args.base_file_url)
        .concurrent_updates(args.concurrent or False)
    )
    if args.transport == "aiohttp":
        builder = builder.request(AiohttpRequest())
        builder = builder.get_updates_request(AiohttpRequest(connection_pool_size=1))
    application = builder.build()
    application.add_handler(CommandHandler(["groups", "join"], answer))
    application.run_polling(
        allowed_updates=[Update.MESSAGE, Update.CALLBACK_QUERY],
        stop_signals=(signal.SIGTERM, signal.SIGINT),
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
