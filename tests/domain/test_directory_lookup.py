"""Finding a group from what a member typed, among many: the lookups are worked out once
per config, so a slug or a name is found at once even with 10,000 groups."""

from __future__ import annotations

from dataclasses import replace
from datetime import time

import pytest

from bot.errors import UserError
from bot.events import Actor
from groups.directory import GroupDirectory
from groups.models import Group, Schedule
from tests.harness import Harness, person

BASE = Group(
    slug="x",
    name="X",
    description="",
    capacity=5,
    facilitators=frozenset(),
    timezone="UTC",
    online=True,
    location="",
    schedule=Schedule("weekly", 1, time(19, 0), 90),
)


def _group(slug: str, name: str) -> Group:
    return replace(BASE, slug=slug, name=name)


def _directory() -> GroupDirectory:
    return GroupDirectory(
        [
            _group("tuesday-recovery", "Tuesday Recovery Circle"),
            _group("carers", "Carers' Circle"),
            _group("youth-space", "Youth Space"),
            _group("youth-arts", "Creative Youth"),
            _group("circle", "Tuesday"),  # its name reads as a prefix of the first
        ]
    )


@pytest.mark.parametrize(
    ("typed", "slug"),
    [
        ("tuesday-recovery", "tuesday-recovery"),
        ("  Tuesday Recovery Circle ", "tuesday-recovery"),
        ("TUESDAY_recovery", "tuesday-recovery"),  # a unique prefix of a slug
        ("tuesday", "circle"),  # a name, exactly: before any prefix
        ("#carers", "carers"),
        ("creative", "youth-arts"),  # a unique prefix of a name
    ],
)
def test_a_slug_a_name_or_a_unique_prefix_finds_the_group(typed: str, slug: str) -> None:
    assert _directory().resolve(typed).slug == slug


def test_an_ambiguous_prefix_lists_the_groups_and_a_typo_gets_a_suggestion() -> None:
    with pytest.raises(UserError) as ambiguous:
        _directory().resolve("youth")
    assert ambiguous.value.key == "groups.find.ambiguous"
    assert ambiguous.value.params["options"] == "youth-space, youth-arts"
    with pytest.raises(UserError) as typo:
        _directory().resolve("carerss")
    assert typo.value.key == "groups.find.did_you_mean"
    assert typo.value.params["slug"] == "carers"


def test_replace_takes_the_new_groups_for_every_lookup() -> None:
    directory = _directory()
    directory.replace([_group("carers", "Family Carers")])
    assert directory.resolve("family carers").slug == "carers"
    assert [g.slug for g in directory.all()] == ["carers"]
    with pytest.raises(UserError):
        directory.resolve("youth-space")


def test_the_first_group_wins_when_a_name_reads_as_another_groups_slug() -> None:
    directory = GroupDirectory([_group("b", "A"), _group("a", "Other")])
    assert directory.resolve("a").slug == "b"  # the config refuses this; still the first


def test_the_groups_a_member_facilitates_are_looked_up_by_their_key() -> None:
    fran = Actor("console", "fran", "Fran")
    directory = GroupDirectory(
        [
            replace(_group("a", "A"), facilitators=frozenset({"console:fran", "telegram:7"})),
            _group("b", "B"),
            replace(_group("c", "C"), facilitators=frozenset({"console:fran"})),
        ]
    )
    assert [g.slug for g in directory.facilitated_by(fran)] == ["a", "c"]
    assert directory.facilitated_by(Actor("telegram", "fran", "Fran")) == ()
    directory.replace([_group("a", "A")])
    assert directory.facilitated_by(fran) == ()


async def test_next_lists_my_groups_in_the_configs_order(harness: Harness) -> None:
    alice = person("alice")
    await harness.say("/join carers", as_=alice)  # joined first, listed second
    await harness.say("/join circle", as_=alice)
    [mine] = await harness.say("/next", as_=alice)
    circle, carers = mine.text.index("Tuesday Circle"), mine.text.index("Carers' Circle")
    assert circle < carers
    assert [harness.app.directory.position(g) for g in harness.app.directory.all()] == [0, 1]
