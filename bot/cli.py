"""The ``peercircle`` command: run (the service), console (a local tool), check-config,
doctor, reload (ask the running service to read its config again), and the organizer's schedule
tools: schedule and calendar."""

from __future__ import annotations

import argparse
import asyncio
import logging
import os
import signal
import sys
from collections.abc import Callable, Sequence
from datetime import UTC, date, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

from adapters.base import Adapter
from adapters.console.adapter import ConsoleAdapter, console_name_problem, console_role_problem
from adapters.console.input import read_lines
from bot.app import BotApp
from bot.catalog import Catalog
from bot.clock import Clock, ShiftedClock, SystemClock
from bot.config import ConfigError, Settings, format_problems, load_settings
from bot.doctor import add_doctor_parser, run_doctor
from bot.errors import log_incident, new_incident_id
from bot.logs import configure_logging, secrets_of
from bot.pidfile import PID_FILE, ask_to_reload, remove_pid, write_pid
from bot.roles import Role
from bot.storage_cli import STORAGE_TOOLS, add_storage_tools, run_storage_tool
from bot.text import quote_back
from groups.config_check import check_config
from groups.doctor_checks import DOCTOR_DOMAIN
from groups.schedule_cli import Terminal, print_calendar, print_schedule
from groups.suggestions import group_suggestions

logger = logging.getLogger(__name__)

DEFAULT_CONFIG = Path("peercircle.toml")
# Commands that never talk to a platform: they work without its token.
OFFLINE_TOOLS = ("schedule", "calendar", "reload")
_TOKEN_VARIABLES = (
    "PEERCIRCLE_TELEGRAM__TOKEN",
    "PEERCIRCLE_TELEGRAM__WEBHOOK_SECRET",
    "PEERCIRCLE_DISCORD__TOKEN",
)
CONFIG_ENV = "PEERCIRCLE_CONFIG"
ONLY_CONSOLE = (
    "peercircle run serves Telegram and Discord, and none is enabled in the config. "
    "To chat with the bot in this terminal, use: peercircle console"
)
CONSOLE_OFF = (
    "The console is switched off in this config ([console] enabled = false), so it cannot "
    "open this bot's data. Use a copy of the config for trying things out."
)


def main(argv: Sequence[str] | None = None) -> int:
    try:
        code = _main(argv)
        if sys.stdout is not None:
            sys.stdout.flush()  # surface a closed pipe here, not at interpreter exit
    except BrokenPipeError:  # e.g. `peercircle check-config | head`: the reader left
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 1
    return code


def _main(argv: Sequence[str] | None) -> int:
    args = _parser().parse_args(argv)
    command: str = args.command
    config = _config_path(getattr(args, "config", None))
    if command == "check-config":
        return check_config(args.path or config)
    if command == "doctor":
        return run_doctor(config, DOCTOR_DOMAIN)
    if command in STORAGE_TOOLS:  # migrate, backup, copy-db: bot/storage_cli.py
        return run_storage_tool(args, config)
    offline = command in OFFLINE_TOOLS
    try:
        settings = load_settings(config, environ=_without_tokens() if offline else None)
    except ConfigError as error:
        print(format_problems(error, config), file=sys.stderr)
        return 1
    if command in ("schedule", "calendar"):
        _configure_logging(settings, logging.WARNING)
        return asyncio.run(_schedule_tool(args, settings))
    if command == "reload":
        return _reload_running(settings, config)
    _configure_logging(settings, logging.WARNING if command == "console" else logging.INFO)
    if command == "run":
        if problem := _cannot_run(settings):
            print(problem, file=sys.stderr)
            return 1
        return asyncio.run(_serve(settings, _platform_adapters, console=False, config=config))
    if not settings.console.enabled:
        print(CONSOLE_OFF, file=sys.stderr)
        return 1
    catalog = Catalog.load(settings.bot.language)
    if problem := _console_problem(args, catalog):
        print(problem, file=sys.stderr)
        return 2
    clock = _console_clock(args.at, settings.bot.timezone)
    if isinstance(clock, str):
        print(catalog.text(clock, given=quote_back(args.at, 30)), file=sys.stderr)
        return 2
    build = lambda app: [_console(app, args)]  # noqa: E731
    return asyncio.run(_serve(settings, build, console=True, clock=clock, config=config))


