"""Tests for the bot.config package: loading, validation, problems and reports."""

from __future__ import annotations

import datetime
import json
import re
from pathlib import Path

import pytest
from pydantic import SecretStr, ValidationError

from bot.config import (
    MAX_CONFIG_BYTES,
    ConfigError,
    ConfigProblem,
    GroupConfig,
    Settings,
    format_problems,
    load_settings,
    parse_member_ref,
    summarize,
)
from bot.config.names import look_alike_keys

EXAMPLE = Path(__file__).parents[2] / "config.example.toml"
TOKEN = "123456:SUPER-secret-token-value"
BOT_TOKEN = "7000000001:AAHdqTcvCH1vGWJxfSeofSAs0K5PALDsaw"  # shaped like a real one

# A small valid config; the line numbers matter to the cases below.
BASE = """\
organizers = ["console:organizer"]

[bot]
name = "Test Circle"
timezone = "Europe/London"

[[groups]]
slug = "tuesday-recovery"
name = "Tuesday Recovery Circle"
capacity = 12
facilitators = ["console:sam"]

[groups.schedule]
frequency = "weekly"
weekday = "tuesday"
time = "19:00"
"""

SCHEDULE = {"weekday": "monday", "time": "10:00"}

SECOND_GROUP = """
[[groups]]
slug = "tuesday-recovery"
name = "Another"
capacity = 5

[groups.schedule]
weekday = "monday"
time = "10:00"
"""


def _other_group(name: str, slug: str = "monday-group") -> str:
    """A valid second group (its name is on line 20 after BASE)."""
    return SECOND_GROUP.replace('"tuesday-recovery"', f'"{slug}"').replace('"Another"', f'"{name}"')


def _write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "config.toml"
    path.write_text(text, encoding="utf-8")
    return path


def _problems(
    tmp_path: Path, text: str, environ: dict[str, str] | None = None
) -> list[ConfigProblem]:
    with pytest.raises(ConfigError) as caught:
        load_settings(_write(tmp_path, text), environ=environ or {})
    return caught.value.problems


def _describe(group: GroupConfig) -> str:
    return f"{group.schedule.frequency} on {group.schedule.weekday}"


# --- the example --------------------------------------------------------------


def test_example_config_loads() -> None:
    settings = load_settings(EXAMPLE, environ={})
    assert [g.slug for g in settings.groups] == ["tuesday-recovery", "carers-circle", "youth-space"]
    assert settings.bot.timezone == "Europe/London"
    assert all(g.timezone == "Europe/London" for g in settings.groups)
    assert settings.groups[1].schedule.starts == datetime.date(2026, 1, 8)
    assert settings.groups[0].schedule.time == datetime.time(19, 0)
    assert settings.config_dir == EXAMPLE.parent.resolve()
    assert not settings.telegram.enabled
    assert settings.telegram.token is None


def test_base_config_is_valid(tmp_path: Path) -> None:
    settings = load_settings(_write(tmp_path, BASE), environ={})
    assert settings.groups[0].schedule.weekday == "tuesday"
    assert settings.storage.url == "sqlite:///data/peercircle.sqlite3"


# --- broken configs -------------------------------------------------------------

