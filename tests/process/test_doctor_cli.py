"""``peercircle doctor`` as an operator runs it: on a fresh clone it says what is missing
and exits 1 (no traceback, nothing created); against the loopback Telegram fake it exits
0 with a working token, and 1 with a revoked one."""

from __future__ import annotations

import asyncio
import os
import sys
from pathlib import Path

from tests.fakes.telegram_api import FakeTelegramApi
from tests.process.cli import ROOT, peercircle
from tests.process.test_run_telegram import telegram_config

CHECKIN_KEY = "doctor-checkin-key-0123456789abcdefghijkl"


def test_on_a_fresh_clone_it_says_what_is_missing(tmp_path: Path) -> None:
    (tmp_path / "config.example.toml").write_bytes((ROOT / "config.example.toml").read_bytes())

    run = peercircle("doctor", "--config", "config.example.toml", cwd=tmp_path)

    assert run.code == 1
    assert run.err == ""
    assert "Traceback" not in run.out
    lines = run.out.splitlines()
    assert lines[0] == "peercircle doctor: config.example.toml"
    assert any(line.startswith("  FIX   platforms: no platform is enabled") for line in lines)
    assert any("PEERCIRCLE_TELEGRAM__TOKEN" in line for line in lines)
    assert any(line.startswith("  FIX   check-ins: no key") for line in lines)
    assert lines[-1] == "2 things to fix (the FIX lines)."
    assert sorted(p.name for p in tmp_path.iterdir()) == ["config.example.toml"]


async def _doctor(config: Path, token: str) -> tuple[int, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("PEERCIRCLE_")}
    env.update(
        PYTHONPATH=str(ROOT),
        PEERCIRCLE_TELEGRAM__TOKEN=token,
        PEERCIRCLE_CHECKINS__HMAC_KEY=CHECKIN_KEY,
    )
    process = await asyncio.create_subprocess_exec(
        *(sys.executable, "-m", "bot", "doctor", "--config", str(config)),
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.STDOUT,
        env=env,
    )
    out, _ = await asyncio.wait_for(process.communicate(), 60)
    return await process.wait(), out.decode()


async def test_with_a_working_token_it_exits_0_and_with_a_revoked_one_1(tmp_path: Path) -> None:
    async with FakeTelegramApi() as fake:
        config = telegram_config(tmp_path, fake.base_url, fake.base_file_url)
        text = config.read_text(encoding="utf-8")
        config.write_text(text.replace("enabled = true\nuser", "enabled = false\nuser"), "utf-8")
        good, good_out = await _doctor(config, fake.token)
        token = fake.token
        fake.revoke_token(token)
        bad, bad_out = await _doctor(config, token)

    assert good == 0, good_out
    assert "  ok    telegram: the token works: this is @PeerCircleTestBot" in good_out
    assert "All is well" in good_out
    assert bad == 1, bad_out
    assert "  FIX   telegram: Telegram refused the token (401)" in bad_out
    for out in (good_out, bad_out):
        assert token not in out
        assert token.split(":")[1] not in out
        assert "Traceback" not in out
