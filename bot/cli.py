"""The ``peercircle`` command: run, console, check-config."""

from __future__ import annotations

import argparse
import asyncio
import logging
import os
import sys
from collections.abc import Sequence
from pathlib import Path

from adapters.base import Adapter
from adapters.console.adapter import ConsoleAdapter
from adapters.console.input import read_lines
from bot.app import BotApp
from bot.catalog import Catalog
from bot.config import ConfigError, Settings, format_problems, load_settings, summarize
from bot.permissions import Role
from bot.storage import StorageError
from groups.directory import group_from_config
from groups.schedule import describe_group_schedule

DEFAULT_CONFIG = Path("peercircle.toml")
CONFIG_ENV = "PEERCIRCLE_CONFIG"
NOTHING_TO_RUN = "No adapter is enabled: set enabled = true in [console] (or a platform)."
NOT_YET = "The {name} adapter is not part of this release yet; set enabled = false in [{section}]."


def main(argv: Sequence[str] | None = None) -> int:
    try:
        code = _main(argv)
        sys.stdout.flush()  # surface a closed pipe here, not at interpreter exit
    except BrokenPipeError:  # e.g. `peercircle check-config | head`: the reader left
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 1
    return code


def _main(argv: Sequence[str] | None) -> int:
    args = _parser().parse_args(argv)
    command: str = args.command
    if command == "check-config":
        return _check_config(_config_path(args.path or args.config))
    try:
        settings = load_settings(_config_path(args.config))
    except ConfigError as error:
        print(format_problems(error, _config_path(args.config)), file=sys.stderr)
        return 1
    _configure_logging(logging.WARNING if command == "console" else logging.INFO)
    try:
        return asyncio.run(_serve(settings, args))
    except KeyboardInterrupt:
        return 130


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="peercircle", description="A bot that coordinates peer-support groups."
    )
    parser.add_argument(
        "--config", type=Path, help=f"config file (default: ${CONFIG_ENV} or ./{DEFAULT_CONFIG})"
    )
    sub = parser.add_subparsers(dest="command", required=True)
    sub.add_parser("run", help="start every adapter enabled in the config")
    console = sub.add_parser("console", help="chat with the bot in this terminal")
    console.add_argument("--config", type=Path, help="config file", default=argparse.SUPPRESS)
    console.add_argument("--as", dest="user", help="who you are (default: [console] user)")
    console.add_argument(
        "--role",
        type=Role.parse,
        default=Role.MEMBER,
        help="member, facilitator or organizer (default: member)",
    )
    check = sub.add_parser("check-config", help="validate a config file and summarise it")
    check.add_argument("path", nargs="?", type=Path, help="config file to check")
    return parser


def _config_path(given: Path | None) -> Path:
    if given is not None:
        return given
    from_env = os.environ.get(CONFIG_ENV)
    return Path(from_env) if from_env else DEFAULT_CONFIG


def _check_config(path: Path) -> int:
    try:
        settings = load_settings(path)
    except ConfigError as error:
        print(format_problems(error, path), file=sys.stderr)
        return 1
    catalog = Catalog.load(settings.bot.language)
    print(summarize(settings, lambda g: describe_group_schedule(group_from_config(g), catalog)))
    return 0


async def _serve(settings: Settings, args: argparse.Namespace) -> int:
    if args.command == "run" and (problem := _cannot_run(settings)):
        print(problem, file=sys.stderr)
        return 1
    try:
        app = await BotApp.open(settings)
    except StorageError as error:
        print(f"Cannot open the database: {error}", file=sys.stderr)
        return 1
    try:
        adapter: Adapter = _console(app, args)  # mypy checks it keeps the adapter contract
        app.messenger.attach(adapter)
        await app.start()
        await adapter.run()
    finally:
        await app.close()
    return 0


def _cannot_run(settings: Settings) -> str | None:
    """Why ``run`` cannot start with these settings, if it cannot."""
    for name in ("telegram", "discord"):
        if getattr(settings, name).enabled:
            return NOT_YET.format(name=name.capitalize(), section=name)
    if not settings.console.enabled:
        return NOTHING_TO_RUN
    return None


def _console(app: BotApp, args: argparse.Namespace) -> ConsoleAdapter:
    user: str = getattr(args, "user", None) or app.settings.console.user
    role: Role = getattr(args, "role", Role.MEMBER)
    return ConsoleAdapter(
        app.dispatcher,
        app.catalog,
        bot_name=app.settings.bot.name,
        user=user,
        role=role,
        lines=read_lines(sys.stdin),
        out=sys.stdout,
        echo=not sys.stdin.isatty(),
    )


def _configure_logging(level: int) -> None:
    logging.basicConfig(
        level=level, stream=sys.stderr, format="%(asctime)s %(levelname)s %(name)s: %(message)s"
    )
