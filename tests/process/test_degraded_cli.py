"""The real CLI with a database it cannot open: ``peercircle console`` (and ``run``) start
in a degraded mode. /crisis and /help answer; every member feature says plainly that it is
unavailable right now; the operator reads the storage problem once, on stderr; the
console exits 0 at the end of its input."""

from __future__ import annotations

import os
import sqlite3
import stat
import subprocess
import sys
from collections.abc import AsyncIterator, Callable, Iterator
from pathlib import Path

import pytest

from tests.fakes.telegram_api import FakeTelegramApi
from tests.fakes.telegram_updates import TgUser
from tests.process.bot_process import kill_all, start_bot
from tests.process.cli import Run, console, example_copy
from tests.process.test_run_telegram import Service, telegram_config

DEGRADED = "PeerCircle is running WITHOUT its database"
UNAVAILABLE = "Sorry — that isn't available right now"
NOTICE = "(Degraded mode: the database could not be opened"
LINES = ["/crisis", "/help", "/join youth", "/mygroups", "/crisis US", "/crisis españa"]


def database(config: Path) -> Path:
    return config.parent / "data" / "peercircle.sqlite3"


def made(tmp_path: Path) -> Path:
    """The example config, with its database made (alice has a seat) and closed again."""
    config = example_copy(tmp_path)
    assert console(config, ["/join tuesday"], "--as", "alice").code == 0
    return config


def assert_degraded(run: Run, problem: str) -> None:
    """What a member and the operator see, whatever the problem."""
    shown = run.out + run.err
    assert run.code == 0, run.err
    assert "Traceback" not in shown
    assert NOTICE in run.out
    assert run.out.count("Samaritans: call 116 123") == 2  # /crisis, and /help
    assert "988 Suicide & Crisis Lifeline: call 988" in run.out  # /crisis US
    assert "please call 911 now" in run.out
    assert "call 024" in run.out  # /crisis españa
    assert "What you can do:" in run.out
    assert run.out.count(UNAVAILABLE) == 2  # /join, /mygroups
    assert "/crisis and /help still work" in run.out
    assert "INC-" not in run.out  # no incident per command: the operator was told once
    assert "SQLite" not in run.out  # no raw exception text for members
    lines = run.err.strip().splitlines()
    # The storage problem, once, and nothing else (but the start-up note that check-ins
    # are off: the example config runs without their key).
    [told] = [line for line in lines if "check-ins are switched off" not in line]
    assert DEGRADED in told
    assert problem in told


@pytest.fixture
def restore_modes(tmp_path: Path) -> Iterator[None]:
    yield
    for path in [tmp_path, *tmp_path.rglob("*")]:
        path.chmod(path.stat().st_mode | stat.S_IWUSR)


def test_a_missing_folder_that_cannot_be_created(tmp_path: Path) -> None:
    config = example_copy(tmp_path)
    (tmp_path / "data").write_text("a file where the database folder should be")

    run = console(config, LINES, "--as", "alice")

    assert_degraded(run, f"Cannot create the directory {tmp_path / 'data'} for the database")
    assert "is a file in the way of a folder" in run.err


@pytest.mark.usefixtures("restore_modes")
@pytest.mark.skipif(os.geteuid() == 0, reason="root may create folders in a read-only one")
def test_a_missing_folder_in_a_read_only_parent(tmp_path: Path) -> None:
    config = example_copy(tmp_path)
    parent = tmp_path / "locked-away"
    parent.mkdir(mode=0o555)
    url = f"sqlite:///{parent}/data/peercircle.sqlite3"
    text = config.read_text(encoding="utf-8").replace("sqlite:///data/peercircle.sqlite3", url)
    config.write_text(text, encoding="utf-8")

    run = console(config, LINES, "--as", "alice")

    assert_degraded(run, f"Cannot create the directory {parent / 'data'} for the database")


def test_a_file_replaced_by_garbage(tmp_path: Path) -> None:
    config = made(tmp_path)
    database(config).write_bytes(os.urandom(16384))
    for working in ("-wal", "-shm"):
        database(config).with_name(f"peercircle.sqlite3{working}").unlink(missing_ok=True)

    run = console(config, LINES, "--as", "alice")

    assert_degraded(run, "the file exists but is not a SQLite database")