BROKEN: list[tuple[str, str, str, int | None]] = [
    # (id, text, expected path, expected line)
    ("unknown-top-level", BASE.replace("organizers =", "organisers ="), "organisers", 1),
    ("unknown-group-key", BASE.replace("capacity = 12", "capasity = 12"), "groups[0].capasity", 10),
    ("missing-capacity", BASE.replace("capacity = 12\n", ""), "groups[0].capacity", 7),
    (
        "schedule-key-typo",
        BASE.replace('weekday = "tuesday"', 'wekday = "tuesday"'),
        "groups[0].schedule.wekday",
        15,
    ),
    ("capacity-zero", BASE.replace("capacity = 12", "capacity = 0"), "groups[0].capacity", 10),
    (
        "capacity-text",
        BASE.replace("capacity = 12", 'capacity = "twelve"'),
        "groups[0].capacity",
        10,
    ),
    ("capacity-huge", BASE.replace("capacity = 12", "capacity = 501"), "groups[0].capacity", 10),
    ("bad-timezone", BASE.replace("Europe/London", "Mars/Olympus"), "bot.timezone", 5),
    ("localtime", BASE.replace("Europe/London", "localtime"), "bot.timezone", 5),
    ("factory-zone", BASE.replace("Europe/London", "Factory"), "bot.timezone", 5),
    ("posixrules", BASE.replace("Europe/London", "posixrules"), "bot.timezone", 5),
    ("right-zone", BASE.replace("Europe/London", "right/Europe/London"), "bot.timezone", 5),
    (
        "posix-group-zone",
        BASE.replace("capacity = 12\n", 'capacity = 12\ntimezone = "posix/Europe/Dublin"\n'),
        "groups[0].timezone",
        11,
    ),
    (
        "bad-group-timezone",
        BASE.replace("capacity = 12\n", 'capacity = 12\ntimezone = "Europe/Londres"\n'),
        "groups[0].timezone",
        11,
    ),
    (
        "bad-weekday",
        BASE.replace('weekday = "tuesday"', 'weekday = "funday"'),
        "groups[0].schedule.weekday",
        15,
    ),
    (
        "bad-time",
        BASE.replace('time = "19:00"', 'time = "25:00"'),
        "groups[0].schedule.time",
        16,
    ),
    (
        "fortnightly-without-starts",
        BASE.replace('"weekly"', '"fortnightly"'),
        "groups[0].schedule.starts",
        13,
    ),
    (
        "starts-not-on-weekday",
        BASE.replace('"weekly"', '"fortnightly"') + "starts = 2026-01-08\n",
        "groups[0].schedule.starts",
        17,
    ),
    (
        "monthly-without-week",
        BASE.replace('"weekly"', '"monthly"'),
        "groups[0].schedule.week_of_month",
        13,
    ),
    (
        "week-of-month-on-weekly",
        BASE + "week_of_month = 2\n",
        "groups[0].schedule.week_of_month",
        17,
    ),
    (
        "inline-schedule-typo",
        BASE.split("[groups.schedule]")[0]
        + 'schedule = { weekday = "tuesday", time = "19:00", lenght = 90 }\n',
        "groups[0].schedule.lenght",
        13,
    ),
    ("duplicate-slug", BASE + SECOND_GROUP, "groups[1].slug", 19),
    (
        "duplicate-slug-beside-another-error",
        BASE + SECOND_GROUP.replace("capacity = 5", "capacity = 0"),
        "groups[1].slug",
        19,
    ),
    (
        "look-alike-slug",
        BASE + _other_group("Monday Group", "tuesdayrecovery"),
        "groups[1].slug",
        19,
    ),
    ("same-name", BASE + _other_group("Tuesday Recovery Circle"), "groups[1].name", 20),
    ("name-case-spacing", BASE + _other_group("tuesday  RECOVERY-circle!"), "groups[1].name", 20),
    ("cyrillic-a-name", BASE + _other_group("Tuesd\u0430y Recovery Circle"), "groups[1].name", 20),
    ("greek-o-name", BASE + _other_group("Tuesday Rec\u03bfvery Circle"), "groups[1].name", 20),
    ("fullwidth-name", BASE + _other_group("\uff34uesday Recovery Circle"), "groups[1].name", 20),
    ("name-is-a-slug", BASE + _other_group("Tuesday Recovery"), "groups[1].name", 20),
    (
        "bad-slug",
        BASE.replace('"tuesday-recovery"', '"Tuesday Group"'),
        "groups[0].slug",
        8,
    ),
    (
        "bad-facilitator",
        BASE.replace('["console:sam"]', '["bob"]'),
        "groups[0].facilitators[0]",
        11,
    ),
    (
        "bad-organizer",
        BASE.replace('["console:organizer"]', '["telegram:abc"]'),
        "organizers[0]",
        1,
    ),
    (
        "token-in-file",
        BASE + f'\n[telegram]\nenabled = false\ntoken = "{TOKEN}"\n',
        "telegram.token",
        20,
    ),
    ("telegram-without-token", BASE + "\n[telegram]\nenabled = true\n", "telegram.token", 18),
    ("discord-without-token", BASE + "\n[discord]\nenabled = true\n", "discord.token", 18),
    ("language", BASE.replace('name = "Test Circle"', 'language = "xx"'), "bot.language", 4),
    ("country", BASE.replace('name = "Test Circle"', 'country = "GBR"'), "bot.country", 4),
    (
        "postgres-password-in-file",
        BASE + '\n[storage]\nurl = "postgresql://pc:hunter2@db.example/peercircle"\n',
        "storage.url",
        19,
    ),
    ("other-url", BASE + '\n[storage]\nurl = "mysql://db/x"\n', "storage.url", 19),
    (
        "too-few-respondents",
        BASE + "\n[checkins]\nmin_respondents = 2\n",
        "checkins.min_respondents",
        19,
    ),
    ("bad-console-user", BASE + '\n[console]\nuser = "sam smith"\n', "console.user", 19),
    ("toml-syntax", BASE.replace("capacity = 12", "capacity = "), "<toml>", 10),
    (
        "discord-channel-without-guild",
        BASE.replace("capacity = 12\n", "capacity = 12\ndiscord_channel_id = 223456789012345678\n"),
        "groups[0].discord_channel_id",
        11,
    ),
    ("over-8-mb", BASE + "# padding\n" * 840_000, "<file>", None),
    (
        "removed-bot-username",
        BASE + '\n[telegram]\nbot_username = "PeerCircleBot"\n',
        "telegram.bot_username",
        19,
    ),
    (
        "telegram-base-url-not-web",
        BASE + '\n[telegram]\nbase_url = "ftp://files.example/bot"\n',
        "telegram.base_url",
        19,
    ),
    (
        "telegram-base-file-url-no-host",
        BASE + '\n[telegram]\nbase_file_url = "https:///file/bot"\n',
        "telegram.base_file_url",
        19,
    ),
    (
        "telegram-base-url-with-query",
        BASE + '\n[telegram]\nbase_url = "https://api.example/bot?x=1"\n',
        "telegram.base_url",
        19,
    ),
    (
        "telegram-token-in-base-url",
        BASE + f'\n[telegram]\nbase_url = "https://api.telegram.org/bot{BOT_TOKEN}"\n',
        "telegram.base_url",
        19,
    ),
    (
        "removed-application-id",
        BASE + "\n[discord]\napplication_id = 123456789012345678\n",
        "discord.application_id",
        19,
    ),
]


