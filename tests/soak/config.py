"""The soak's service: one ``python -m bot --config ... run`` with both the Telegram and
the Discord adapter on, against the two loopback fakes running in the test's process."""

from __future__ import annotations

import os
import sys
from dataclasses import dataclass
from pathlib import Path

from tests.fakes.discord_api import FakeDiscordApi
from tests.fakes.discord_world import DcGuild
from tests.fakes.telegram_api import FakeTelegramApi
from tests.process.cli import ROOT

CHECKIN_KEY = "soak-checkin-key-0123456789abcdefghijklmnopqrstuvwxyz"


@dataclass(frozen=True, slots=True)
class SoakGroup:
    slug: str
    name: str
    capacity: int
    weekday: str


# Small groups fill up, so joins and leaves keep the waiting lists and promotions busy.
GROUPS = (
    SoakGroup("maple", "Maple Circle", 12, "tuesday"),
    SoakGroup("birch", "Birch Circle", 40, "wednesday"),
    SoakGroup("cedar", "Cedar Circle", 120, "thursday"),
    SoakGroup("rowan", "Rowan Circle", 500, "monday"),
)


def _groups_toml() -> str:
    return "".join(
        f'[[groups]]\nslug = "{g.slug}"\nname = "{g.name}"\n'
        f'description = "A weekly peer-support circle."\ncapacity = {g.capacity}\n'
        f'online = true\n[groups.schedule]\nweekday = "{g.weekday}"\ntime = "19:00"\n'
        f'link = "https://meet.example.org/{g.slug}"\n'
        for g in GROUPS
    )


def soak_config(
    directory: Path, telegram: FakeTelegramApi, discord: FakeDiscordApi, server: DcGuild
) -> Path:
    """Both adapters on; sending limits at the ceilings the config allows, so pacing
    does not stretch the run; the outbox tries again soon after a failure."""
    text = (
        '[bot]\ntimezone = "Europe/London"\n'
        '[storage]\nurl = "sqlite:///soak.sqlite3"\nbusy_timeout_ms = 5000\n'
        '[logging]\nlevel = "warning"\n'
        f'[telegram]\nenabled = true\nbase_url = "{telegram.base_url}"\n'
        f'base_file_url = "{telegram.base_file_url}"\n'
        "[telegram.limits]\nmessages_per_second = 1000\nper_chat_per_second = 10\n"
        "per_chat_burst = 10\nper_group_chat_per_minute = 600\n"
        f'[discord]\nenabled = true\napi_base_url = "{discord.api_base_url}"\n'
        f'gateway_url = "{discord.gateway_url()}"\nguild_ids = [{server.id}]\n'
        f"{_groups_toml()}"
    )
    directory.mkdir(parents=True, exist_ok=True)
    path = directory / "soak.toml"
    path.write_text(text, encoding="utf-8")
    return path


def service_command(config: Path) -> list[str]:
    return [sys.executable, "-m", "bot", "--config", str(config), "run"]


def service_env(telegram: FakeTelegramApi, discord: FakeDiscordApi) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("PEERCIRCLE_")}
    env.update(
        PYTHONPATH=str(ROOT),
        LC_ALL="C.UTF-8",
        PEERCIRCLE_TELEGRAM__TOKEN=telegram.token,
        PEERCIRCLE_DISCORD__TOKEN=discord.token,
        PEERCIRCLE_CHECKINS__HMAC_KEY=CHECKIN_KEY,
    )
    return env
