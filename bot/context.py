"""What a handler knows about the invocation it serves."""

from __future__ import annotations

from dataclasses import dataclass

from bot.catalog import Catalog
from bot.clock import Clock
from bot.commands import CommandRegistry
from bot.events import Actor, Place
from bot.permissions import Role
from bot.replies import Button, Reply


@dataclass(frozen=True, slots=True)
class Context:
    actor: Actor
    place: Place
    role: Role  # overall role: config and platform combined
    platform_role: Role  # what the platform alone grants in this place
    clock: Clock
    catalog: Catalog
    commands: CommandRegistry

    def text(self, key: str, /, **params: object) -> str:
        return self.catalog.text(key, **params)

    def reply(
        self,
        key: str,
        /,
        *,
        buttons: tuple[Button, ...] = (),
        private: bool = False,
        **params: object,
    ) -> Reply:
        return Reply(self.catalog.text(key, **params), buttons=buttons, private=private)
