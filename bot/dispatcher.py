"""Turns one incoming event into replies: parse, check the role, run, contain failures."""

from __future__ import annotations

import logging
from collections.abc import Sequence

from bot.catalog import Catalog
from bot.clock import Clock
from bot.commands import CommandRegistry, CommandSpec, HandlerResult, parse_args, parse_command_text
from bot.context import Context
from bot.errors import UserError, log_incident, new_incident_id
from bot.events import ActionPressed, Actor, CommandInvoked, Incoming, Place, TextReceived
from bot.permissions import Role, RoleResolver
from bot.replies import Reply
from bot.text import clean_input, quote_back

logger = logging.getLogger(__name__)

DEFAULT_MAX_INPUT_CHARS = 2000


class Dispatcher:
    def __init__(
        self,
        commands: CommandRegistry,
        roles: RoleResolver,
        catalog: Catalog,
        clock: Clock,
        *,
        max_input_chars: int = DEFAULT_MAX_INPUT_CHARS,
    ) -> None:
        self.commands = commands
        self._roles = roles
        self._catalog = catalog
        self._clock = clock
        self._max_input_chars = max_input_chars

    async def handle(self, incoming: Incoming) -> list[Reply]:
        """Never raises: every failure becomes a kind reply (and, if unexpected, a log)."""
        try:
            return await self._route(incoming)
        except Exception as error:  # the last line of defence for a member's experience
            return [self._incident(error, "dispatch")]

    async def _route(self, incoming: Incoming) -> list[Reply]:
        match incoming:
            case CommandInvoked(name=name, args=args):
                return await self._command(incoming, name.lower(), args)
            case ActionPressed(action=action):
                name, _, args = action.partition(":")
                return await self._command(incoming, name, args)
            case TextReceived(text=text):
                return await self._text(incoming, text)

    async def _text(self, incoming: TextReceived, text: str) -> list[Reply]:
        """In a shared chat the bot answers commands only: people talking to each other
        there must never get a reply from it. In a private chat every message is for us."""
        cleaned = clean_input(text[: self._max_input_chars + 1])
        parsed = parse_command_text(cleaned)
        if parsed is None and not incoming.place.private:
            return []
        if len(text) > self._max_input_chars:
            return [self._say("core.too_long", length=len(text), limit=self._max_input_chars)]
        if not cleaned:
            return [self._say("core.empty_message")]
        if parsed is None:
            return [self._say("core.not_a_command")]
        return await self._command(incoming, *parsed)

    async def _command(self, incoming: Incoming, name: str, args: str) -> list[Reply]:
        if len(args) > self._max_input_chars:
            return [self._say("core.too_long", length=len(args), limit=self._max_input_chars)]
        role = self._roles.role_of(incoming.actor, incoming.platform_role)
        spec = self.commands.get(name)
        if spec is None:
            return [self._unknown(name, role)]
        if role < spec.min_role:
            key = f"core.needs_role.{spec.min_role.name.lower()}"
            return [self._say(key, command=spec.name)]
        context = self._context(incoming.actor, incoming.place, role, incoming.platform_role)
        return await self._run(spec, context, clean_input(args))

    async def _run(self, spec: CommandSpec, context: Context, args: str) -> list[Reply]:
        try:
            result = await spec.handler(context, parse_args(spec, args))
        except UserError as error:
            text = self._catalog.text(error.key, **error.params)
            return [Reply(text, buttons=error.buttons, private=True)]
        except Exception as error:
            return [self._incident(error, f"/{spec.name}")]
        return _as_list(result)

    def _unknown(self, name: str, role: Role) -> Reply:
        shown = quote_back(name, limit=32)
        suggestion = self.commands.suggest(name, role)
        if suggestion is None:
            return self._say("core.unknown_command", command=shown)
        return self._say("core.unknown_command_suggest", command=shown, suggestion=suggestion)

    def _context(self, actor: Actor, place: Place, role: Role, platform_role: Role) -> Context:
        return Context(
            actor=actor,
            place=place,
            role=role,
            platform_role=platform_role,
            clock=self._clock,
            catalog=self._catalog,
            commands=self.commands,
        )

    def _incident(self, error: Exception, where: str) -> Reply:
        incident_id = new_incident_id()
        log_incident(logger, incident_id, where, error)
        return self._say("core.incident", incident_id=incident_id)

    def _say(self, key: str, **params: object) -> Reply:
        """The dispatcher's own answers concern only the person who wrote: keep them private."""
        return Reply(self._catalog.text(key, **params), private=True)


def _as_list(result: HandlerResult) -> list[Reply]:
    if isinstance(result, Reply):
        return [result]
    return list(result)


__all__: Sequence[str] = ("Dispatcher",)
