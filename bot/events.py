"""The platform-neutral event model: who said something, where, and what.

Adapters translate platform updates into these values; handlers never see an SDK object
(except through ``raw``, which exists for debugging and must not be relied upon).
Names and ids are cleaned when an ``Actor`` or ``Place`` is made, so whatever a person
chose as their name is safe to show anyone from then on.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from bot.text import clean_id, clean_name


@dataclass(frozen=True, slots=True)
class Actor:
    """A person on one platform. ``key`` (``platform:user_id``) identifies them everywhere."""

    platform: str
    user_id: str
    display_name: str

    def __post_init__(self) -> None:
        object.__setattr__(self, "platform", clean_id(self.platform))
        object.__setattr__(self, "user_id", clean_id(self.user_id))
        name = clean_name(self.display_name) or self.user_id
        object.__setattr__(self, "display_name", name)

    @property
    def key(self) -> str:
        return f"{self.platform}:{self.user_id}"


@dataclass(frozen=True, slots=True)
class Place:
    """Where a message came from. ``private`` is a one-to-one chat with the bot; anything
    else (a group chat, a server channel, a thread) is shared, and has no default: an
    adapter must say which it is. ``guild_id`` is the server a Discord channel belongs to
    (None on other platforms)."""

    platform: str
    chat_id: str
    private: bool = field(kw_only=True)
    thread_id: str | None = field(default=None, kw_only=True)
    guild_id: str | None = field(default=None, kw_only=True)

    def __post_init__(self) -> None:
        object.__setattr__(self, "platform", clean_id(self.platform))
        object.__setattr__(self, "chat_id", clean_id(self.chat_id))
        for name in ("thread_id", "guild_id"):
            value = getattr(self, name)
            if value is not None:
                object.__setattr__(self, name, clean_id(value))


@dataclass(frozen=True, slots=True)
class MessageRef:
    """Where a sent message landed, so it can be edited. A long text split into several
    messages has several ids, in order. (Also re-exported by ``bot.platforms``.)"""

    platform: str
    chat_id: str
    message_ids: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class CommandInvoked:
    """A command whose arguments the platform already separated (a Discord slash
    command's options): ``values`` maps parameter names to values, never to be split
    again. The dispatcher checks them against the command's ``ParamSpec`` exactly as it
    checks what a person typed."""

    actor: Actor
    place: Place
    name: str
    values: Mapping[str, str] = field(default_factory=dict)
    raw: object = field(default=None, compare=False, repr=False)


@dataclass(frozen=True, slots=True)
class ActionPressed:
    """A button press carrying a compact action id such as ``join:tuesday-recovery``.
    ``origin``: the bot's message the button is on, when the platform says (a live
    message, such as a meeting card, may then be refreshed)."""

    actor: Actor
    place: Place
    action: str
    origin: MessageRef | None = field(default=None, kw_only=True)
    raw: object = field(default=None, compare=False, repr=False)


@dataclass(frozen=True, slots=True)
class FormSubmitted:
    """A filled-in form (a Discord modal, a Telegram conversation, console prompts).
    ``form_id`` is the id of the ``Form`` that was opened; ``values`` maps field names to
    what the person entered or chose."""

    actor: Actor
    place: Place
    form_id: str
    values: Mapping[str, str] = field(default_factory=dict)
    raw: object = field(default=None, compare=False, repr=False)


@dataclass(frozen=True, slots=True)
class TextReceived:
    """A plain message. If it starts with ``/`` the dispatcher treats it as a command."""

    actor: Actor
    place: Place
    text: str
    raw: object = field(default=None, compare=False, repr=False)


Incoming = CommandInvoked | ActionPressed | FormSubmitted | TextReceived
