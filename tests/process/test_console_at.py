"""``peercircle console --at``: try what happens at a given time, such as a reminder."""

from __future__ import annotations

from pathlib import Path

from tests.process.cli import console, example_copy


def test_a_reminder_due_at_start_prints_before_the_banner(tmp_path: Path) -> None:
    config = example_copy(tmp_path)
    console(config, ["/join tuesday"], "--as", "alice", "--at", "2026-12-01 12:00")

    later = console(config, ["/rsvp tuesday no"], "--as", "alice", "--at", "2026-12-01 18:05")
    again = console(config, ["/next"], "--as", "alice", "--at", "2026-12-01 18:10")

    reminder, _, rest = later.out.partition("PeerCircle console")
    assert "(private message to alice)" in reminder
    assert "Reminder: Tuesday Recovery Circle meets Tuesday 1 December, 19:00" in reminder
    assert "can't make Tuesday Recovery Circle on Tuesday 1 December" in rest
    assert "Reminder" not in again.out  # once, even though the bot started again


def test_a_time_it_cannot_read_is_refused_kindly(tmp_path: Path) -> None:
    run = console(example_copy(tmp_path), ["/next"], "--as", "alice", "--at", "tomorrow")

    assert run.code == 2
    assert "--at needs a local date and time like" in run.err
    assert "Traceback" not in run.err
