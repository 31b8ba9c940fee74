"""The log's two formats, and what neither ever shows: a secret, an exception's message."""

from __future__ import annotations

import io
import json
import logging
from collections.abc import Iterator
from contextlib import contextmanager

from bot.config.logs import LoggingSection
from bot.logs import HIDDEN, JsonFormatter, TextFormatter, configure_logging

SECRET = "7000000001:AAPlantedTokenZZ0123456789abcdefghijk"


def _record(message: str, *args: object, error: BaseException | None = None) -> logging.LogRecord:
    exc_info = None
    if error is not None:
        try:
            raise error
        except BaseException as raised:
            exc_info = (type(raised), raised, raised.__traceback__)
    return logging.LogRecord("bot.test", logging.ERROR, __file__, 1, message, args, exc_info)


def test_text_lines_hide_secrets_and_exception_messages() -> None:
    formatter = TextFormatter([SECRET])
    record = _record("request to /bot%s/getMe", SECRET, error=ValueError("member said: hello"))

    line = formatter.format(record)

    assert SECRET not in line
    assert f"/bot{HIDDEN}/getMe" in line
    assert "ValueError at test_logs.py" in line
    assert "member said" not in line
    assert " ERROR bot.test: " in line


def test_json_lines_are_one_object_each_with_the_same_guarantees() -> None:
    formatter = JsonFormatter([SECRET])
    record = _record("token %s in a message", SECRET, error=KeyError("a note"))

    line = formatter.format(record)

    entry = json.loads(line)
    assert "\n" not in line
    assert entry["level"] == "ERROR"
    assert entry["logger"] == "bot.test"
    assert entry["message"] == f"token {HIDDEN} in a message"
    assert entry["exception"].startswith("KeyError at test_logs.py")
    assert "a note" not in line
    assert entry["time"].endswith("Z")


@contextmanager
def bare_root() -> Iterator[logging.Logger]:
    """The root logger without pytest's capture handlers (added for each test phase, so
    taken away inside the test), restored afterwards."""
    root = logging.getLogger()
    saved, level = list(root.handlers), root.level
    libraries = {name: logging.getLogger(name).level for name in ("aiosqlite", "httpx")}
    root.handlers.clear()
    yield root
    root.handlers[:] = saved
    root.setLevel(level)
    for name, old in libraries.items():
        logging.getLogger(name).setLevel(old)


def test_configure_logging_takes_the_format_and_level_and_holds_libraries_back() -> None:
    stream = io.StringIO()
    section = LoggingSection(format="json", level="debug")

    with bare_root() as root:
        configure_logging(section, logging.WARNING, secrets=[SECRET], stream=stream)
        logging.getLogger("bot.test").debug("hello %s", SECRET)
        logging.getLogger("aiosqlite").debug("executing %s", "a note")
        level, httpx = root.level, logging.getLogger("httpx").level

    [line] = stream.getvalue().splitlines()
    assert json.loads(line)["message"] == f"hello {HIDDEN}"
    assert level == logging.DEBUG
    assert httpx == logging.WARNING


def test_without_a_level_the_commands_default_is_used() -> None:
    with bare_root() as root:
        configure_logging(LoggingSection(), logging.INFO, stream=io.StringIO())
        level, formatter = root.level, root.handlers[0].formatter

    assert level == logging.INFO
    assert isinstance(formatter, TextFormatter)
