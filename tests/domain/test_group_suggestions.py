"""What autocomplete offers while a member types a group's name."""

from __future__ import annotations

from pathlib import Path

from bot.config import load_settings
from groups.directory import GroupDirectory
from groups.suggestions import group_suggestions

EXAMPLE = Path(__file__).parents[2] / "config.example.toml"


def _suggest() -> GroupDirectory:
    return GroupDirectory.from_settings(load_settings(EXAMPLE, environ={}))


def test_names_and_slugs_that_start_with_the_typed_text_come_first() -> None:
    suggest = group_suggestions(_suggest())
    assert suggest("tue") == [("tuesday-recovery", "Tuesday Recovery Circle")]
    assert suggest("CIRCLE") == [  # inside the name: in the directory's order
        ("tuesday-recovery", "Tuesday Recovery Circle"),
        ("carers-circle", "Carers' Circle"),
    ]
    assert suggest("youth")[0] == ("youth-space", "Youth Space (16–25)")
    assert suggest("recovery circle") == [("tuesday-recovery", "Tuesday Recovery Circle")]


def test_nothing_typed_offers_every_group_and_nonsense_offers_none() -> None:
    suggest = group_suggestions(_suggest())
    assert [slug for slug, _ in suggest("")] == [g.slug for g in _suggest().all()]
    assert suggest("zzz") == []


def test_a_reload_is_seen_at_once() -> None:
    directory = _suggest()
    suggest = group_suggestions(directory)
    directory.replace([g for g in directory.all() if g.slug != "tuesday-recovery"])
    assert suggest("tue") == []
