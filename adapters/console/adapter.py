"""The console adapter: chat with PeerCircle in a terminal, or script it through a pipe.

A local operator tool, not a service: whoever types here may speak as anyone (``:as``),
in a private chat or in a pretend shared chat (``:group``), so one session can show
how the bot behaves for several people and in group chats.
"""

from __future__ import annotations

import asyncio
import itertools
import re
from collections.abc import AsyncIterable, AsyncIterator, Sequence
from typing import TextIO

from adapters.base import Capabilities, Inbox, Markup
from adapters.console.form import PendingForm
from adapters.console.input import InputLine
from adapters.console.render import indent, render_message
from adapters.console.screen import Screen
from bot.catalog import Catalog
from bot.commands import CommandSpec
from bot.events import ActionPressed, Actor, FormSubmitted, Incoming, Place, TextReceived
from bot.platforms import MessageRef, RecipientUnreachable
from bot.replies import Audience, Button, Reply
from bot.roles import Role
from bot.text import clean_input, quote_back

CONSOLE_NAME = re.compile(r"^[A-Za-z0-9_.-]{1,32}$")
MAX_MESSAGE = 4096  # like Telegram, so long replies are split here as they will be there
PLATFORM = "console"


def console_name_problem(name: str) -> str | None:
    """Why ``name`` cannot be a console name (a catalog key), or None if it can."""
    return None if CONSOLE_NAME.match(name) else "console.bad_name"


def console_role_problem(role: Role) -> str | None:
    """Roles the console may hand out: organizers come from the config file only."""
    return "console.organizer_from_config" if role > Role.FACILITATOR else None


