"""``peercircle doctor``'s checks, in-process: a valid and a revoked token against the
loopback Telegram fake (and the clock compared with its answer), Telegram unreachable,
a broken or too-new database, a config with problems, Discord's check."""

from __future__ import annotations

import io
import socket
import sqlite3
from collections.abc import AsyncIterator
from contextlib import closing
from datetime import UTC, datetime, timedelta
from pathlib import Path

import aiohttp
import pytest
from aiohttp import web

from bot.clock import ShiftedClock
from bot.config import load_settings
from bot.doctor import examine, report
from bot.doctor_checks import check_discord_token
from bot.doctor_findings import Finding
from groups.doctor_checks import DOCTOR_DOMAIN, newest_schema
from tests.fakes.telegram_api import FakeTelegramApi
from tests.process.cli import example_copy
from tests.process.test_run_telegram import telegram_config

CHECKIN_KEY = "doctor-checkin-key-0123456789abcdefghijkl"


@pytest.fixture
async def fake() -> AsyncIterator[FakeTelegramApi]:
    async with FakeTelegramApi() as api:
        yield api


def _by_topic(findings: list[Finding]) -> dict[str, Finding]:
    return {finding.topic: finding for finding in findings}


def _env(token: str) -> dict[str, str]:
    return {"PEERCIRCLE_TELEGRAM__TOKEN": token, "PEERCIRCLE_CHECKINS__HMAC_KEY": CHECKIN_KEY}


def _no_console(config: Path) -> Path:
    text = config.read_text(encoding="utf-8")
    config.write_text(text.replace("enabled = true\nuser", "enabled = false\nuser"), "utf-8")
    return config


async def test_a_working_token_and_a_good_clock_and_nothing_to_fix(
    fake: FakeTelegramApi, tmp_path: Path
) -> None:
    config = _no_console(telegram_config(tmp_path, fake.base_url, fake.base_file_url))

    findings = await examine(config, DOCTOR_DOMAIN, environ=_env(fake.token))

    found = _by_topic(findings)
    assert found["telegram"].text == "the token works: this is @PeerCircleTestBot"
    assert found["telegram"].status == "ok"
    assert found["clock"].status == "ok"
    assert found["platforms"].status == "ok"
    assert found["check-ins"].status == "ok"
    assert found["database"].text.endswith("will be created at the first start")
    assert [f for f in findings if f.status == "fix"] == []
    assert "All is well" in report(config, findings)
    assert not (tmp_path / "data").exists()  # the doctor creates nothing
    assert [call.method for call in fake.calls] == ["getMe"]


async def test_a_revoked_token_is_named_without_showing_it(
    fake: FakeTelegramApi, tmp_path: Path
) -> None:
    config = telegram_config(tmp_path, fake.base_url, fake.base_file_url)
    token = fake.token
    fake.revoke_token(token)

    findings = await examine(config, DOCTOR_DOMAIN, environ=_env(token))

    telegram = _by_topic(findings)["telegram"]
    assert telegram.status == "fix"
    assert "Telegram refused the token (401)" in telegram.text
    assert "PEERCIRCLE_TELEGRAM__TOKEN" in telegram.text
    printed = report(config, findings)
    assert token not in printed
    assert token.split(":")[1] not in printed
    assert "to fix" in printed


async def test_a_clock_far_from_telegrams_is_to_fix(fake: FakeTelegramApi, tmp_path: Path) -> None:
    config = telegram_config(tmp_path, fake.base_url, fake.base_file_url)
    ahead = ShiftedClock(datetime.now(UTC) + timedelta(minutes=5))

    findings = await examine(config, DOCTOR_DOMAIN, environ=_env(fake.token), clock=ahead)

    clock = _by_topic(findings)["clock"]
    assert clock.status == "fix"
    assert "s ahead of Telegram's" in clock.text
    assert "NTP" in clock.text


async def test_telegram_out_of_reach_is_to_fix(tmp_path: Path) -> None:
    with socket.socket() as probe:  # a port nobody listens on
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    base = f"http://127.0.0.1:{port}"
    config = telegram_config(tmp_path, f"{base}/bot", f"{base}/file/bot")
    token = "7000000001:AAFakeTokenForTests-0123456789abcdefghij"

    findings = await examine(config, DOCTOR_DOMAIN, environ=_env(token))

    found = _by_topic(findings)
    assert found["telegram"].status == "fix"
    assert f"could not reach the Bot API at 127.0.0.1:{port}" in found["telegram"].text
    assert found["clock"].status == "skip"
    assert token not in report(config, findings)


