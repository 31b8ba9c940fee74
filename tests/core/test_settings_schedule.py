"""``[groups.schedule]``'s rrule, until, reminders and link, and ``[bot] reminders``: what
is accepted, and what each mistake says, where."""

from __future__ import annotations

import datetime
from pathlib import Path

import pytest

from bot.config import ConfigError, ConfigProblem, ScheduleConfig, format_offset, load_settings
from groups.directory import schedule_from_config

# Lines: 9 is [groups.schedule], 10 is time; each extra schedule line follows from 11.
BASE = """\
[bot]
timezone = "Europe/London"

[[groups]]
slug = "tuesday-recovery"
name = "Tuesday Recovery Circle"
capacity = 12

[groups.schedule]
time = "19:00"
"""
H = datetime.timedelta(hours=1)


def _config(*schedule_lines: str, bot: str = "", group: str = "") -> str:
    text = BASE.replace("[bot]\n", f"[bot]\n{bot}") if bot else BASE
    text = text.replace("capacity = 12\n", f"capacity = 12\n{group}") if group else text
    return text + "".join(f"{line}\n" for line in schedule_lines)


def _load(tmp_path: Path, text: str, environ: dict[str, str] | None = None) -> ScheduleConfig:
    path = tmp_path / "config.toml"
    path.write_text(text, encoding="utf-8")
    return load_settings(path, environ=environ or {}).groups[0].schedule


def _problems(
    tmp_path: Path, text: str, environ: dict[str, str] | None = None
) -> list[ConfigProblem]:
    with pytest.raises(ConfigError) as caught:
        _load(tmp_path, text, environ)
    return caught.value.problems


# --- what is accepted ------------------------------------------------------------


@pytest.mark.parametrize(
    ("written", "kept"),
    [
        ("FREQ=WEEKLY;BYDAY=TU,TH", "FREQ=WEEKLY;BYDAY=TU,TH"),
        ("rrule:freq=weekly; byday=tu,th", "FREQ=WEEKLY;BYDAY=TU,TH"),
        ("FREQ=MONTHLY;BYDAY=1MO", "FREQ=MONTHLY;BYDAY=1MO"),
        ("FREQ=MONTHLY;BYDAY=-1TH;", "FREQ=MONTHLY;BYDAY=-1TH"),
        ("FREQ=DAILY", "FREQ=DAILY"),
        ("FREQ=YEARLY;BYMONTH=2;BYMONTHDAY=29", "FREQ=YEARLY;BYMONTH=2;BYMONTHDAY=29"),
    ],
)
def test_an_rrule_is_kept_in_one_spelling(tmp_path: Path, written: str, kept: str) -> None:
    schedule = _load(tmp_path, _config(f'rrule = "{written}"'))
    assert schedule.rrule == kept
    assert schedule.weekday is None
    assert schedule.frequency is None


def test_a_counted_rule_starts_on_its_first_meeting(tmp_path: Path) -> None:
    text = _config('rrule = "FREQ=WEEKLY;INTERVAL=2;BYDAY=TH;COUNT=6"', "starts = 2026-01-08")
    schedule = _load(tmp_path, text)
    assert schedule.starts == datetime.date(2026, 1, 8)
    domain = schedule_from_config(schedule)
    assert domain.rrule == "FREQ=WEEKLY;INTERVAL=2;BYDAY=TH;COUNT=6"
    assert domain.weekday == 3  # Thursday, for the words that name one day


def test_until_reminders_and_link_reach_the_domain(tmp_path: Path) -> None:
    text = _config(
        'weekday = "tuesday"',
        "until = 2026-12-22",
        'reminders = ["2d", "1d12h", "90m", "15m"]',
        'link = "https://meet.example.org/tuesday"',
    )
    domain = schedule_from_config(_load(tmp_path, text))
    assert domain.until == datetime.date(2026, 12, 22)
    assert domain.reminders == (48 * H, 36 * H, 1.5 * H, H / 4)
    assert domain.link == "https://meet.example.org/tuesday"
    assert domain.frequency == "weekly"
    assert domain.weekday == 1