@pytest.mark.parametrize(
    ("text", "path", "line"),
    [case[1:] for case in BROKEN],
    ids=[case[0] for case in BROKEN],
)
def test_broken_config_is_reported_precisely(
    tmp_path: Path, text: str, path: str, line: int | None
) -> None:
    problems = _problems(tmp_path, text)
    matching = [p for p in problems if p.path == path]
    assert matching, f"no problem at {path}: {[str(p) for p in problems]}"
    assert matching[0].line == line
    for problem in problems:
        assert "pydantic" not in problem.message
        if not problem.path.startswith("telegram.base"):  # those explain web addresses
            assert "http" not in problem.message
        assert TOKEN not in str(problem)
        assert BOT_TOKEN not in str(problem)


def test_messages_are_plain_english(tmp_path: Path) -> None:
    text = BASE.replace("capacity = 12", "capasity = 0")
    by_path = {p.path: p.message for p in _problems(tmp_path, text)}
    assert by_path["groups[0].capasity"] == "unknown setting (check the spelling)"
    assert by_path["groups[0].capacity"] == "required setting is missing"
    zero = _problems(tmp_path, BASE.replace("capacity = 12", "capacity = 0"))
    assert str(zero[0]) == "groups[0].capacity (line 10): must be at least 1"


def test_specific_messages(tmp_path: Path) -> None:
    postgres = BASE + '\n[storage]\nurl = "postgres://pc:hunter2@db/x"\n'
    [problem] = _problems(tmp_path, postgres)
    assert problem.message == (
        "a database password does not belong in the config file; leave it out here and "
        "set PGPASSWORD in the environment, or put the whole address in "
        "PEERCIRCLE_STORAGE__URL instead"
    )
    assert "hunter2" not in str(problem)
    no_database = _problems(tmp_path, BASE + '\n[storage]\nurl = "postgresql://db:5432"\n')
    assert "no database" in no_database[0].message
    telegram = _problems(tmp_path, BASE + "\n[telegram]\nenabled = true\n")
    assert telegram[0].message == "set PEERCIRCLE_TELEGRAM__TOKEN in the environment"
    in_file = _problems(tmp_path, BASE + f'\n[discord]\ntoken = "{TOKEN}"\n')
    assert in_file[0].message == (
        "secrets do not belong in the config file; "
        "set PEERCIRCLE_DISCORD__TOKEN in the environment instead"
    )
    language = _problems(tmp_path, BASE.replace('name = "Test Circle"', 'language = "xx"'))
    assert "en" in language[0].message
    assert "3" in _problems(tmp_path, BASE + "\n[checkins]\nmin_respondents = 1\n")[0].message


