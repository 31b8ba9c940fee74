"""/groups for a large organization: a page of groups at a time, a "More groups" button,
and a search; only the first page of all is for everyone in the chat."""

from __future__ import annotations

import dataclasses
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from bot.replies import Audience, Reply
from groups.group_list import GroupQuery
from tests.fakes.clock import FakeClock
from tests.harness import HARNESS_ENVIRON, Harness, many_groups_config, person

pytestmark = pytest.mark.both_engines

alice, bob = person("alice"), person("bob")


@pytest.fixture
async def many(tmp_path: Path) -> AsyncIterator[Harness]:
    opened = await Harness.open(
        many_groups_config(tmp_path, 25), FakeClock(), environ=HARNESS_ENVIRON
    )
    yield opened
    await opened.close()


def _only(replies: list[Reply]) -> Reply:
    [reply] = replies
    return reply


def _actions(reply: Reply) -> list[str]:
    return [button.action for button in reply.buttons]


async def test_groups_shows_a_page_with_a_button_for_the_next(many: Harness) -> None:
    first = _only(await many.say("/groups", as_=alice))

    assert "Group 01" in first.text
    assert "Group 10" in first.text
    assert "Group 11" not in first.text
    assert "Groups 1–10 of 25" in first.text
    assert "type /groups and a word or two" in first.text
    assert first.audience is Audience.HERE  # the list is for everyone
    assert _actions(first) == [f"join:g{n:02}" for n in range(1, 11)] + ["groups:>10"]

    second = _only(await many.press("groups:>10", as_=bob))
    assert "Group 11" in second.text
    assert "Group 20" in second.text
    assert "Groups 11–20 of 25" in second.text
    assert _actions(second)[-1] == "groups:>20"
    assert second.audience is Audience.ONLY_YOU  # one person browsing: theirs alone

    last = _only(await many.press("groups:>20", as_=bob))
    assert "Group 25" in last.text
    assert "Groups 21–25 of 25" in last.text
    assert _actions(last) == [f"join:g{n:02}" for n in range(21, 26)]  # no "More" on the last


async def test_a_page_shows_its_groups_seat_counts(many: Harness) -> None:
    await many.say("/join g02", as_=bob)
    await many.say("/join g12", as_=bob)

    first = _only(await many.say("/groups", as_=alice)).text
    second = _only(await many.press("groups:>10", as_=alice)).text

    assert first.count("4 of 5 seats free") == 1
    assert "Hull library\n4 of 5 seats free" in first  # Group 02's
    assert second.count("4 of 5 seats free") == 1
    assert "Leeds library\n4 of 5 seats free" in second  # Group 12's


async def test_a_page_past_the_end_shows_the_last_page(many: Harness) -> None:
    reply = _only(await many.press("groups:>400", as_=alice))

    assert "Groups 21–25 of 25" in reply.text


async def test_a_search_finds_groups_by_every_word_and_answers_privately(many: Harness) -> None:
    reply = _only(await many.say("/groups GRIEF york", as_=alice))

    # odd numbers are about grief; n % 3 == 1 meets in York: 1, 7, 13, 19, 25
    found = [f"Group {n:02}" for n in (1, 7, 13, 19, 25)]
    assert all(name in reply.text for name in found)
    assert "Group 03" not in reply.text  # grief, but in Leeds
    assert "Group 04" not in reply.text  # York, but anxiety
    assert "Groups with “GRIEF york”" in reply.text
    assert reply.audience is Audience.ONLY_YOU  # what someone looks for is their own
    assert _actions(reply) == [f"join:g{n:02}" for n in (1, 7, 13, 19, 25)]


async def test_a_search_pages_too_and_its_button_keeps_the_words(many: Harness) -> None:
    first = _only(await many.say("/groups anxiety", as_=alice))

    assert "Groups 1–10 of the 12 found" in first.text
    assert _actions(first)[-1] == "groups:>10 anxiety"
    second = _only(await many.press("groups:>10 anxiety", as_=alice))
    assert "Group 22" in second.text
    assert "Group 24" in second.text
    assert "Group 23" not in second.text
    assert second.audience is Audience.ONLY_YOU


async def test_a_search_that_finds_nothing_says_so_kindly(many: Harness) -> None:
    reply = _only(await many.say("/groups knitting @everyone", as_=alice))

    assert "couldn't find a group with “knitting @everyone”" in reply.text
    assert reply.audience is Audience.ONLY_YOU
    assert not reply.buttons


async def test_a_small_organization_sees_every_group_on_one_page(harness: Harness) -> None:
    reply = _only(await harness.say("/groups", as_=alice))

    assert "Tuesday Circle" in reply.text
    assert "Carers' Circle" in reply.text
    assert "Groups 1–" not in reply.text  # no page line
    assert _actions(reply) == ["join:circle", "join:carers"]


@pytest.mark.parametrize(
    ("typed", "start", "words"),
    [
        (None, 0, ""),
        ("", 0, ""),
        ("  grief   york ", 0, "grief york"),
        (">10", 10, ""),
        (">10 grief", 10, "grief"),
        (">ten grief", 0, ">ten grief"),  # not a number: a word like any other
        (">10grief", 0, ">10grief"),
    ],
)
def test_a_query_is_where_a_page_starts_and_the_words(
    typed: str | None, start: int, words: str
) -> None:
    assert GroupQuery.parse(typed) == GroupQuery(start, words)


async def test_a_search_sees_the_groups_of_a_reloaded_config(many: Harness) -> None:
    await many.say("/groups grief", as_=alice)  # the searchable texts are made once…
    renamed = [
        dataclasses.replace(g, name="Knitting Circle") if g.slug == "g04" else g
        for g in many.app.directory.all()
    ]
    many.app.directory.replace(renamed)  # …and again for the reloaded groups

    reply = _only(await many.say("/groups knitting", as_=alice))
    assert "Knitting Circle" in reply.text
    assert _actions(reply) == ["join:g04"]
