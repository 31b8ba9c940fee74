"""What handlers answer with. Adapters render these; handlers never touch an SDK.

Every reply says who may see it (its ``Audience``). Handlers choose; adapters only carry
the choice out, each in its platform's way.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from enum import Enum

MAX_ACTION_BYTES = 64  # Telegram's callback_data limit; Discord custom_id allows 100.
MAX_ATTACHMENT_BYTES = 1_000_000  # far below every platform's upload limit
MAX_FILENAME = 64
_FIELD_NAME = re.compile(r"^[a-z][a-z0-9_]{0,31}$")
# A name safe on every platform and file system: no path, no hidden file, no spaces.
_FILENAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9_-]*(\.[A-Za-z0-9_-]+)*")
_MEDIA_TYPE = re.compile(r"[a-z]+/[a-z0-9.+-]+")
# Images every platform shows as a picture (Telegram's sendPhoto, Discord's embeds).
IMAGE_TYPES = frozenset({"image/png", "image/jpeg"})


class Audience(Enum):
    """Who may see a reply.

    ``HERE``: everyone in the chat it answers (fine for public facts: the group list).
    ``ONLY_YOU``: only the person it answers; an ephemeral message where the platform has
    them, otherwise a private message. Anything about a member goes this way.
    ``PRIVATE_MESSAGE``: a private (direct) message. If it cannot be delivered, the chat
    gets a neutral pointer with no data in it ("I've sent you a private message", or a
    link that opens the private chat).
    """

    HERE = "here"
    ONLY_YOU = "only_you"
    PRIVATE_MESSAGE = "private_message"


@dataclass(frozen=True, slots=True)
class Button:
    """A choice shown under a reply. ``action`` is ``command:arguments``, e.g.
    ``join:tuesday-recovery``: pressing it runs that command as the presser, so buttons
    keep working after a restart and carry no state of their own."""

    label: str
    action: str

    def __post_init__(self) -> None:
        if ":" not in self.action:
            raise ValueError(f"button action {self.action!r} must look like 'command:args'")
        if len(self.action.encode()) > MAX_ACTION_BYTES:
            raise ValueError(f"button action {self.action!r} is over {MAX_ACTION_BYTES} bytes")


class FieldKind(Enum):
    SHORT_TEXT = "short_text"  # one line
    LONG_TEXT = "long_text"  # a paragraph
    CHOICE = "choice"  # one of ``choices``


@dataclass(frozen=True, slots=True)
class Choice:
    value: str
    label: str


@dataclass(frozen=True, slots=True)
class FormField:
    """One question of a form. ``max_length`` applies to text; a choice must be one of
    ``choices``' values. An optional field may be left empty (submitted as "")."""

    name: str
    label: str
    kind: FieldKind = FieldKind.SHORT_TEXT
    required: bool = True
    max_length: int = 200
    choices: tuple[Choice, ...] = ()
    hint: str = ""

    def __post_init__(self) -> None:
        if not _FIELD_NAME.match(self.name):
            raise ValueError(f"form field name {self.name!r} must match {_FIELD_NAME.pattern}")
        if (self.kind is FieldKind.CHOICE) != bool(self.choices):
            raise ValueError(f"form field {self.name!r}: choices go with kind CHOICE only")
        if not 1 <= self.max_length <= 4000:  # Discord's modal text input limit
            raise ValueError(f"form field {self.name!r}: max_length must be 1..4000")


@dataclass(frozen=True, slots=True)
class Form:
    """A short form a reply opens: a Discord modal, a Telegram step-by-step conversation,
    console prompts. ``form_id`` is ``name:argument`` like a button's action, so the
    submission finds its handler after a restart."""

    form_id: str
    title: str
    fields: tuple[FormField, ...]

    def __post_init__(self) -> None:
        Button(self.title, self.form_id)  # the same id rules as a button's action
        if not 1 <= len(self.fields) <= 5:  # a Discord modal holds at most five
            raise ValueError(f"form {self.form_id!r} needs one to five fields")


@dataclass(frozen=True, slots=True)
class Attachment:
    """A file a reply carries (a group's ``.ics`` calendar, a check-in trend chart): sent
    as a file where the platform can, an image (``is_image``) as a picture where the
    platform shows images; on the console named, and shown if it is text."""

    filename: str
    content: bytes
    media_type: str

    def __post_init__(self) -> None:
        if len(self.filename) > MAX_FILENAME or not _FILENAME.fullmatch(self.filename):
            raise ValueError(f"attachment name {self.filename!r} is not a safe file name")
        if len(self.content) > MAX_ATTACHMENT_BYTES:
            raise ValueError(f"attachment {self.filename!r} is over {MAX_ATTACHMENT_BYTES} bytes")
        if not _MEDIA_TYPE.fullmatch(self.media_type):
            raise ValueError(f"attachment media type {self.media_type!r} is not a media type")

    @property
    def is_text(self) -> bool:
        """Readable as UTF-8 text: ``text/*``, and JSON (a member's ``/mydata`` export)."""
        kind = self.media_type
        return kind.startswith("text/") or kind == "application/json" or kind.endswith("+json")

    @property
    def is_image(self) -> bool:
        """A PNG or JPEG: shown as a picture where the platform shows images."""
        return self.media_type in IMAGE_TYPES


@dataclass(frozen=True, slots=True)
class Reply:
    """Plain text (adapters escape it for their markup), optional buttons or a form, at
    most one attachment, and its audience, which the handler must choose. ``live``: the
    message will be edited later, for days (a meeting card): an adapter posts it as an
    ordinary message of the bot's, never as a short-lived answer it could not edit."""

    text: str
    audience: Audience = field(kw_only=True)
    buttons: tuple[Button, ...] = field(default=(), kw_only=True)
    form: Form | None = field(default=None, kw_only=True)
    attachment: Attachment | None = field(default=None, kw_only=True)
    live: bool = field(default=False, kw_only=True)

    def __post_init__(self) -> None:
        if self.form is not None and self.buttons:
            raise ValueError("a reply opens a form or shows buttons, not both")