def test_telegram_addresses_and_admin_grant(tmp_path: Path) -> None:
    defaults = load_settings(_write(tmp_path, BASE), environ={}).telegram
    assert defaults.base_url == "https://api.telegram.org/bot"
    assert defaults.base_file_url == "https://api.telegram.org/file/bot"
    assert defaults.admins_are_facilitators is False

    local = BASE + (
        '\n[telegram]\nbase_url = "http://127.0.0.1:8081/bot"\n'
        'base_file_url = "http://127.0.0.1:8081/file/bot"\nadmins_are_facilitators = true\n'
    )
    settings = load_settings(_write(tmp_path, local), environ={}).telegram
    assert settings.base_url == "http://127.0.0.1:8081/bot"
    assert settings.base_file_url == "http://127.0.0.1:8081/file/bot"
    assert settings.admins_are_facilitators is True


def test_telegram_address_messages_never_repeat_the_value(tmp_path: Path) -> None:
    [not_web] = _problems(tmp_path, BASE + '\n[telegram]\nbase_url = "api.telegram.org/bot"\n')
    assert not_web.message.startswith("must be a web address: write it in full")
    assert 'api.telegram.org/bot"' not in not_web.message
    with_token = BASE + f'\n[telegram]\nbase_url = "https://api.telegram.org/bot{BOT_TOKEN}"\n'
    [pasted] = _problems(tmp_path, with_token)
    assert pasted.message == (
        "seems to contain a bot token; leave it out: the token goes only in "
        "PEERCIRCLE_TELEGRAM__TOKEN"
    )
    environ = {"PEERCIRCLE_TELEGRAM__BASE_URL": f"https://x.example/bot{BOT_TOKEN}"}
    [from_env] = _problems(tmp_path, BASE, environ)
    assert from_env.path == "PEERCIRCLE_TELEGRAM__BASE_URL"
    assert BOT_TOKEN not in str(from_env)


@pytest.mark.parametrize("weekday", ['"funday"', "3", '"Tues"'])
def test_weekday_message(tmp_path: Path, weekday: str) -> None:
    text = BASE.replace('weekday = "tuesday"', f"weekday = {weekday}")
    (problem,) = _problems(tmp_path, text)
    assert str(problem) == (
        'groups[0].schedule.weekday (line 15): must be a day of the week, like "tuesday"'
    )


def test_token_in_file_is_an_error_even_with_env(tmp_path: Path) -> None:
    text = BASE + f'\n[telegram]\nenabled = true\ntoken = "{TOKEN}"\n'
    with pytest.raises(ConfigError) as caught:
        load_settings(_write(tmp_path, text), environ={"PEERCIRCLE_TELEGRAM__TOKEN": "env"})
    assert [p.path for p in caught.value.problems] == ["telegram.token"]
    assert TOKEN not in str(caught.value)


def test_a_secret_in_the_file_is_reported_beside_every_other_problem(tmp_path: Path) -> None:
    text = BASE.replace("capacity = 12", "capacity = 0") + f'\n[discord]\ntoken = "{TOKEN}"\n'
    problems = _problems(tmp_path, text, {"PEERCIRCLE_BOT__COUNTRY": "not a country"})
    assert [p.path for p in problems] == [
        "groups[0].capacity",
        "discord.token",
        "PEERCIRCLE_BOT__COUNTRY",
    ]
    assert TOKEN not in " ".join(str(p) for p in problems)


def test_toml_syntax_error(tmp_path: Path) -> None:
    (problem,) = _problems(tmp_path, BASE.replace('name = "Test Circle"', 'name = "Test'))
    assert problem.path == "<toml>"
    assert problem.line == 4
    assert str(problem).startswith("<toml> (line 4): this is not valid TOML")


def test_missing_file(tmp_path: Path) -> None:
    missing = tmp_path / "nope.toml"
    with pytest.raises(ConfigError) as caught:
        load_settings(missing, environ={})
    (problem,) = caught.value.problems
    assert problem.path == "<file>"
    assert problem.message == f"no config file at {missing}"
    assert str(problem) == f"<file>: no config file at {missing}"


