"""What a handler knows about the invocation it serves."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Protocol

from bot.catalog import Catalog
from bot.clock import Clock
from bot.events import Actor, MessageRef, Place
from bot.permissions import Authority
from bot.replies import Attachment, Audience, Button, Form, Reply
from bot.roles import Role


class ListedCommand(Protocol):
    """A command as /help shows it."""

    @property
    def summary_key(self) -> str: ...

    def usage(self) -> str: ...


class CommandListing(Protocol):
    def available_to(self, role: Role) -> Sequence[ListedCommand]: ...


@dataclass(frozen=True, slots=True)
class Context:
    actor: Actor
    place: Place
    role: Role  # the highest role the actor holds here: what commands they may run
    platform_role: Role  # what the platform grants in this place (at most facilitator)
    clock: Clock
    catalog: Catalog
    commands: CommandListing
    authority: Authority
    # The bot's message whose button was pressed (None for anything else): a handler may
    # ask for that message to be refreshed (a live card).
    origin: MessageRef | None = field(default=None, kw_only=True)

    def role_in(self, scope: str) -> Role:
        """The actor's role for one group (``scope`` is the group's id): organizer from
        config, facilitator only of the groups they run."""
        return self.authority.role_in(self.actor, self.place, self.platform_role, scope)

    def text(self, key: str, /, **params: object) -> str:
        return self.catalog.text(key, **params)

    def reply(
        self,
        key: str,
        /,
        *,
        audience: Audience,
        buttons: tuple[Button, ...] = (),
        form: Form | None = None,
        attachment: Attachment | None = None,
        **params: object,
    ) -> Reply:
        text = self.catalog.text(key, **params)
        return Reply(text, audience=audience, buttons=buttons, form=form, attachment=attachment)
