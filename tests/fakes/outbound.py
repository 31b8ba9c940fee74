"""A platform outbound channel that records what the bot sent on its own initiative."""

from __future__ import annotations

from bot.events import Actor
from bot.messenger import RecipientUnreachable
from bot.replies import Reply


class RecordingOutbound:
    """Stands in for a platform's private-message API (the messenger and everything
    above it are the real thing). ``unreachable`` holds member keys that have blocked
    the bot; sends to them raise exactly as a real adapter's would."""

    def __init__(self, platform: str) -> None:
        self.platform = platform
        self.sent: list[tuple[Actor, Reply]] = []
        self.unreachable: set[str] = set()

    async def send_private(self, recipient: Actor, reply: Reply) -> None:
        if recipient.key in self.unreachable:
            raise RecipientUnreachable(recipient.key)
        self.sent.append((recipient, reply))

    def inbox(self, actor: Actor) -> list[Reply]:
        return [reply for recipient, reply in self.sent if recipient.key == actor.key]
