"""What every platform adapter offers. An adapter *holds* a dispatcher; it is not one.

Adapters translate platform updates into ``bot.events`` values, hand them to the
dispatcher, and carry out the ``Reply`` values that come back, each reply to its
audience. They import the core only, never the domain (``groups/``). Every adapter runs
the conformance suite in ``tests/adapters/``.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from enum import Enum
from typing import Protocol

from bot.commands import CommandSpec
from bot.events import Actor, Incoming, Place
from bot.platforms import MessageRef
from bot.replies import Reply
from bot.roles import Role


class Markup(Enum):
    PLAIN = "plain"  # shown as typed (the console)
    HTML = "html"  # Telegram's HTML parse mode
    MARKDOWN = "markdown"  # Discord's markdown


@dataclass(frozen=True, slots=True)
class Capabilities:
    buttons: bool  # can show buttons under a message
    forms: bool  # can show a form (a modal, a conversation, prompts)
    ephemeral: bool  # can show a reply to one person inside a shared chat
    max_text_length: int  # longer texts are split into several messages
    markup: Markup  # what member text must be escaped for
    files: bool  # can send a reply's attachment as a file (else shows it another way)
    images: bool  # shows an image attachment (``Attachment.is_image``) as a picture


class Inbox(Protocol):
    """Where an adapter hands what people do: the core's dispatcher."""

    async def handle(self, incoming: Incoming) -> list[Reply]: ...

    async def role_here(self, actor: Actor, place: Place) -> Role:
        """The role ``actor`` holds in ``place`` (for showing, never for deciding)."""
        ...

    def is_urgent(self, incoming: Incoming) -> bool:
        """Whether ``incoming`` runs a command that answers from memory and touches no
        storage (``/crisis``, ``/help``): the adapter runs it at once, ahead of anything
        the same person sent before that is still waiting. Cheap; never raises."""
        ...


class Adapter(Protocol):
    @property
    def platform(self) -> str: ...

    @property
    def capabilities(self) -> Capabilities: ...

    async def start(self, inbox: Inbox) -> None:
        """Connect and serve until ``stop()`` is called, then return. Raising means the
        adapter failed; the supervisor logs it and starts it again after a pause. An
        adapter with nothing more to serve (the console at end of input) just returns."""
        ...

    async def stop(self) -> None:
        """Take no new work, let replies in flight finish, then make ``start`` return."""
        ...

    async def register_commands(self, commands: Sequence[CommandSpec]) -> None:
        """Publish the commands in the platform's own way (slash commands, a menu).
        Called before ``start``; an adapter that needs a connection to publish keeps
        the list and publishes it once connected."""
        ...

    async def send(self, place: Place, reply: Reply) -> MessageRef:
        """Post ``reply`` in ``place`` on the bot's own initiative (visible to the chat)."""
        ...

    async def edit(self, ref: MessageRef, reply: Reply) -> None:
        """Replace a message the bot sent earlier."""
        ...

    async def send_private(self, actor: Actor, reply: Reply) -> MessageRef:
        """A private message; raises ``bot.platforms.RecipientUnreachable`` when the
        platform refuses (blocked, private messages closed, chat never started). May be
        called before ``start`` (notices at start-up): connect on demand if need be."""
        ...

    async def platform_role(self, actor: Actor, place: Place) -> Role:
        """What the platform grants ``actor`` in ``place`` (a chat admin may count as a
        facilitator); the core caps it and applies it per group."""
        ...
