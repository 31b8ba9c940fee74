"""The log of a whole console session (the real CLI, a subprocess) holds none of the
secrets planted in it: the platform token and the check-in key from the environment,
the member's display name, a check-in note and a private message about a crisis. The
session runs at the debug level, where the most is said, in both log formats."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.process.cli import Run, example_copy, peercircle

TOKEN = "7000000001:AAPlantedTokenZZ0123456789abcdefghijk"
CHECKIN_KEY = "planted-checkin-key-0123456789-abcdefghijkl"
NAME = "Quillon"
NOTE = "Xylograph note: I feel like ending it all tonight"
CRISIS = "Zephyrine wrote: I want to kill myself"
PLANTED = (TOKEN, TOKEN.split(":")[1], CHECKIN_KEY, NAME, NAME.lower(), "Xylograph", "Zephyrine")

SESSION = [
    "/start",
    "/join tuesday-recovery",
    "/checkin tuesday-recovery",
    "2",
    NOTE,
    "1",  # let a facilitator know it's me
    CRISIS,
    "3",  # no thanks
    "/mydata",
    "/contactme tuesday-recovery",
    "/nosuchcommand " + NOTE,
    "/leave tuesday-recovery",
]


def _session(directory: Path, log_format: str) -> Run:
    config = example_copy(directory)
    with config.open("a", encoding="utf-8") as extra:
        extra.write(f'\n[logging]\nformat = "{log_format}"\nlevel = "debug"\n')
    env = {"PEERCIRCLE_TELEGRAM__TOKEN": TOKEN, "PEERCIRCLE_CHECKINS__HMAC_KEY": CHECKIN_KEY}
    return peercircle(
        "--config",
        str(config),
        "console",
        "--as",
        NAME,
        "--at",
        "2026-03-01 19:00",  # a Sunday evening: the week's check-in is open
        stdin="\n".join(SESSION) + "\n",
        env=env,
    )


@pytest.mark.parametrize("log_format", ["text", "json"])
def test_a_debug_log_of_a_whole_session_holds_no_planted_secret(
    tmp_path: Path, log_format: str
) -> None:
    run = _session(tmp_path, log_format)

    assert run.code == 0, run.err
    # The session really happened: the note was taken and the crisis answered.
    assert "Thank you for checking in" in run.out
    assert run.out.count("you can talk to a person") >= 2
    assert "Applied database migration" in run.err  # the log is there, and verbose
    for planted in PLANTED:
        assert planted not in run.err, planted
    assert "Traceback" not in run.err
    if log_format == "json":
        entries = [json.loads(line) for line in run.err.splitlines() if line.strip()]
        assert {"time", "level", "logger", "message"} <= set(entries[0])
        assert any(entry["logger"] == "bot.storage.migrations" for entry in entries)