def test_a_group_without_reminders_takes_the_bots(tmp_path: Path) -> None:
    default = _load(tmp_path, _config('weekday = "tuesday"'))
    assert default.reminders == [24 * H, H]
    text = _config('weekday = "tuesday"', bot='reminders = ["3h"]\n')
    assert _load(tmp_path, text).reminders == [3 * H]
    own = _config('weekday = "tuesday"', 'reminders = ["30m"]', bot='reminders = ["3h"]\n')
    assert _load(tmp_path, own).reminders == [H / 2]
    none = _config('weekday = "tuesday"', "reminders = []", bot='reminders = ["3h"]\n')
    assert schedule_from_config(_load(tmp_path, none)).reminders == ()


def test_reminders_can_come_from_the_environment(tmp_path: Path) -> None:
    environ = {"PEERCIRCLE_BOT__REMINDERS": '["2h", "10m"]'}
    assert _load(tmp_path, _config('weekday = "tuesday"'), environ).reminders == [2 * H, H / 6]


@pytest.mark.parametrize(
    ("offset", "words"),
    [(24 * H, "24h"), (36 * H, "36h"), (48 * H, "2d"), (60 * H, "2d12h"), (1.5 * H, "1h30m")],
)
def test_offsets_are_written_back_the_way_the_config_writes_them(
    offset: datetime.timedelta, words: str
) -> None:
    assert format_offset(offset) == words


# --- mistakes, each named with its path and line ---------------------------------

RULE = 'rrule = "FREQ=WEEKLY;BYDAY=TU"'
MISTAKES: list[tuple[str, str, str, int, str]] = [
    # (id, config, path, line, part of the message)
    ("rule-and-weekday", _config(RULE, 'weekday = "tuesday"'), "weekday", 12, "rrule already"),
    ("rule-and-frequency", _config(RULE, 'frequency = "weekly"'), "frequency", 12, "remove this"),
    ("rule-and-week", _config(RULE, "week_of_month = 1"), "week_of_month", 12, "rrule already"),
    ("no-day-no-rule", _config(), "weekday", 9, "required setting is missing"),
    ("unreadable", _config('rrule = "FREQ=WEEKLY;BYDAY=XX"'), "rrule", 11, "not a rule I can"),
    ("hourly", _config('rrule = "FREQ=HOURLY"'), "rrule", 11, "at most once a day"),
    ("by-hour", _config('rrule = "FREQ=DAILY;BYHOUR=19"'), "rrule", 11, "time comes from"),
    ("until-in-rule", _config('rrule = "FREQ=DAILY;UNTIL=20261231"'), "rrule", 11, "until set"),
    ("no-freq", _config('rrule = "BYDAY=TU"'), "rrule", 11, "needs FREQ to say how often"),
    ("unknown-part", _config('rrule = "FREQ=DAILY;BYEASTER=0"'), "rrule", 11, "BYEASTER is not"),
    ("twice", _config('rrule = "FREQ=DAILY;FREQ=WEEKLY"'), "rrule", 11, "FREQ appears twice"),
    ("no-equals", _config('rrule = "FREQ=DAILY;BYDAY"'), "rrule", 11, "NAME=VALUE"),
    ("empty-rule", _config('rrule = " "'), "rrule", 11, "is empty"),
    ("interval-0", _config('rrule = "FREQ=DAILY;INTERVAL=0"'), "rrule", 11, "from 1 to 52"),
    ("numbered-weekly", _config('rrule = "FREQ=WEEKLY;BYDAY=1TU"'), "rrule", 11, "numbered day"),
    (
        "never",
        _config('rrule = "FREQ=DAILY;BYMONTH=2;BYMONTHDAY=30"'),
        "rrule",
        11,
        "never gives a meeting",
    ),
    (
        "interval-without-starts",
        _config('rrule = "FREQ=WEEKLY;INTERVAL=2;BYDAY=TU"'),
        "starts",
        9,
        "a rule with INTERVAL counts from the first meeting",
    ),
    (
        "count-without-starts",
        _config('rrule = "FREQ=MONTHLY;BYDAY=1MO;COUNT=6"'),
        "starts",
        9,
        "a rule with COUNT counts from the first meeting",
    ),
    ("day-from-starts", _config('rrule = "FREQ=WEEKLY"'), "starts", 9, "add the day"),
    (
        "count-and-until",
        _config(
            'rrule = "FREQ=WEEKLY;BYDAY=TU;COUNT=4"', "starts = 2026-01-06", "until = 2026-03-01"
        ),
        "until",
        13,
        "use COUNT or until, not both",
    ),
    (
        "starts-not-a-rule-day",
        _config('rrule = "FREQ=WEEKLY;BYDAY=TU,TH"', "starts = 2026-01-07"),
        "starts",
        12,
        "2026-01-07 is not a day this rule meets on",
    ),
    (
        "until-before-starts",
        _config('weekday = "thursday"', "starts = 2026-01-08", "until = 2026-01-01"),
        "until",
        13,
        "is before starts (2026-01-08)",
    ),
    (
        "reminder-words",
        _config('weekday = "tuesday"', 'reminders = ["1 hour"]'),
        "reminders[0]",
        12,
        "'1 hour' is not a time before the meeting",
    ),
    (
        "reminder-number",
        _config('weekday = "tuesday"', "reminders = [60]"),
        "reminders[0]",
        12,
        "in quotes",
    ),
    (
        "reminder-too-close",
        _config('weekday = "tuesday"', 'reminders = ["1h", "2m"]'),
        "reminders[1]",
        12,
        "at least 5 minutes",
    ),
    (
        "reminder-too-early",
        _config('weekday = "tuesday"', 'reminders = ["15d"]'),
        "reminders[0]",
        12,
        "at most 14 days",
    ),
    (
        "six-reminders",
        _config('weekday = "tuesday"', 'reminders = ["1h", "2h", "3h", "4h", "5h", "6h"]'),
        "reminders",
        12,
        "at most 5 reminders",
    ),
    (
        "same-reminder-twice",
        _config('weekday = "tuesday"', 'reminders = ["24h", "1h", "1d"]'),
        "reminders[2]",
        12,
        "is the same time as reminders[0] (24h)",
    ),
    (
        "plain-http-link",
        _config('weekday = "tuesday"', 'link = "http://meet.example.org/x"'),
        "link",
        12,
        "use https://",
    ),
    (
        "not-a-link",
        _config('weekday = "tuesday"', 'link = "meet.example.org/x"'),
        "link",
        12,
        "must be a web address starting with https://",
    ),
    (
        "link-in-person",
        _config(
            'weekday = "tuesday"', 'link = "https://meet.example.org/x"', group="online = false\n"
        ),
        "link",
        13,
        "this one meets in person (online = false)",
    ),
]


