"""What a platform may offer while someone types a group's name (Discord's autocomplete).

``group_suggestions(directory)`` answers a typed fragment with ``(slug, name)`` pairs:
the groups whose slug or name starts with it first, then those that contain it, each
in the directory's order; every group for an empty fragment. Only what the group list
(``/groups``) shows anyone: names and slugs, never who is in a group.
"""

from __future__ import annotations

import re
from collections.abc import Callable

from groups.directory import GroupDirectory

MAX_SUGGESTIONS = 25  # Discord shows at most 25 choices


def group_suggestions(directory: GroupDirectory) -> Callable[[str], list[tuple[str, str]]]:
    def suggest(typed: str) -> list[tuple[str, str]]:
        wanted = _words(typed)
        starting, containing = [], []
        for group in directory.all():
            keys = (_words(group.slug), _words(group.name))
            if any(key.startswith(wanted) for key in keys):
                starting.append((group.slug, group.name))
            elif any(wanted in key for key in keys):
                containing.append((group.slug, group.name))
        return (starting + containing)[:MAX_SUGGESTIONS]

    return suggest


def _words(text: str) -> str:
    """``"Tuesday Recovery-Circle"`` -> ``"tuesday recovery circle"``."""
    return " ".join(re.split(r"[\s_-]+", text.casefold())).strip()