def test_a_file_over_8_mb_is_refused_before_parsing(tmp_path: Path) -> None:
    # Not even TOML: the size is checked first, so a wrong file is never parsed.
    path = tmp_path / "big.toml"
    path.write_bytes(b"\x00" * (MAX_CONFIG_BYTES + 1))
    with pytest.raises(ConfigError) as caught:
        load_settings(path, environ={})
    (problem,) = caught.value.problems
    assert str(problem) == (
        f"<file>: {path} is larger than 8 MB, far more than any PeerCircle config needs; "
        "check that this is the right file"
    )


def test_a_file_of_exactly_8_mb_still_loads(tmp_path: Path) -> None:
    padding = MAX_CONFIG_BYTES - len(BASE.encode("utf-8"))
    text = BASE + "#" * (padding - 1) + "\n"
    assert len(text.encode("utf-8")) == MAX_CONFIG_BYTES
    settings = load_settings(_write(tmp_path, text), environ={})
    assert settings.groups[0].slug == "tuesday-recovery"


def test_windows_line_endings_keep_line_numbers(tmp_path: Path) -> None:
    text = BASE.replace("capacity = 12", "capacity = 0").replace("\n", "\r\n")
    (problem,) = _problems(tmp_path, text)
    assert str(problem) == "groups[0].capacity (line 10): must be at least 1"


def test_discord_channel_with_its_guild_loads(tmp_path: Path) -> None:
    ids = "discord_guild_id = 123456789012345678\ndiscord_channel_id = 223456789012345678\n"
    text = BASE.replace("capacity = 12\n", f"capacity = 12\n{ids}telegram_chat_id = -1001\n")
    group = load_settings(_write(tmp_path, text), environ={}).groups[0]
    assert (group.discord_guild_id, group.discord_channel_id) == (
        123456789012345678,
        223456789012345678,
    )
    assert group.telegram_chat_id == -1001


def test_an_invalid_guild_is_reported_once(tmp_path: Path) -> None:
    ids = 'discord_guild_id = "abc"\ndiscord_channel_id = 223456789012345678\n'
    problems = _problems(tmp_path, BASE.replace("capacity = 12\n", f"capacity = 12\n{ids}"))
    assert [p.path for p in problems] == ["groups[0].discord_guild_id"]


# --- groups people can tell apart ------------------------------------------------


def test_a_look_alike_name_names_both_groups(tmp_path: Path) -> None:
    (problem,) = _problems(tmp_path, BASE + _other_group("Tuesd\u0430y Recovery Circle"))
    assert str(problem) == (
        'groups[1].name (line 20): "Tuesd\u0430y Recovery Circle" looks the same as '
        'groups[0].name "Tuesday Recovery Circle"; give each group a name people can tell apart'
    )


def test_a_name_that_reads_as_another_groups_slug(tmp_path: Path) -> None:
    text = BASE.replace('"Tuesday Recovery Circle"', '"Monday Group"') + _other_group(
        "Tuesday Recovery", slug="tuesday-group"
    )
    (problem,) = _problems(tmp_path, text)
    assert str(problem) == (
        'groups[1].name (line 20): "Tuesday Recovery" looks the same as '
        'groups[0].slug "tuesday-recovery"; give each group a name people can tell apart'
    )


def test_a_duplicate_slug_is_reported_beside_other_problems(tmp_path: Path) -> None:
    text = BASE + SECOND_GROUP.replace("capacity = 5", "capacity = 0").replace(
        'weekday = "monday"', 'weekday = "funday"'
    )
    paths = [p.path for p in _problems(tmp_path, text)]
    assert paths == ["groups[1].slug", "groups[1].capacity", "groups[1].schedule.weekday"]


def test_look_alike_names_from_the_environment_are_named_without_values(tmp_path: Path) -> None:
    groups = [
        {"slug": "a-group", "name": SECRET, "capacity": 3, "schedule": SCHEDULE},
        {"slug": "b-group", "name": SECRET.upper(), "capacity": 3, "schedule": SCHEDULE},
    ]
    environ = {"PEERCIRCLE_GROUPS": json.dumps(groups)}
    (problem,) = _problems(tmp_path, BASE, environ)
    assert str(problem) == (
        "PEERCIRCLE_GROUPS (groups[1].name): looks the same as groups[0].name; "
        "give each group a name people can tell apart"
    )