@pytest.mark.parametrize(
    ("text", "setting", "line", "words"),
    [case[1:] for case in MISTAKES],
    ids=[case[0] for case in MISTAKES],
)
def test_a_schedule_mistake_names_its_setting_and_line(
    tmp_path: Path, text: str, setting: str, line: int, words: str
) -> None:
    [problem] = _problems(tmp_path, text)
    assert problem.path == f"groups[0].schedule.{setting}"
    assert problem.line == line
    assert words in problem.message


def test_a_bad_bot_reminder_is_named_under_bot(tmp_path: Path) -> None:
    [problem] = _problems(tmp_path, _config('weekday = "tuesday"', bot='reminders = ["1w"]\n'))
    assert str(problem) == (
        "bot.reminders[0] (line 2): '1w' is not a time before the meeting; "
        'write it like "24h", "1h", "15m", "2d" or "1d12h"'
    )


def test_a_bad_reminder_from_the_environment_is_not_repeated(tmp_path: Path) -> None:
    environ = {"PEERCIRCLE_BOT__REMINDERS": '["sk_live_secretish"]'}
    [problem] = _problems(tmp_path, _config('weekday = "tuesday"'), environ)
    assert problem.path == "PEERCIRCLE_BOT__REMINDERS (bot.reminders[0])"
    assert "sk_live_secretish" not in str(problem)
    assert "is not a time before the meeting" in problem.message


def test_a_never_meeting_rule_is_refused_quickly(tmp_path: Path) -> None:
    """dateutil would look for a meeting up to the year 9999; the check must not."""
    started = datetime.datetime.now()
    _problems(tmp_path, _config('rrule = "FREQ=DAILY;BYMONTH=4;BYMONTHDAY=31"'))
    assert datetime.datetime.now() - started < datetime.timedelta(seconds=1)