class ConsoleAdapter:
    """Each input line is a message from the current console user."""

    platform = PLATFORM
    capabilities = Capabilities(
        buttons=True, forms=True, ephemeral=True, max_text_length=MAX_MESSAGE, markup=Markup.PLAIN
    )

    def __init__(
        self,
        catalog: Catalog,
        *,
        bot_name: str,
        user: str,
        role: Role,
        lines: AsyncIterable[InputLine],
        out: TextIO | None,
        echo: bool,
    ) -> None:
        self._catalog = catalog
        self._bot_name = bot_name
        self._user = user
        self._grants: dict[str, Role] = {user: role}
        self._lines = lines
        self._screen = Screen(out)
        self._echo = echo
        self._chat: str | None = None  # None: the private chat; else a shared chat's name
        self._choices: tuple[Button, ...] = ()
        self._form: PendingForm | None = None
        self._blocked: set[str] = set()
        self._stopping = asyncio.Event()
        self._message_ids = itertools.count(1)
        self._inbox: Inbox | None = None

    # -- who and where -------------------------------------------------------------------

    @property
    def actor(self) -> Actor:
        return Actor(PLATFORM, self._user, self._user)

    @property
    def place(self) -> Place:
        if self._chat is None:
            return Place(PLATFORM, self._user, private=True)
        return Place(PLATFORM, f"#{self._chat}", private=False)

    # -- the adapter contract ------------------------------------------------------------

    async def start(self, inbox: Inbox) -> None:
        """Serve until end of input, ``:quit``, ``stop()``, or a closed screen."""
        self._inbox = inbox
        await self._announce("console.banner")
        iterator = aiter(self._lines)
        while not self._stopping.is_set() and not self._screen.closed:
            self._prompt()
            line = await self._next_line(iterator)
            if line is None:
                break
            await self._take(inbox, line)

    async def stop(self) -> None:
        self._stopping.set()

    async def register_commands(self, commands: Sequence[CommandSpec]) -> None:
        """Nothing to publish: on the console, commands are simply typed."""

    async def send(self, place: Place, reply: Reply) -> MessageRef:
        if place.private:
            heading = self._text("console.message_to", name=place.chat_id)
        else:
            heading = self._text("console.everyone_in", chat=place.chat_id)
        return self._show(reply, heading, place.chat_id)

    async def edit(self, ref: MessageRef, reply: Reply) -> None:
        message = ", ".join(ref.message_ids)
        heading = self._text("console.edited", message=message, chat=ref.chat_id)
        self._show(reply, heading, ref.chat_id)

    async def send_private(self, actor: Actor, reply: Reply) -> MessageRef:
        if actor.key in self._blocked:
            raise RecipientUnreachable(actor.key)
        heading = self._text("console.private_to", name=actor.display_name)
        return self._show(reply, heading, actor.user_id)

    async def platform_role(self, actor: Actor, place: Place) -> Role:
        """What ``--role`` / ``:as NAME ROLE`` granted (the console lives with every
        group, so a console facilitator may facilitate any of them)."""
        if actor.platform != PLATFORM:
            return Role.MEMBER
        return self._grants.get(actor.user_id, Role.MEMBER)

    # -- reading -------------------------------------------------------------------------

    async def _next_line(self, lines: AsyncIterator[InputLine]) -> InputLine | None:
        reading = asyncio.ensure_future(anext(lines, None))
        stopping = asyncio.ensure_future(self._stopping.wait())
        done, _ = await asyncio.wait({reading, stopping}, return_when=asyncio.FIRST_COMPLETED)
        for task in (reading, stopping):
            if task not in done:
                task.cancel()
        return reading.result() if reading in done else None

    async def _take(self, inbox: Inbox, line: InputLine) -> None:
        if self._echo:  # cleaned: a piped escape sequence must not reach the terminal
            self._screen.write(f"{self._prompt_text()}{clean_input(line.text)}")
        if line.had_invalid_bytes:
            self._screen.write(self._text("console.invalid_bytes"))
        stripped = line.text.strip()
        if stripped.startswith(":"):
            await self._meta(stripped[1:].split())
        elif self._form is not None:
            await self._answer_form(inbox, self._form, stripped)
        elif stripped.isdecimal() and self._choices:
            await self._press(inbox, int(stripped))
        else:
            await self._dispatch(inbox, TextReceived(self.actor, self.place, line.text))

    async def _press(self, inbox: Inbox, number: int) -> None:
        if not 1 <= number <= len(self._choices):
            count = len(self._choices)
            self._screen.write(self._text("console.no_such_choice", number=number, count=count))
            return
        action = self._choices[number - 1].action
        await self._dispatch(inbox, ActionPressed(self.actor, self.place, action))

    async def _answer_form(self, inbox: Inbox, pending: PendingForm, text: str) -> None:
        problem = pending.answer(text)
        if problem is not None:
            self._screen.write(self._text(problem, limit=pending.current.max_length))
        elif pending.done:
            self._form = None
            submitted = FormSubmitted(
                pending.actor, pending.place, pending.form.form_id, dict(pending.answers)
            )
            await self._dispatch(inbox, submitted)
            return
        self._screen.write(self._form_prompt(pending))

    async def _dispatch(self, inbox: Inbox, incoming: Incoming) -> None:
        self._show_answer(await inbox.handle(incoming))

    # -- showing -------------------------------------------------------------------------

    def _show_answer(self, replies: Sequence[Reply]) -> None:
        """Every reply to what the current speaker just did, each to its audience;
        buttons are numbered across the whole answer."""
        choices: list[Button] = []
        for reply in replies:
            for heading, text, buttons in self._audience_blocks(reply):
                shown = render_message(
                    text,
                    heading=heading,
                    continued=self._text("console.continued"),
                    buttons=buttons,
                    numbered_from=len(choices),
                    limit=MAX_MESSAGE,
                )
                choices.extend(shown.choices)
                self._screen.write(shown.text)
            if reply.form is not None:
                self._form = PendingForm(reply.form, self.actor, self.place)
                self._screen.write(self._form_prompt(self._form))
        self._choices = tuple(choices)

    def _audience_blocks(self, reply: Reply) -> list[tuple[str | None, str, tuple[Button, ...]]]:
        """(heading, text, buttons) for each message: what is shown, and who sees it.
        In the private chat everything is for the person typing, so nothing is headed."""
        if self._chat is None:
            return [(None, reply.text, reply.buttons)]
        everyone = self._text("console.everyone_in", chat=f"#{self._chat}")
        if reply.audience is Audience.HERE:
            return [(everyone, reply.text, reply.buttons)]
        if reply.audience is Audience.ONLY_YOU:
            return [(self._text("console.only_you", name=self._user), reply.text, reply.buttons)]
        if self.actor.key in self._blocked:  # the neutral pointer, and nothing else
            return [(everyone, self._text("audience.could_not_message", bot=self._bot_name), ())]
        return [
            (self._text("console.private_to", name=self._user), reply.text, reply.buttons),
            (everyone, self._text("audience.sent_privately"), ()),
        ]

    def _show(self, reply: Reply, heading: str, chat_id: str) -> MessageRef:
        shown = render_message(
            reply.text,
            heading=heading,
            continued=self._text("console.continued"),
            buttons=reply.buttons,
            numbered_from=0,
            limit=MAX_MESSAGE,
        )
        self._screen.write(shown.text)
        return MessageRef(PLATFORM, chat_id, (str(next(self._message_ids)),))

    def _form_prompt(self, pending: PendingForm) -> str:
        heading = self._text(
            "console.form.question",
            title=pending.form.title,
            number=len(pending.answers) + 1,
            count=len(pending.form.fields),
        )
        return f"{heading}\n{indent(pending.prompt(self._catalog))}"

    # -- console options -----------------------------------------------------------------

    async def _meta(self, words: list[str]) -> None:
        command, arguments = (words[0].lower(), words[1:]) if words else ("", [])
        if command == "quit":
            self._stopping.set()
        elif command == "as" and len(arguments) in (1, 2):
            await self._switch(arguments[0], arguments[1] if len(arguments) == 2 else "member")
        elif command == "group" and len(arguments) == 1:
            await self._move(arguments[0])
        elif command == "private" and not arguments:
            await self._move(None)
        elif command in ("block", "unblock") and len(arguments) == 1:
            self._block(arguments[0], command == "block")
        elif command == "cancel" and not arguments:
            self._cancel_form()
        else:
            self._screen.write(self._text("console.meta_help"))

    async def _switch(self, name: str, role_text: str) -> None:
        try:
            role = Role.parse(role_text)
        except ValueError:
            self._screen.write(self._text("console.bad_role", role=quote_back(role_text, 20)))
            return
        problem = console_name_problem(name) or console_role_problem(role)
        if problem is not None:
            self._screen.write(self._text(problem))
            return
        self._cancel_form(quietly=True)
        self._user, self._grants[name], self._choices = name, role, ()
        await self._announce("console.switched")

    async def _move(self, chat: str | None) -> None:
        if chat is not None and console_name_problem(chat) is not None:
            self._screen.write(self._text("console.bad_chat"))
            return
        self._cancel_form(quietly=True)
        self._chat, self._choices = chat, ()
        await self._announce("console.moved")

    def _block(self, name: str, blocked: bool) -> None:
        if console_name_problem(name) is not None:
            self._screen.write(self._text("console.bad_name"))
            return
        key = Actor(PLATFORM, name, name).key
        if blocked:
            self._blocked.add(key)
        else:
            self._blocked.discard(key)
        self._screen.write(
            self._text("console.blocked" if blocked else "console.unblocked", name=name)
        )

    def _cancel_form(self, *, quietly: bool = False) -> None:
        if self._form is not None:
            self._form = None
            if not quietly:
                self._screen.write(self._text("console.form.cancelled"))

    # -- small helpers -------------------------------------------------------------------

    async def _announce(self, key: str) -> None:
        role = Role.MEMBER
        if self._inbox is not None:
            role = await self._inbox.role_here(self.actor, self.place)
        if self._chat is None:
            where = self._text("console.where_private")
        else:
            where = self._text("console.where_shared", chat=f"#{self._chat}")
        self._screen.write(
            self._text(key, bot=self._bot_name, name=self._user, role=role.label, where=where)
        )

    def _prompt_text(self) -> str:
        return f"{self._user}> " if self._chat is None else f"{self._user} in #{self._chat}> "

    def _prompt(self) -> None:
        if not self._echo:
            self._screen.prompt(self._prompt_text())

    def _text(self, key: str, /, **params: object) -> str:
        return self._catalog.text(key, **params)