def test_a_file_locked_by_another_process(tmp_path: Path) -> None:
    config = made(tmp_path)
    text = config.read_text(encoding="utf-8").replace(
        "busy_timeout_ms = 5000", "busy_timeout_ms = 200"
    )
    config.write_text(text, encoding="utf-8")
    holder = subprocess.Popen(
        [sys.executable, "-c", HOLD_EXCLUSIVE, str(database(config))],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert holder.stdout is not None
        assert holder.stdout.readline().strip() == "locked"
        run = console(config, LINES, "--as", "alice")
    finally:
        holder.communicate("", timeout=30)  # end of its input: it lets go and exits

    assert holder.returncode == 0
    assert_degraded(run, "write lock")
    after = console(config, ["/mygroups"], "--as", "alice")  # the lock is gone: back to normal
    assert "Tuesday Recovery Circle — you have a seat" in after.out
    assert DEGRADED not in after.err


# A second program on the bot's file, holding an exclusive transaction until told to stop.
HOLD_EXCLUSIVE = """
import sqlite3, sys
connection = sqlite3.connect(sys.argv[1], isolation_level=None)
connection.execute("BEGIN EXCLUSIVE")
print("locked", flush=True)
sys.stdin.read()
connection.execute("ROLLBACK")
"""


def test_a_newer_schema(tmp_path: Path) -> None:
    config = made(tmp_path)
    with sqlite3.connect(database(config)) as db:
        db.execute("INSERT INTO schema_migrations VALUES (99, 'from the future', '2030-01-01')")
    db.close()

    run = console(config, LINES, "--as", "alice")

    assert_degraded(run, "This database uses schema version 99")
    assert "upgrade PeerCircle" in run.err
    with sqlite3.connect(database(config)) as db:  # nothing was changed
        assert db.execute("SELECT MAX(version) FROM schema_migrations").fetchone() == (99,)
        assert db.execute("SELECT COUNT(*) FROM memberships").fetchone() == (1,)
    db.close()


@pytest.mark.usefixtures("restore_modes")
def test_a_read_only_file(tmp_path: Path) -> None:
    config = made(tmp_path)
    database(config).chmod(0o444)

    run = console(config, LINES, "--as", "alice")

    assert_degraded(run, f"Cannot use the database file {database(config)}: it is read-only")
    assert "chmod u+w" in run.err


def test_a_broken_config_still_stops_the_console_with_exit_1(tmp_path: Path) -> None:
    """Unchanged: a config problem still stops ``console`` with exit code 1."""
    config = example_copy(tmp_path)
    text = config.read_text(encoding="utf-8").replace(
        "busy_timeout_ms = 5000", "busy_timeout_ms = -1"
    )
    config.write_text(text, encoding="utf-8")

    run = console(config, LINES, "--as", "alice")

    assert run.code == 1
    assert "busy_timeout_ms" in run.err
    assert DEGRADED not in run.err
    assert not (tmp_path / "data").exists()


# -- peercircle run: the Telegram service, degraded ----------------------------------------


@pytest.fixture
async def fake() -> AsyncIterator[FakeTelegramApi]:
    async with FakeTelegramApi() as api:
        yield api


async def _answer(fake: FakeTelegramApi, act: Callable[[], object], member: TgUser) -> str:
    """``act()``, then the text of the message the bot sends ``member`` as a result."""
    before = len(fake.sent_messages(member))
    act()
    sent = await fake.wait_for_sent(before + 1, chat_id=member, within=15)
    return sent[-1].text


def _garbage(config: Path) -> str:
    database(config).parent.mkdir()
    database(config).write_bytes(os.urandom(8192))
    return "not a SQLite database"


def _no_folder(config: Path) -> str:
    database(config).parent.write_text("a file where the database folder should be")
    return "Cannot create the directory"


@pytest.mark.parametrize("breaking", [_garbage, _no_folder], ids=["garbage", "no folder"])
async def test_run_serves_crisis_with_a_database_it_cannot_open(
    fake: FakeTelegramApi, tmp_path: Path, breaking: Callable[[Path], str]
) -> None:
    config = telegram_config(tmp_path, fake.base_url, fake.base_file_url)
    problem = breaking(config)
    started: list[Service] = []
    try:
        service = await start_bot(config, fake.token, started)
        await fake.wait_until_polling(within=30)
        alex = fake.user("Alex")
        crisis = await _answer(fake, lambda: fake.inject_command(alex, "/crisis"), alex)
        mine = await _answer(fake, lambda: fake.inject_command(alex, "/mygroups"), alex)
        code, _, err = await service.terminate()
    finally:
        await kill_all(started)

    assert "Samaritans" in crisis
    assert mine.startswith(UNAVAILABLE)
    shown = err.decode()
    assert code == 0, shown
    assert "Traceback" not in shown
    assert shown.count(DEGRADED) == 1
    assert problem in shown
    if breaking is _no_folder:  # nor can the process id be written beside the database
        assert "peercircle reload will not find this process" in shown
