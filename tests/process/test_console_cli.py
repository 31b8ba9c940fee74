"""The console adapter end to end: a subprocess reading piped lines, real SQLite file."""

from __future__ import annotations

import sqlite3
from pathlib import Path

from tests.process.cli import console, example_copy, peercircle


def test_the_readme_session_prints_the_expected_replies(tmp_path: Path) -> None:
    config = example_copy(tmp_path)

    run = console(
        config,
        ["/groups", "/join tuesday-recovery", "/mygroups", "/leave tuesday-recovery"],
        "--as",
        "alice",
    )

    assert run.code == 0, run.err
    assert "Here are the groups you can join" in run.out
    assert "12 of 12 seats free" in run.out
    assert "you have a seat in Tuesday Recovery Circle" in run.out
    assert "• Tuesday Recovery Circle — you have a seat" in run.out
    assert "you've left Tuesday Recovery Circle" in run.out
    assert "Traceback" not in run.out + run.err
    assert (tmp_path / "data" / "peercircle.sqlite3").exists()


def test_membership_survives_a_restart(tmp_path: Path) -> None:
    config = example_copy(tmp_path)

    first = console(config, ["/join youth-space"], "--as", "alice")
    second = console(config, ["/mygroups"], "--as", "alice")

    assert first.code == second.code == 0
    assert "• Youth Space (16–25) — you have a seat" in second.out


def test_a_waitlisted_member_is_promoted_and_told_privately(tmp_path: Path) -> None:
    config = example_copy(tmp_path)
    text = config.read_text(encoding="utf-8").replace("capacity = 8", "capacity = 1")
    config.write_text(text, encoding="utf-8")

    run = console(
        config,
        [
            "/join youth-space",
            ":as bob",
            "/join youth-space",
            ":as alice",
            "/leave youth-space",
            ":as bob",
            "/mygroups",
        ],
        "--as",
        "alice",
    )

    assert run.code == 0, run.err
    assert "you're number 1" in run.out
    promoted = run.out.index("(private message to bob)")
    assert "a seat has opened up in Youth Space" in run.out[promoted:]
    assert "Youth Space (16–25) — you have a seat" in run.out[promoted:]


def test_buttons_are_numbered_choices(tmp_path: Path) -> None:
    run = console(example_copy(tmp_path), ["/groups", "9", "2"], "--as", "alice")

    assert "[2] Join Carers' Circle" in run.out
    assert "you have a seat in Carers' Circle" in run.out
    assert "there is no choice 9" in run.out


def test_roles_from_the_command_line_and_from_config(tmp_path: Path) -> None:
    config = example_copy(tmp_path)

    member = console(config, ["/roster tuesday"], "--as", "alice")
    named = console(config, ["/roster tuesday"], "--as", "sam")
    granted = console(config, ["/roster carers"], "--as", "kim", "--role", "facilitator")

    assert "is for group facilitators" in member.out
    assert "Roster of Tuesday Recovery Circle" in named.out
    assert "Roster of Carers' Circle" in granted.out


def test_odd_lines_never_crash_the_console(tmp_path: Path) -> None:
    lines = [
        "",
        "x" * 5000,
        "\x00\x07/gro\x1bups",
        "🌈🫂",
        "שלום עולם",
        "/join",
        "/nope",
        "@everyone",
    ]

    run = console(example_copy(tmp_path), lines, "--as", "alice")

    assert run.code == 0
    assert "Traceback" not in run.out + run.err
    assert "I didn't catch anything" in run.out
    assert "longer than I can read" in run.out
    assert "Which group would you like to join?" in run.out
    assert "I don't know the command /nope" in run.out


def test_a_database_from_a_newer_release_is_refused_and_the_console_starts_degraded(
    tmp_path: Path,
) -> None:
    """More cases in test_degraded_cli.py: /crisis and /help still answer."""
    config = example_copy(tmp_path)
    assert console(config, ["/groups"]).code == 0
    with sqlite3.connect(tmp_path / "data" / "peercircle.sqlite3") as db:
        db.execute("INSERT INTO schema_migrations VALUES (99, 'from the future', '2030-01-01')")

    run = console(config, ["/groups", "/crisis"])

    assert run.code == 0
    assert "schema version 99" in run.err
    assert "upgrade PeerCircle" in run.err
    assert "Traceback" not in run.err
    assert "Here are the groups" not in run.out
    assert "that isn't available right now" in run.out
    assert "Samaritans" in run.out


def test_a_missing_config_explains_itself(tmp_path: Path) -> None:
    run = peercircle("console", cwd=tmp_path)
    assert run.code == 1
    assert "peercircle.toml" in run.err
    assert "Traceback" not in run.err


def test_run_is_the_service_and_never_serves_the_console(tmp_path: Path) -> None:
    config = example_copy(tmp_path)  # only the console is enabled in the example

    run = peercircle("--config", str(config), "run", stdin=":as mallory organizer\n/roster tues\n")

    assert run.code == 1
    assert "none is enabled in the config" in run.err
    assert "peercircle console" in run.err
    assert "Roster" not in run.out
    assert not (tmp_path / "data").exists()  # refused before touching anything


def test_config_may_come_before_or_after_any_subcommand(tmp_path: Path) -> None:
    config = str(example_copy(tmp_path))

    for args in (
        ("--config", config, "run"),
        ("run", "--config", config),
        ("check-config", "--config", config),
        ("--config", config, "check-config"),
        ("console", "--config", config),
    ):
        run = peercircle(*args, cwd=tmp_path / "..")
        assert "no config file" not in run.err, args
        assert "unrecognized arguments" not in run.err, args
    assert peercircle("run", "--config", config).code == 1  # refused: no platform enabled
    assert peercircle("check-config", "--config", config).code == 0


def test_a_console_switched_off_in_the_config_refuses_to_open(tmp_path: Path) -> None:
    config = example_copy(tmp_path)
    text = config.read_text(encoding="utf-8")
    config.write_text(text.replace("enabled = true", "enabled = false", 1), encoding="utf-8")

    run = console(config, ["/groups"])

    assert run.code == 1
    assert "switched off in this config" in run.err
    assert "Here are the groups" not in run.out
    assert not (tmp_path / "data").exists()
