"""Which groups a look-alike finding names, among many: always the first one it looks
like. (The lookup is by key, not pairwise, so 10,000 groups are checked at once.)"""

from __future__ import annotations

import time

from bot.config.names import group_identity_findings


def _messages(groups: list[dict[str, str]]) -> list[tuple[tuple[object, ...], str]]:
    return [(finding.loc, finding.message) for finding in group_identity_findings(groups)]


def test_each_finding_names_the_first_group_it_looks_like() -> None:
    groups = [
        {"slug": "alpha", "name": "Tuesday Circle"},  # 0
        {"slug": "beta", "name": "Carers"},  # 1
        {"slug": "gamma", "name": "Tuesday circle"},  # 2: 0's name
        {"slug": "delta", "name": "Beta"},  # 3: 1's slug (and 5's)
        {"slug": "al-pha", "name": "Other"},  # 4: 0's slug
        {"slug": "beta", "name": "Else"},  # 5: 1's slug, exactly
        {"slug": "omega", "name": "TUESDAY CIRCLE"},  # 6: 0's name, not 2's
        {"slug": "youth", "name": "Youth"},  # 7: its own slug is fine
    ]
    assert _messages(groups) == [
        (
            ("groups", 4, "slug"),
            "'al-pha' looks the same as groups[0].slug; each group needs a slug of its own",
        ),
        (
            ("groups", 5, "slug"),
            "'beta' is already used by groups[1]; each group needs a slug of its own",
        ),
        (
            ("groups", 2, "name"),
            '"Tuesday circle" looks the same as groups[0].name "Tuesday Circle"; '
            "give each group a name people can tell apart",
        ),
        (
            ("groups", 3, "name"),
            '"Beta" looks the same as groups[1].slug "beta"; '
            "give each group a name people can tell apart",
        ),
        (
            ("groups", 6, "name"),
            '"TUESDAY CIRCLE" looks the same as groups[0].name "Tuesday Circle"; '
            "give each group a name people can tell apart",
        ),
    ]


def test_a_name_like_a_later_groups_slug_is_named_too() -> None:
    groups = [{"slug": "first", "name": "Second"}, {"slug": "second", "name": "Other"}]
    assert _messages(groups) == [
        (
            ("groups", 0, "name"),
            '"Second" looks the same as groups[1].slug "second"; '
            "give each group a name people can tell apart",
        )
    ]


def test_ten_thousand_groups_are_checked_in_well_under_a_second_per_thousand() -> None:
    groups = [{"slug": f"circle-{n:05d}", "name": f"Circle {n:05d}"} for n in range(10_000)]
    began = time.perf_counter()
    assert group_identity_findings(groups) == []
    # Pairwise comparison took about 2 minutes for these; by key it takes about a second.
    assert time.perf_counter() - began < 20
