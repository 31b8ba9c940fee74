"""A platform as the core sees it: records private messages, answers platform roles.

Stands in for a platform's API at the very edge (the messenger, dispatcher and
everything above it are the real thing). ``unreachable`` holds member keys that have
blocked the bot; sends to them raise exactly as a real adapter's would. ``grant`` sets
what the platform says about someone in a place (a chat admin, a server role).
"""

from __future__ import annotations

import itertools

from bot.events import Actor, Place
from bot.platforms import MessageRef, RecipientUnreachable
from bot.replies import Reply
from bot.roles import Role


class RecordingOutbound:
    def __init__(self, platform: str) -> None:
        self._platform = platform
        self.sent: list[tuple[Actor, Reply]] = []
        self.posted: list[tuple[Place, Reply]] = []
        self.edited: list[tuple[MessageRef, Reply]] = []
        self.unreachable: set[str] = set()
        self.grants: dict[tuple[str, str], Role] = {}
        self._ids = itertools.count(1)

    @property
    def platform(self) -> str:
        return self._platform

    async def send_private(self, actor: Actor, reply: Reply) -> MessageRef:
        if actor.key in self.unreachable:
            raise RecipientUnreachable(actor.key)
        self.sent.append((actor, reply))
        return MessageRef(self._platform, actor.user_id, (str(next(self._ids)),))

    async def send(self, place: Place, reply: Reply) -> MessageRef:
        self.posted.append((place, reply))
        return MessageRef(self._platform, place.chat_id, (str(next(self._ids)),))

    async def edit(self, ref: MessageRef, reply: Reply) -> None:
        self.edited.append((ref, reply))

    async def platform_role(self, actor: Actor, place: Place) -> Role:
        return self.grants.get((actor.key, place.chat_id), Role.MEMBER)

    def grant(self, actor: Actor, place: Place, role: Role) -> None:
        self.grants[(actor.key, place.chat_id)] = role

    def inbox(self, actor: Actor) -> list[Reply]:
        return [reply for recipient, reply in self.sent if recipient.key == actor.key]