@pytest.mark.parametrize(
    "variant",
    [
        "Youth Space",
        "youth space",
        "YOUTH SPACE",
        "Youth-Space",
        "Youth  Space.",
        "YouthSpace",
        "Y\u043euth Space",  # Cyrillic o
        "Y\u03bfuth Space",  # Greek omicron
        "\uff39\uff4f\uff55\uff54\uff48 \uff33\uff50\uff41\uff43\uff45",  # fullwidth
        "You\u200bth Space",  # zero-width space
        "Youth Spac\u0435",  # Cyrillic ie
        "youth-space",  # the slug
    ],
)
def test_look_alike_keys_match(variant: str) -> None:
    assert look_alike_keys(variant) & look_alike_keys("Youth Space")


@pytest.mark.parametrize(
    ("one", "other"),
    [
        ("Youth Space", "Youth Place"),
        ("Tuesday Recovery Circle", "Thursday Recovery Circle"),
        ("Youth Space (16–25)", "Youth Space (26–35)"),
        ("Group 1", "Group 2"),
        ("Carers' Circle", "Youth Space (16–25)"),
    ],
)
def test_different_names_are_told_apart(one: str, other: str) -> None:
    assert not look_alike_keys(one) & look_alike_keys(other)


def test_direct_construction_refuses_look_alike_groups() -> None:
    group = {"slug": "a-group", "name": "Youth Space", "capacity": 3, "schedule": SCHEDULE}
    twin = {**group, "slug": "b-group", "name": "Youth Spac\u0435"}
    with pytest.raises(ValidationError, match="looks the same as groups"):
        Settings(groups=[group, twin])


# --- normalisation --------------------------------------------------------------


def test_values_are_normalised(tmp_path: Path) -> None:
    text = (
        BASE.replace('name = "Test Circle"', 'country = "ie"')
        .replace('"tuesday"', '"TUESDAY"')
        .replace('"19:00"', "19:00:00")
    )
    settings = load_settings(_write(tmp_path, text), environ={})
    assert settings.bot.country == "IE"
    assert settings.groups[0].schedule.weekday == "tuesday"
    assert settings.groups[0].schedule.time == datetime.time(19, 0)


def test_group_timezone_defaults_to_bot_timezone(tmp_path: Path) -> None:
    text = BASE.replace("capacity = 12\n", 'capacity = 12\ntimezone = "Europe/Dublin"\n')
    path = _write(tmp_path, text + SECOND_GROUP.replace("tuesday-", ""))
    settings = load_settings(path, environ={})
    assert [g.timezone for g in settings.groups] == ["Europe/Dublin", "Europe/London"]


def test_monthly_last_week(tmp_path: Path) -> None:
    text = BASE.replace('"weekly"', '"monthly"') + "week_of_month = -1\n"
    settings = load_settings(_write(tmp_path, text), environ={})
    assert settings.groups[0].schedule.week_of_month == -1


@pytest.mark.parametrize(
    ("ref", "expected"),
    [
        ("telegram:100200300", ("telegram", "100200300")),
        ("discord:123456789012345678", ("discord", "123456789012345678")),
        ("console:sam.smith-2", ("console", "sam.smith-2")),
    ],
)
def test_parse_member_ref(ref: str, expected: tuple[str, str]) -> None:
    assert parse_member_ref(ref) == expected


@pytest.mark.parametrize(
    "ref", ["bob", "telegram:abc", "telegram:0", "discord:123", "console:", "slack:1", ":1"]
)
def test_parse_member_ref_rejects(ref: str) -> None:
    with pytest.raises(ValueError, match=re.escape(repr(ref))):
        parse_member_ref(ref)


# --- environment and secrets --------------------------------------------------


def test_secrets_come_from_environ_and_stay_hidden(tmp_path: Path) -> None:
    text = BASE + "\n[telegram]\nenabled = true\n\n[discord]\nenabled = true\n"
    environ = {
        "PEERCIRCLE_TELEGRAM__TOKEN": TOKEN,
        "PEERCIRCLE_DISCORD__TOKEN": TOKEN + "-d",
        "PEERCIRCLE_CHECKINS__HMAC_KEY": TOKEN + "-k",
    }
    settings = load_settings(_write(tmp_path, text), environ=environ)
    assert isinstance(settings.telegram.token, SecretStr)
    assert settings.telegram.token.get_secret_value() == TOKEN
    assert settings.discord.token is not None
    assert settings.discord.token.get_secret_value() == TOKEN + "-d"
    assert settings.checkins.hmac_key is not None
    for rendered in (
        str(settings),
        repr(settings),
        repr(settings.telegram),
        str(settings.checkins),
    ):
        assert TOKEN not in rendered
    assert TOKEN not in summarize(settings, _describe)


