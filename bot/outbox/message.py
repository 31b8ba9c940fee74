"""What goes into the outbox: one message, who it is for, and the window it may go in."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime

from bot.events import Actor, Place
from bot.replies import Audience, Button, Reply

Target = Actor | Place


@dataclass(frozen=True, slots=True)
class OutboxMessage:
    """One logical message. ``dedupe_key`` names it: enqueueing the same key twice keeps
    the first, so a message exists once however often its cause is replayed.

    ``kind`` groups messages for delivery rules ("membership", "reminder", ...): a person
    found unreachable is not tried again for the other messages of that kind already
    waiting. ``not_before``/``not_after`` bound when it may go out; past ``not_after`` it
    is dropped as expired (a reminder for a meeting that has started)."""

    dedupe_key: str
    kind: str
    target: Target
    text: str
    buttons: tuple[Button, ...] = ()
    not_before: datetime | None = None
    not_after: datetime | None = None

    def __post_init__(self) -> None:
        if not self.dedupe_key or len(self.dedupe_key) > 200:
            raise ValueError("an outbox message needs a dedupe_key of 1 to 200 characters")
        if not self.kind:
            raise ValueError("an outbox message needs a kind")
        if self.not_before and self.not_after and self.not_after < self.not_before:
            raise ValueError("an outbox message's not_after comes before its not_before")
        if isinstance(self.target, Place) and self.target.private:
            raise ValueError("send to a person as an Actor, not to their private chat")

    def reply(self) -> Reply:
        return reply_for(self.target, self.text, self.buttons)


def reply_for(target: Target, text: str, buttons: tuple[Button, ...]) -> Reply:
    """A private message for a person; a post for everyone in a chat."""
    audience = Audience.PRIVATE_MESSAGE if isinstance(target, Actor) else Audience.HERE
    return Reply(text, audience=audience, buttons=buttons)


def encode_body(text: str, buttons: tuple[Button, ...]) -> str:
    return json.dumps(
        {"text": text, "buttons": [[b.label, b.action] for b in buttons]}, ensure_ascii=False
    )


def decode_body(body: str) -> tuple[str, tuple[Button, ...]]:
    data = json.loads(body)
    buttons = tuple(Button(str(label), str(action)) for label, action in data["buttons"])
    return str(data["text"]), buttons
