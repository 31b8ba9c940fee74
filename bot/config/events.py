"""``[events]``: meetings shown as server events (Discord's Guild Scheduled Events).

For each group that lives in a Discord server, the bot keeps its next ``horizon``
meetings as events in the server's Events tab (0: none). Every member of the server sees
them, and who clicked "Interested"; so an event's name is neutral by default ("Group
meeting", from the message catalog), never the group's name: a name like "Alcohol
Recovery Circle" in a server's Events tab would tell everyone what the people interested
in it live with. ``name`` sets another neutral name for every group; ``[events.names]``
one group's own (by slug), which its organizer chooses knowing the above. With
``show_place = false`` the place or link stays out of the event (members ask /next).
"""

from __future__ import annotations

import re

from pydantic import BaseModel, ConfigDict, Field, field_validator

from bot.config.fields import quoting

__all__ = ["MAX_HORIZON", "EventsSection"]

MAX_HORIZON = 25  # a server holds at most 100 upcoming events, shared by its groups
_NAME_MAX = 100
_SLUG = re.compile(r"[a-z0-9][a-z0-9-]{1,39}")


def _check_name(value: str) -> str:
    text = value.strip()
    if not text:
        raise ValueError("must not be empty; leave it out for the neutral default")
    if len(text) > _NAME_MAX:
        raise ValueError(f"must be at most {_NAME_MAX} characters (Discord's limit)")
    if any(not char.isprintable() for char in text):
        raise ValueError("must be one line of plain text")
    return text


class EventsSection(BaseModel):
    """Meetings as server events; see the module's notes on privacy."""

    model_config = ConfigDict(extra="forbid")

    horizon: int = Field(default=4, ge=0, le=MAX_HORIZON)  # next meetings per group; 0: off
    name: str | None = None  # None: the catalog's neutral "Group meeting"
    names: dict[str, str] = Field(default_factory=dict)  # a group's own, by slug
    show_place: bool = True  # the place or link in the event (else: "ask /next")

    @field_validator("name")
    @classmethod
    def _name(cls, value: str | None) -> str | None:
        return None if value is None else _check_name(value)

    @field_validator("names")
    @classmethod
    def _names(cls, value: dict[str, str]) -> dict[str, str]:
        checked = {}
        for slug, name in value.items():
            if not _SLUG.fullmatch(slug):
                raise quoting(repr(slug), "is not a group's slug; name groups by their slug")
            checked[slug] = _check_name(name)
        return checked
