"""Text an organizer writes that the bot shows as written (the bot's and the groups'
names, a group's place and description) holds no control characters: the fuzzing found
a group name with a line break breaking /calendar."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.config import ConfigError, load_settings
from bot.text import has_control_characters
from tests.harness import HARNESS_ENVIRON, Harness, person, write_config

NAME = 'name = "Tuesday Circle"'
DESCRIPTION = 'description = "A weekly circle."'


def _config(tmp_path: Path, old: str, new: str) -> Path:
    path = write_config(tmp_path)
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new, 1), encoding="utf-8")
    return path


@pytest.mark.parametrize(
    ("old", "new", "where"),
    [
        (NAME, r'name = "Tuesday\nEXDATE:20260101"', "groups[0].name (line 19)"),
        (NAME, r'name = "Tuesday\tCircle"', "groups[0].name (line 19)"),
        (NAME, r'name = "\u001b[31mTuesday"', "groups[0].name (line 19)"),
        (NAME, r'name = "Tuesday \u202eelcriC"', "groups[0].name (line 19)"),
        ('location = "Riverside Library"', r'location = "Room\n4"', "groups[1].location"),
        (DESCRIPTION, r'description = "A weekly\u0007 circle."', "groups[0].description"),
        ('name = "PeerCircle"', r'name = "Peer\nCircle"', "bot.name (line 5)"),
    ],
)
def test_control_characters_in_shown_text_are_refused(
    tmp_path: Path, old: str, new: str, where: str
) -> None:
    with pytest.raises(ConfigError) as refused:
        load_settings(_config(tmp_path, old, new), environ=HARNESS_ENVIRON)

    [problem] = refused.value.problems
    assert str(problem).startswith(where)
    assert "line breaks" in problem.message


async def test_a_description_may_have_line_breaks(tmp_path: Path) -> None:
    config = _config(tmp_path, DESCRIPTION, 'description = """A weekly circle.\nAll welcome."""')
    harness = await Harness.open(config)
    try:
        listing = await harness.text("/groups", as_=person("tina"))
        [calendar] = await harness.say("/calendar circle", as_=person("tina"))
    finally:
        await harness.close()
    assert "A weekly circle.\nAll welcome." in listing
    assert calendar.attachment is not None
    assert b"DESCRIPTION:A weekly circle.\\nAll welcome." in calendar.attachment.content


def test_what_counts_as_a_control_character() -> None:
    assert not has_control_characters("Tuesday Circle — מעגל 🌈‍🔥")
    assert has_control_characters("a\nb")
    assert not has_control_characters("a\nb", line_breaks=True)
    assert has_control_characters("a\tb", line_breaks=True)
    assert has_control_characters("a\u2066b")
    assert has_control_characters("a\udc80b")
