"""Turns one incoming event into replies: parse, check the role, run, contain failures."""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Mapping, Sequence

from bot.args import bind_args, split_text
from bot.catalog import Catalog
from bot.clock import Clock
from bot.commands import CommandRegistry, CommandSpec, HandlerResult, parse_command_text
from bot.context import Context
from bot.errors import UserError, log_incident, new_incident_id
from bot.events import (
    ActionPressed,
    Actor,
    CommandInvoked,
    FormSubmitted,
    Incoming,
    MessageRef,
    Place,
    TextReceived,
)
from bot.flood import CommandFlood
from bot.forms import check_answers
from bot.listeners import TextListener
from bot.metrics import Metrics, NoMetrics
from bot.permissions import MAX_PLATFORM_GRANT, Authority, PlatformRoles
from bot.replies import MAX_ACTION_BYTES, Audience, Reply
from bot.roles import Role
from bot.storage.database import StorageNotOpen, StorageUnavailable
from bot.text import clean_input, quote_back

logger = logging.getLogger(__name__)

DEFAULT_MAX_INPUT_CHARS = 2000


class Dispatcher:
    def __init__(
        self,
        commands: CommandRegistry,
        authority: Authority,
        platform_roles: PlatformRoles,
        catalog: Catalog,
        clock: Clock,
        *,
        max_input_chars: int = DEFAULT_MAX_INPUT_CHARS,
        text_listener: TextListener | None = None,
        metrics: Metrics | None = None,
        flood: CommandFlood | None = None,
    ) -> None:
        self.commands = commands
        self._authority = authority
        self._platform_roles = platform_roles
        self._catalog = catalog
        self._clock = clock
        self._max_input_chars = max_input_chars
        self._text_listener = text_listener
        self._metrics = metrics or NoMetrics()
        self._flood = flood  # None: no limit on how many commands a member may send

    async def handle(self, incoming: Incoming) -> list[Reply]:
        """Never raises: every failure becomes a kind reply (and, if unexpected, a log)."""
        try:
            return await self._route(incoming)
        except Exception as error:  # the last line of defence for a member's experience
            return [self._incident(error, "dispatch")]

    async def role_here(self, actor: Actor, place: Place) -> Role:
        """The role ``actor`` holds in ``place`` (the console's banner shows it)."""
        context = await self._context(actor, place)
        return context.role

    def is_urgent(self, incoming: Incoming) -> bool:
        """Whether ``incoming`` runs a command marked ``urgent`` (``/crisis``, typed or its
        button): adapters then run it at once instead of queueing it. Cheap and pure (the
        parsing ``handle`` uses; no storage, no platform); never raises."""
        try:
            name = self._command_name(incoming)
        except Exception:  # only a scheduling hint: the message itself is still handled
            return False
        spec = self.commands.get(name) if name is not None else None
        return spec is not None and spec.urgent

    def _command_name(self, incoming: Incoming) -> str | None:
        match incoming:
            case CommandInvoked(name=name):
                return name.lower()
            case ActionPressed(action=action):
                return action.partition(":")[0]
            case TextReceived(text=text):
                parsed = parse_command_text(clean_input(text[: self._max_input_chars + 1]))
                return None if parsed is None else parsed.name
        return None  # a form's submission is its command's handler at work: never urgent

    async def _route(self, incoming: Incoming) -> list[Reply]:
        match incoming:
            case CommandInvoked(name=name, values=values):
                return await self._command(incoming, name.lower(), values)
            case ActionPressed(action=action):
                name, _, rest = action.partition(":")
                return await self._typed(incoming, name, rest)
            case FormSubmitted():
                return await self._form(incoming)
            case TextReceived(text=text):
                return await self._text(incoming, text)

    async def _text(self, incoming: TextReceived, text: str) -> list[Reply]:
        """In a shared chat the bot answers commands only: people talking to each other
        there must never get a reply from it. In a private chat every message is for us:
        what is not a command goes to the text listener (if any) first."""
        cleaned = clean_input(text[: self._max_input_chars + 1])
        parsed = parse_command_text(cleaned)
        if parsed is None and not incoming.place.private:
            return []
        if len(text) > self._max_input_chars:
            return [self._say("core.too_long", length=len(text), limit=self._max_input_chars)]
        if not cleaned:
            return [self._say("core.empty_message")]
        if parsed is None:
            return await self._plain(incoming, cleaned)
        return await self._typed(incoming, parsed.name, parsed.rest)

    async def _plain(self, incoming: TextReceived, text: str) -> list[Reply]:
        """A private message that is not a command: the listener's replies, if it has
        any; otherwise the usual pointer to the commands. Its failures are contained
        like a command's (and its where names no text)."""
        if self._text_listener is not None:
            context = await self._context(incoming.actor, incoming.place)
            replies = await self._run(
                "private text", self._text_listener.on_private_text(context, text)
            )
            if replies:
                return replies
        return [self._say("core.not_a_command")]

    async def _typed(self, incoming: Incoming, name: str, rest: str) -> list[Reply]:
        """A command whose arguments arrived as one line of text (typed, or a button)."""
        if len(rest) > self._max_input_chars:
            return [self._say("core.too_long", length=len(rest), limit=self._max_input_chars)]
        spec = self.commands.get(name)
        values = split_text(spec.params, rest) if spec is not None else {}
        return await self._command(incoming, name, values)

    async def _command(
        self, incoming: Incoming, name: str, values: Mapping[str, str]
    ) -> list[Reply]:
        spec = self.commands.get(name)
        if (spec is None or not spec.urgent) and (held := self._held(incoming.actor)) is not None:
            return held
        origin = incoming.origin if isinstance(incoming, ActionPressed) else None
        context = await self._context(incoming.actor, incoming.place, origin)
        if spec is None:
            return [self._unknown(name, context.role)]
        if refusal := self._refusal(spec, context.role):
            return [refusal]
        try:
            args = bind_args(spec.params, values, spec.usage())
        except UserError as error:
            return [self._user_error(error)]
        return await self._run(f"/{spec.name}", spec.handler(context, args))

    async def _form(self, incoming: FormSubmitted) -> list[Reply]:
        form_id = clean_input(incoming.form_id)  # a client may send anything as an id
        name, _, argument = form_id.partition(":")
        spec = self.commands.get(name)
        forged = len(form_id.encode()) > MAX_ACTION_BYTES  # no form of ours has one so long
        if spec is None or spec.form is None or forged:
            return [self._say("core.form_expired")]
        if (held := self._held(incoming.actor)) is not None:
            return held
        context = await self._context(incoming.actor, incoming.place)
        if refusal := self._refusal(spec, context.role):
            return [refusal]
        form_spec = spec.form

        async def submit() -> HandlerResult:
            form = form_spec.build(context, argument)
            answers = check_answers(form, incoming.values)
            return await form_spec.handler(context, argument, answers)

        return await self._run(f"/{spec.name}", submit())

    async def _context(
        self, actor: Actor, place: Place, origin: MessageRef | None = None
    ) -> Context:
        granted = await self._platform_roles.platform_role(actor, place)
        platform_role = min(granted, MAX_PLATFORM_GRANT)  # organizer comes from config only
        role = self._authority.role_here(actor, place, platform_role)
        return Context(
            actor=actor,
            place=place,
            role=role,
            platform_role=platform_role,
            clock=self._clock,
            catalog=self._catalog,
            commands=self.commands,
            authority=self._authority,
            origin=origin,
        )

    def _held(self, actor: Actor) -> list[Reply] | None:
        """None if ``actor`` may run another command now; else what to answer (the
        first time "slow down", then nothing until they have room again)."""
        if self._flood is None:
            return None
        verdict = self._flood.check(actor.key, self._clock.now())
        if verdict.allowed:
            return None
        return [self._say("limits.commands")] if verdict.answer else []

    def _refusal(self, spec: CommandSpec, role: Role) -> Reply | None:
        if role >= spec.min_role:
            return None
        self._metrics.command_handled(f"/{spec.name}", "refused")
        return self._say(f"core.needs_role.{spec.min_role.name.lower()}", command=spec.name)

    async def _run(self, where: str, work: Awaitable[HandlerResult | None]) -> list[Reply]:
        """The handler's replies (``where`` names it for the log and the metrics)."""
        outcome = "ok"
        try:
            replies = _as_list(await work)
        except UserError as error:
            outcome, replies = "user_error", [self._user_error(error)]
        except StorageNotOpen:  # degraded: the operator was told once, at start
            outcome, replies = "unavailable", [self._say("degraded.unavailable")]
        except StorageUnavailable as error:
            outcome, replies = "unavailable", [self._storage_unavailable(error, where)]
        except Exception as error:
            outcome, replies = "incident", [self._incident(error, where)]
        self._metrics.command_handled(where, outcome)
        return replies

    def _user_error(self, error: UserError) -> Reply:
        text = self._catalog.text(error.key, **error.params)
        return Reply(text, audience=Audience.ONLY_YOU, buttons=error.buttons)

    def _unknown(self, name: str, role: Role) -> Reply:
        shown = quote_back(name, limit=32)
        suggestion = self.commands.suggest(name, role)
        if suggestion is None:
            return self._say("core.unknown_command", command=shown)
        return self._say("core.unknown_command_suggest", command=shown, suggestion=suggestion)

    def _incident(self, error: Exception, where: str) -> Reply:
        incident_id = new_incident_id()
        log_incident(logger, incident_id, where, error)
        return self._say("core.incident", incident_id=incident_id)

    def _storage_unavailable(self, error: StorageUnavailable, where: str) -> Reply:
        """The database could not take the change: say so kindly, log the kind loudly. The
        error's message is built to be safe for a log (no SQL, no member data)."""
        incident_id = new_incident_id()
        logger.error("incident %s in %s: %s", incident_id, where, error)
        return self._say("core.storage_unavailable", incident_id=incident_id)

    def _say(self, key: str, **params: object) -> Reply:
        """The dispatcher's own answers concern only the person who wrote."""
        return Reply(self._catalog.text(key, **params), audience=Audience.ONLY_YOU)


def _as_list(result: HandlerResult | None) -> list[Reply]:
    if result is None:
        return []
    if isinstance(result, Reply):
        return [result]
    return list(result)


__all__: Sequence[str] = ("Dispatcher",)