def test_environ_overrides_the_file(tmp_path: Path) -> None:
    environ = {"PEERCIRCLE_BOT__NAME": "From Env", "PEERCIRCLE_CHECKINS__MIN_RESPONDENTS": "7"}
    settings = load_settings(_write(tmp_path, BASE), environ=environ)
    assert settings.bot.name == "From Env"
    assert settings.checkins.min_respondents == 7


SECRET = "sk_live_4eC39HqLyjWDarjtT1zdp7dc"  # looks like a real key; must never be shown


def test_bad_env_value_names_the_variable_not_the_value_nor_a_line(tmp_path: Path) -> None:
    environ = {"PEERCIRCLE_BOT__TIMEZONE": SECRET}
    (problem,) = _problems(tmp_path, BASE, environ)  # BASE sets bot.timezone on line 5
    assert str(problem) == (
        "PEERCIRCLE_BOT__TIMEZONE: is not a time zone I recognise; use an IANA name "
        "such as Europe/London or America/New_York"
    )
    assert problem.line is None


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("PEERCIRCLE_BOT__TIMEZONE", f"Europe/{SECRET}"),
        ("PEERCIRCLE_BOT__LANGUAGE", SECRET),
        ("PEERCIRCLE_BOT__COUNTRY", SECRET),
        ("PEERCIRCLE_BOT__NAME", SECRET * 3),
        ("PEERCIRCLE_CHECKINS__MIN_RESPONDENTS", SECRET),
        ("PEERCIRCLE_STORAGE__URL", f"sqlite:{SECRET}"),
        ("PEERCIRCLE_STORAGE__URL", f"postgresql://admin:{SECRET}@db:port/x"),
        ("PEERCIRCLE_CONSOLE__USER", f"{SECRET} x"),
        ("PEERCIRCLE_ORGANIZERS", f'["telegram:{SECRET}"]'),
        ("PEERCIRCLE_ORGANIZERS", SECRET),
        ("PEERCIRCLE_BOT", SECRET),
        ("PEERCIRCLE_BOT__TIMEZON", SECRET),
        ("peercircle_bot__timezone", SECRET),
    ],
)
def test_no_env_problem_shows_the_value(tmp_path: Path, name: str, value: str) -> None:
    problems = _problems(tmp_path, BASE, {name: value})
    assert problems, "the bad value was accepted"
    for problem in problems:
        assert problem.path.startswith(name), str(problem)
        assert problem.line is None
        assert SECRET not in str(problem)


def test_env_problem_below_the_variable_names_the_setting_too(tmp_path: Path) -> None:
    environ = {"PEERCIRCLE_ORGANIZERS": '["console:sam", "telegram:abc"]'}
    (problem,) = _problems(tmp_path, BASE, environ)
    assert problem.path == "PEERCIRCLE_ORGANIZERS (organizers[1])"
    assert problem.message.startswith("is not a Telegram user id")
    assert "abc" not in str(problem)


def test_file_and_env_problems_are_reported_together(tmp_path: Path) -> None:
    text = BASE.replace("capacity = 12", "capacity = 0")
    environ = {"PEERCIRCLE_BOT__NAME": "", "PEERCIRCLE_ORGANIZERS": "[oops"}
    problems = [str(p) for p in _problems(tmp_path, text, environ)]
    assert problems == [
        "groups[0].capacity (line 10): must be at least 1",
        "PEERCIRCLE_ORGANIZERS: could not be read; a list or a whole section set in the "
        'environment is written as JSON, like ["console:sam"]',
        "PEERCIRCLE_BOT__NAME: must not be empty",
    ]


@pytest.mark.parametrize(
    ("zone", "says"),
    [
        ("localtime", "whatever zone this computer is set to"),
        ("Factory", "a placeholder, not a real time zone"),
        ("posixrules", "not a time zone"),
        ("right/Europe/London", 'without "right/" or "posix/"'),
        ("posix/Europe/London", 'without "right/" or "posix/"'),
        ("Right/UTC", 'without "right/" or "posix/"'),
    ],
)
def test_zones_zoneinfo_loads_but_no_group_meets_in(tmp_path: Path, zone: str, says: str) -> None:
    (problem,) = _problems(tmp_path, BASE.replace("Europe/London", zone))
    assert problem.path == "bot.timezone"
    assert says in problem.message
    assert "Europe/London" in problem.message  # what to write instead