def _console_clock(at: str | None, zone: str) -> Clock | str | None:
    """The clock ``--at`` asks for (None: the real one), or the catalog key of why not."""
    if at is None:
        return None
    try:
        local = datetime.strptime(at.strip(), "%Y-%m-%d %H:%M")
    except ValueError:
        return "console.bad_at"
    return ShiftedClock(local.replace(tzinfo=ZoneInfo(zone)).astimezone(UTC))


def _parser() -> argparse.ArgumentParser:
    # --config is accepted before or after the subcommand: `peercircle --config X run`
    # and `peercircle run --config X` mean the same.
    config = argparse.ArgumentParser(add_help=False)
    config.add_argument(
        "--config",
        type=Path,
        default=argparse.SUPPRESS,
        help=f"config file (default: ${CONFIG_ENV} or ./{DEFAULT_CONFIG})",
    )
    parser = argparse.ArgumentParser(
        prog="peercircle",
        description="A bot that coordinates peer-support groups.",
        parents=[config],
    )
    sub = parser.add_subparsers(dest="command", required=True)
    sub.add_parser(
        "run",
        parents=[config],
        help="the service: serve every platform enabled in the config until stopped",
    )
    console = sub.add_parser(
        "console",
        parents=[config],
        help="a local tool: chat with the bot in this terminal (you may speak as anyone)",
    )
    console.add_argument("--as", dest="user", help="who you are (default: [console] user)")
    console.add_argument(
        "--at",
        metavar="'YYYY-MM-DD HH:MM'",
        help="pretend the clock starts at this local time ([bot] timezone), to try "
        "reminders; use a copy of your data, not the live database",
    )
    console.add_argument(
        "--role",
        default="member",
        help="what the console grants you: member or facilitator (organizers come from "
        "the config file)",
    )
    sub.add_parser(
        "reload",
        parents=[config],
        help="ask the running service (peercircle run) to read its config again",
    )
    check = sub.add_parser(
        "check-config", parents=[config], help="validate a config file and summarise it"
    )
    check.add_argument("path", nargs="?", type=Path, help="config file to check")
    _add_operator_tools(sub, config)
    return parser


def _add_operator_tools(
    sub: argparse._SubParsersAction[argparse.ArgumentParser], config: argparse.ArgumentParser
) -> None:
    add_doctor_parser(sub, config)
    schedule = sub.add_parser(
        "schedule",
        parents=[config],
        help="the coming meetings of every group (or one): local time, UTC, status, reminders",
    )
    schedule.add_argument("--group", metavar="SLUG", help="only this group")
    schedule.add_argument(
        "--from",
        dest="first_day",
        type=_day,
        metavar="YYYY-MM-DD",
        help="from this day on (default: today, in each group's time zone)",
    )
    schedule.add_argument(
        "--count", type=_count, default=5, metavar="N", help="meetings per group (default: 5)"
    )
    calendar = sub.add_parser(
        "calendar",
        parents=[config],
        help="write a group's meetings as an iCalendar (.ics) file to standard output",
    )
    calendar.add_argument("slug", help="the group's slug, like tuesday-recovery")
    add_storage_tools(sub, config)  # migrate, backup, copy-db: bot/storage_cli.py


def _day(text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"write the day like 2026-10-20, not {text!r}") from None


def _count(text: str) -> int:
    if not text.isdigit() or not 1 <= int(text) <= 100:
        raise argparse.ArgumentTypeError(f"a whole number from 1 to 100, not {text!r}")
    return int(text)


async def _schedule_tool(args: argparse.Namespace, settings: Settings) -> int:
    terminal = Terminal(out=sys.stdout, err=sys.stderr)
    now = SystemClock().now()
    if args.command == "calendar":
        return await print_calendar(settings, terminal, args.slug, now)
    return await print_schedule(
        settings, terminal, slug=args.group, first_day=args.first_day, count=args.count, now=now
    )


def _config_path(given: Path | None) -> Path:
    if given is not None:
        return given
    from_env = os.environ.get(CONFIG_ENV)
    return Path(from_env) if from_env else DEFAULT_CONFIG


def _cannot_run(settings: Settings) -> str | None:
    """Why ``run`` cannot start with these settings, if it cannot."""
    if settings.telegram.enabled or settings.discord.enabled:
        return None
    return ONLY_CONSOLE


