"""The console as a subprocess under hostile input and broken output: each case ends in
a reply or a clean exit, never a hang or a traceback."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.process.cli import ROOT, example_copy


def _command(config: Path, *args: str) -> list[str]:
    return [sys.executable, "-m", "bot", "--config", str(config), "console", *args]


def _env() -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("PEERCIRCLE_")}
    env.update(PYTHONPATH=str(ROOT), LC_ALL="C.UTF-8", PYTHONIOENCODING="")
    return env


def _spawn(config: Path, *args: str) -> subprocess.Popen[bytes]:
    """A console with its three streams piped, for a test to drive."""
    return subprocess.Popen(
        _command(config, *args),
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        env=_env(),
    )


def _run(config: Path, stdin: bytes, *args: str) -> subprocess.CompletedProcess[bytes]:
    return subprocess.run(
        _command(config, *args), input=stdin, capture_output=True, env=_env(), timeout=60
    )


def _clean(done: subprocess.CompletedProcess[bytes]) -> str:
    assert b"Traceback" not in done.stdout + done.stderr, done.stderr.decode(errors="replace")
    return done.stdout.decode("utf-8")


def test_invalid_utf8_is_replaced_and_the_console_goes_on(tmp_path: Path) -> None:
    config = example_copy(tmp_path)
    done = _run(config, b"/join \xff\xfe tues\n/crisis\n\xc3\n/groups\n", "--as", "alice")

    out = _clean(done)
    assert done.returncode == 0
    assert out.count("wasn't valid text") == 2
    assert "Samaritans" in out  # /crisis still answers after the bad bytes
    assert "Here are the groups" in out


def test_nul_bytes_and_escapes_in_lines_are_harmless(tmp_path: Path) -> None:
    config = example_copy(tmp_path)
    lines = b"/gro\x00ups\n\x1b[2J\x1b]0;owned\x07/join youth\n\x00\x00\x00\n/mygroups\n"
    done = _run(config, lines, "--as", "alice")

    out = _clean(done)
    assert done.returncode == 0
    assert "Here are the groups" in out
    assert "you have a seat in Youth Space" in out
    assert "I didn't catch anything" in out  # the line of NULs
    assert "\x1b" not in out  # not even in the echo of what was piped in
    assert "\x00" not in out


@pytest.mark.parametrize("name", ["\x1b[31mred", "a\u202eb", "x" * 40, ""])
def test_as_names_with_escapes_are_refused_like_at_the_prompt(tmp_path: Path, name: str) -> None:
    config = example_copy(tmp_path)
    done = subprocess.run(
        [*_command(config), "--as", name],
        input=b"/mygroups\n",
        capture_output=True,
        env=_env(),
        timeout=60,
    )
    assert done.returncode == 2
    assert b"console name is 1" in done.stderr
    assert b"\x1b" not in done.stderr
    assert b"Traceback" not in done.stderr
    assert done.stdout == b""


def test_a_nul_in_an_as_name_at_the_prompt_is_refused(tmp_path: Path) -> None:
    done = _run(example_copy(tmp_path), b":as bob\x00\n/mygroups\n", "--as", "alice")
    out = _clean(done)
    assert "console name is 1–32 letters" in out
    assert "(you are now bob" not in out


def test_escapes_in_as_at_the_prompt_are_refused(tmp_path: Path) -> None:
    config = example_copy(tmp_path)
    lines = b":as \x1b[31mmallory\n:as mallory organizer\n/roster tues\n"
    done = _run(config, lines, "--as", "alice")

    out = _clean(done)
    assert out.count("console name is 1–32 letters") == 1
    assert "organizers come from the config file only" in out
    assert "Roster of" not in out
    assert "is for group facilitators" in out
    assert "\x1b" not in out


def test_a_role_the_console_cannot_give_is_refused_at_start(tmp_path: Path) -> None:
    config = example_copy(tmp_path)
    done = subprocess.run(
        [*_command(config), "--as", "mallory", "--role", "organizer"],
        input=b"/roster tues\n",
        capture_output=True,
        env=_env(),
        timeout=60,
    )
    assert done.returncode == 2
    assert b"organizers come from the config file" in done.stderr
    assert b"Roster" not in done.stdout


def test_the_banner_shows_the_real_role(tmp_path: Path) -> None:
    config = example_copy(tmp_path)
    organizer = _clean(_run(config, b""))  # [console] user = "organizer", in organizers
    sam = _clean(_run(config, b"", "--as", "sam"))  # a facilitator in the config
    kim = _clean(_run(config, b"", "--as", "kim"))

    assert "you are organizer (organizer)" in organizer
    assert "you are sam (facilitator)" in sam
    assert "you are kim (member)" in kim


def test_a_closed_stdout_ends_the_console_quietly(tmp_path: Path) -> None:
    config = example_copy(tmp_path)
    shell = " ".join(f"'{part}'" for part in _command(config)) + " >&-"
    done = subprocess.run(
        ["sh", "-c", shell], input=b"/groups\n", capture_output=True, env=_env(), timeout=60
    )
    assert b"Traceback" not in done.stderr
    assert done.returncode == 0


def test_a_reader_that_goes_away_ends_the_console_quietly(tmp_path: Path) -> None:
    config = example_copy(tmp_path)
    reader = _spawn(config, "--as", "alice")
    assert reader.stdout is not None
    assert reader.stdin is not None
    reader.stdout.read(10)
    reader.stdout.close()  # like `peercircle console | head -c 10`
    _, err = reader.communicate(b"/groups\n" * 200, timeout=60)
    assert b"Traceback" not in err
    assert reader.returncode in (0, 1)


def test_a_full_disk_for_stdout_ends_the_console_quietly(tmp_path: Path) -> None:
    config = example_copy(tmp_path)
    with open("/dev/full", "wb") as full:
        done = subprocess.run(
            _command(config),
            input=b"/groups\n",
            stdout=full,
            stderr=subprocess.PIPE,
            env=_env(),
            timeout=60,
        )
    assert b"Traceback" not in done.stderr
    assert done.returncode in (0, 1)


def test_a_closed_stdin_is_the_end_of_input(tmp_path: Path) -> None:
    config = example_copy(tmp_path)
    shell = " ".join(f"'{part}'" for part in _command(config)) + " <&-"
    done = subprocess.run(["sh", "-c", shell], capture_output=True, env=_env(), timeout=60)
    assert b"Traceback" not in done.stderr
    assert done.returncode == 0


def test_sigterm_stops_the_console_cleanly_with_the_database_checkpointed(
    tmp_path: Path,
) -> None:
    config = example_copy(tmp_path)
    console = _spawn(config, "--as", "alice")
    assert console.stdin is not None
    assert console.stdout is not None
    console.stdin.write(b"/join youth\n")
    console.stdin.flush()
    _wait_for(console, b"you have a seat")

    began = time.monotonic()
    console.send_signal(signal.SIGTERM)
    _, err = console.communicate(timeout=10)

    assert console.returncode == 0, err
    assert time.monotonic() - began < 10
    assert b"Traceback" not in err
    database = tmp_path / "data" / "peercircle.sqlite3"
    wal = database.with_name(database.name + "-wal")
    assert not wal.exists() or wal.stat().st_size == 0


def _wait_for(process: subprocess.Popen[bytes], text: bytes, timeout: float = 30) -> bytes:
    assert process.stdout is not None
    os.set_blocking(process.stdout.fileno(), False)
    seen = b""
    deadline = time.monotonic() + timeout
    while text not in seen:
        assert time.monotonic() < deadline, seen.decode(errors="replace")
        chunk = process.stdout.read()
        seen += chunk or b""
        time.sleep(0.02)
    return seen


def test_an_unknown_console_role_is_refused_at_start(tmp_path: Path) -> None:
    done = subprocess.run(
        [*_command(example_copy(tmp_path)), "--as", "kim", "--role", "wiz\x1b[31mard"],
        input=b"/groups\n",
        capture_output=True,
        env=_env(),
        timeout=60,
    )
    assert done.returncode == 2
    assert "unknown role “wizard”" in done.stderr.decode()  # the escape is gone
    assert b"\x1b" not in done.stderr
    assert done.stdout == b""
