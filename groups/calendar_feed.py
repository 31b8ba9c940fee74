"""A group's calendar by its slug, for the HTTP endpoint's subscription feeds
(``bot.http_endpoint``): the same file ``/calendar`` sends in a chat."""

from __future__ import annotations

from groups.directory import GroupDirectory
from groups.meetings import MeetingService


class CalendarFeeds:
    def __init__(self, directory: GroupDirectory, meetings: MeetingService) -> None:
        self._directory = directory
        self._meetings = meetings

    async def __call__(self, slug: str) -> bytes | None:
        """The group's ``.ics`` file as of now; None when no group has that slug."""
        group = self._directory.get(slug)
        return None if group is None else await self._meetings.calendar(group)