@pytest.mark.parametrize("zone", ["UTC", "Etc/UTC", "America/New_York", "Asia/Kolkata"])
def test_real_zones_are_accepted(tmp_path: Path, zone: str) -> None:
    settings = load_settings(_write(tmp_path, BASE.replace("Europe/London", zone)), environ={})
    assert settings.bot.timezone == zone


def test_a_section_from_the_environment_leaves_the_files_keys_to_the_file(
    tmp_path: Path,
) -> None:
    text = BASE.replace("Europe/London", "Mars/Olympus")
    (problem,) = _problems(tmp_path, text, {"PEERCIRCLE_BOT": '{"name": "From Env"}'})
    assert problem.path == "bot.timezone"
    assert problem.line == 5


def test_file_values_are_still_quoted(tmp_path: Path) -> None:
    (problem,) = _problems(tmp_path, BASE.replace("Europe/London", "Mars/Olympus"))
    assert str(problem) == (
        "bot.timezone (line 5): 'Mars/Olympus' is not a time zone I recognise; "
        "use an IANA name such as Europe/London or America/New_York"
    )


def test_os_environ_is_not_read_when_environ_given(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("PEERCIRCLE_TELEGRAM__TOKEN", TOKEN)
    monkeypatch.setenv("PEERCIRCLE_BOT__NAME", "Leaked")
    settings = load_settings(_write(tmp_path, BASE), environ={})
    assert settings.telegram.token is None
    assert settings.bot.name == "Test Circle"


def test_os_environ_is_the_default(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PEERCIRCLE_TELEGRAM__TOKEN", TOKEN)
    settings = load_settings(_write(tmp_path, BASE))
    assert settings.telegram.token is not None


# --- paths ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("sqlite:///data/x.sqlite3", "RELATIVE"),
        ("sqlite:////srv/peercircle/x.sqlite3", "/srv/peercircle/x.sqlite3"),
        ("sqlite:///:memory:", None),
    ],
)
def test_sqlite_path(tmp_path: Path, url: str, expected: str | None) -> None:
    config_dir = tmp_path / "conf"
    config_dir.mkdir()
    path = config_dir / "config.toml"
    path.write_text(BASE + f'\n[storage]\nurl = "{url}"\n', encoding="utf-8")
    settings = load_settings(path, environ={})
    if expected == "RELATIVE":
        assert settings.sqlite_path() == config_dir.resolve() / "data" / "x.sqlite3"
    else:
        assert settings.sqlite_path() == (Path(expected) if expected else None)


def test_direct_construction_uses_defaults_and_ignores_os_environ(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("PEERCIRCLE_TELEGRAM__TOKEN", TOKEN)
    settings = Settings()
    assert settings.telegram.token is None
    assert settings.config_dir == Path.cwd()
    assert settings.sqlite_path() == Path.cwd() / "data" / "peercircle.sqlite3"


# --- reports --------------------------------------------------------------------


def test_summarize_mentions_each_group_and_no_token() -> None:
    settings = load_settings(
        EXAMPLE,
        environ={"PEERCIRCLE_TELEGRAM__TOKEN": TOKEN, "PEERCIRCLE_DISCORD__TOKEN": TOKEN},
    )
    text = summarize(settings, _describe)
    for group in settings.groups:
        assert group.name in text
        assert group.slug in text
        assert _describe(group) in text
    assert "12 seats" in text
    assert "console:sam" in text
    assert "token set" in text
    assert TOKEN not in text
    assert len(text.splitlines()) <= 40


def test_format_problems(tmp_path: Path) -> None:
    path = _write(tmp_path, BASE.replace("capacity = 12", "capacity = 0"))
    with pytest.raises(ConfigError) as caught:
        load_settings(path, environ={})
    report = format_problems(caught.value, path)
    lines = report.splitlines()
    assert lines[0] == f"{path} has 1 problem:"
    assert "groups[0].capacity (line 10): must be at least 1" in lines[1]
    assert len(lines) == 3
    assert lines[2].startswith("Fix these in the file (config.example.toml")


def test_format_problems_points_at_the_environment_too(tmp_path: Path) -> None:
    path = _write(tmp_path, BASE)
    with pytest.raises(ConfigError) as caught:
        load_settings(path, environ={"PEERCIRCLE_BOT__TIMEZONE": SECRET})
    report = format_problems(caught.value, path)
    assert report.splitlines()[-1].startswith("Fix these in the file or the environment")
    assert SECRET not in report