def _platform_adapters(app: BotApp) -> list[Adapter]:
    """The adapters ``run`` serves: every platform enabled in the config."""
    from adapters.telegram.configured import configured_adapter  # only `run` loads the SDK

    adapters: list[Adapter] = []
    telegram = app.settings.telegram
    if telegram.enabled:
        adapters.append(
            configured_adapter(
                telegram,
                app.catalog,
                bot_name=app.settings.bot.name,
                database=app.database,
                limiter=app.rate_limits.for_platform("telegram"),
            )
        )
    if app.settings.discord.enabled:
        from adapters.discord import discord_adapter

        groups = {"group": group_suggestions(app.directory)}
        adapters.append(discord_adapter(app.catalog, app.settings, app.rate_limits, groups))
    return adapters


def _console_problem(args: argparse.Namespace, catalog: Catalog) -> str | None:
    """Why ``--as`` / ``--role`` cannot be used, in the config's language; None if fine."""
    try:
        role = Role.parse(args.role)
    except ValueError:
        return catalog.text("console.bad_role", role=quote_back(args.role, 20))
    user: str | None = args.user
    problem = (console_name_problem(user) if user is not None else None) or (
        console_role_problem(role)
    )
    return None if problem is None else catalog.text(problem)


def _console(app: BotApp, args: argparse.Namespace) -> Adapter:
    stdin = sys.stdin.buffer if sys.stdin is not None else None
    return ConsoleAdapter(
        app.catalog,
        bot_name=app.settings.bot.name,
        user=args.user or app.settings.console.user,
        role=Role.parse(args.role),
        lines=read_lines(stdin),
        out=sys.stdout,
        echo=stdin is not None and not stdin.isatty(),
        notice=app.catalog.text("degraded.console_notice") if app.degraded else None,
    )


async def _serve(
    settings: Settings,
    build: Callable[[BotApp], Sequence[Adapter]],
    *,
    console: bool,
    config: Path,
    clock: Clock | None = None,
) -> int:
    app = await BotApp.open(settings, clock=clock)  # degraded if the database cannot open
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(signum, stop.set)
    reloads: set[asyncio.Task[None]] = set()
    loop.add_signal_handler(signal.SIGHUP, _on_hangup, app, config, reloads)
    pid_file = None if console else _pid_path(settings)
    if pid_file is not None and not write_pid(pid_file):
        pid_file = None
    try:
        await app.serve(build(app), stop, deliver_after_each=console)
    finally:
        await app.close()
        if pid_file is not None:
            remove_pid(pid_file)
    return 0


def _without_tokens() -> dict[str, str]:
    """The environment, with a stand-in for each platform token that is not set (these
    commands never connect, so an enabled platform need not have its secret here)."""
    environ = dict(os.environ)
    for name in _TOKEN_VARIABLES:
        environ.setdefault(name, "not-needed-offline")
    return environ


def _pid_path(settings: Settings) -> Path:
    """Beside the data (the config's folder for an in-memory database)."""
    data = settings.sqlite_path()
    return (data.parent if data is not None else settings.config_dir) / PID_FILE


def _reload_running(settings: Settings, config: Path) -> int:
    pid = ask_to_reload(_pid_path(settings))
    if pid is None:
        print(
            f"No running PeerCircle was found for {config} (peercircle run writes its "
            f"process id to {_pid_path(settings)}). Nothing was reloaded.",
            file=sys.stderr,
        )
        return 1
    print(f"Asked PeerCircle (process {pid}) to read {config} again; its log says how it went.")
    return 0


def _on_hangup(app: BotApp, config: Path, reloads: set[asyncio.Task[None]]) -> None:
    task = asyncio.get_running_loop().create_task(_reload(app, config))
    reloads.add(task)  # keep a reference until it is done
    task.add_done_callback(reloads.discard)


async def _reload(app: BotApp, config: Path) -> None:
    """SIGHUP: read the config again and take its groups; a config with problems is
    refused (logged) and the running one kept."""
    try:
        settings = load_settings(config)
    except ConfigError as error:
        logger.error(
            "config not reloaded, the running one is kept:\n%s", format_problems(error, config)
        )
        return
    try:
        synced = await app.reload_groups(settings)
    except Exception as error:
        log_incident(logger, new_incident_id(), "config reload", error)
        return
    logger.info(
        "config reloaded: %d group(s); renamed %s, retired %s",
        len(settings.groups),
        [f"{old}->{new}" for old, new in synced.renamed] or "none",
        list(synced.retired) or "none",
    )


def _configure_logging(settings: Settings, level: int) -> None:
    configure_logging(settings.logging, level, secrets=secrets_of(settings))