async def test_a_file_that_is_no_database_is_to_fix(tmp_path: Path) -> None:
    config = example_copy(tmp_path)
    (tmp_path / "data").mkdir()
    (tmp_path / "data" / "peercircle.sqlite3").write_bytes(b"not a database, really" * 200)

    findings = await examine(config, DOCTOR_DOMAIN, environ={})

    database = _by_topic(findings)["database"]
    assert database.status == "fix"
    assert "is not a SQLite database" in database.text
    assert "would start degraded" in database.text


async def test_a_database_is_read_without_leaving_working_files(tmp_path: Path) -> None:
    config = example_copy(tmp_path)
    (tmp_path / "data").mkdir()
    file = tmp_path / "data" / "peercircle.sqlite3"
    with closing(sqlite3.connect(file)) as conn:
        conn.execute("PRAGMA journal_mode = WAL")
        conn.execute("CREATE TABLE schema_migrations (version INTEGER, description, applied_at)")
        conn.execute("INSERT INTO schema_migrations VALUES (2, 'old', '')")
        conn.commit()

    findings = await examine(config, DOCTOR_DOMAIN, environ={})

    database = _by_topic(findings)["database"]
    assert database.status == "ok"
    assert f"schema version 2; migrated to {newest_schema()} at the next start" in database.text
    assert sorted(p.name for p in file.parent.iterdir()) == ["peercircle.sqlite3"]


async def test_a_database_from_a_newer_release_is_to_fix(tmp_path: Path) -> None:
    config = example_copy(tmp_path)
    (tmp_path / "data").mkdir()
    with closing(sqlite3.connect(tmp_path / "data" / "peercircle.sqlite3")) as conn:
        conn.execute("CREATE TABLE schema_migrations (version INTEGER, description, applied_at)")
        conn.execute("INSERT INTO schema_migrations VALUES (999, 'future', '')")
        conn.commit()

    findings = await examine(config, DOCTOR_DOMAIN, environ={})

    database = _by_topic(findings)["database"]
    assert database.status == "fix"
    assert "schema version 999, newer than this release knows" in database.text


async def test_a_config_with_problems_lists_them_and_stops(tmp_path: Path) -> None:
    config = example_copy(tmp_path)
    text = config.read_text(encoding="utf-8").replace("capacity = 12", "capacity = 0")
    config.write_text(text, encoding="utf-8")

    findings = await examine(config, DOCTOR_DOMAIN, environ={})

    assert [f.topic for f in findings] == ["config"]
    assert findings[0].status == "fix"
    assert "groups[0].capacity" in findings[0].text


async def _discord_stub(token: str) -> web.AppRunner:
    async def me(request: web.Request) -> web.Response:
        if request.headers.get("Authorization") != f"Bot {token}":
            return web.json_response({"message": "401: Unauthorized", "code": 0}, status=401)
        return web.json_response({"id": "1", "username": "PeerCircle"})

    app = web.Application()
    app.router.add_get("/api/v10/users/@me", me)
    runner = web.AppRunner(app, access_log=None)
    await runner.setup()
    await web.TCPSite(runner, "127.0.0.1", 0).start()
    return runner


async def test_discords_token_is_checked_where_there_is_an_address(tmp_path: Path) -> None:
    token = "discord-token-for-tests.abcdef.0123456789"
    runner = await _discord_stub(token)
    base = f"http://127.0.0.1:{runner.addresses[0][1]}/api/v10"
    config = example_copy(tmp_path)
    try:
        async with aiohttp.ClientSession() as session:
            good = load_settings(config, environ={"PEERCIRCLE_DISCORD__TOKEN": token})
            bad = load_settings(config, environ={"PEERCIRCLE_DISCORD__TOKEN": "nope"})
            works = await check_discord_token(session, good, base)
            refused = await check_discord_token(session, bad, base)
            configured = {
                "PEERCIRCLE_DISCORD__TOKEN": token,
                "PEERCIRCLE_DISCORD__API_BASE_URL": base,
            }
            from_config = await check_discord_token(
                session, load_settings(config, environ=configured)
            )
    finally:
        await runner.cleanup()

    assert works == [Finding("ok", "discord", "the token works: this is PeerCircle")]
    assert refused[0].status == "fix"
    assert "Discord refused the token (401)" in refused[0].text
    assert from_config == works  # [discord] api_base_url is where it asks


def test_the_report_has_one_line_per_finding_and_a_verdict() -> None:
    findings = [Finding("ok", "a", "fine"), Finding("warn", "b", "hm"), Finding("skip", "c", "-")]

    out = io.StringIO()
    print(report(Path("x.toml"), findings), file=out)

    assert out.getvalue().splitlines() == [
        "peercircle doctor: x.toml",
        "  ok    a: fine",
        "  warn  b: hm",
        "  skip  c: -",
        "All is well (1 warning).",
    ]
