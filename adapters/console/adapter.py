"""The console adapter: chat with PeerCircle in a terminal, or script it through a pipe.

A local operator tool, not a service: whoever types here may speak as anyone (``:as``),
in a private chat or in a pretend shared chat (``:group``), so one session can show
how the bot behaves for several people and in group chats.

When lines are handled. Every message goes through ``bot.lanes``, keyed by whoever
typed it (the current speaker, which ``:as`` changes), like every other adapter's:

- *Scripted* (input piped in, so echoed; the default when ``echo`` is on): each line
  waits until everything typed before it has been answered. A script's output is the
  same on every run, byte for byte, whatever the timing (the README's transcripts).
- *Live* (a person at a terminal; the default without ``echo``): a command is handed
  over at once and the next line read. One person's commands are answered in order,
  different speakers' side by side, and ``/crisis`` or ``/help`` at once, even while
  an earlier command of the same speaker waits on the database. Meta commands (``:as``,
  ``:group``...) act at once too. A line whose meaning depends on what the speaker was
  last shown (a number pressing a button, an answer to a form, plain text) waits until
  that speaker's earlier commands are answered. An answer that comes after its speaker
  or chat changed is headed with whom it is for, and opens no form or choices.

At end of input or ``:quit``, everything already typed is answered before the console
returns; ``stop()`` waits for it at most ``stop_grace`` seconds.
"""

from __future__ import annotations

import asyncio
import itertools
import re
from collections.abc import AsyncIterable, AsyncIterator, Awaitable, Coroutine, Sequence
from typing import Any, TextIO

from adapters.base import Capabilities, Inbox, Markup
from adapters.console.audiences import Audiences
from adapters.console.form import PendingForm
from adapters.console.input import InputLine
from adapters.console.render import render_message
from adapters.console.screen import Screen
from bot.catalog import Catalog
from bot.commands import CommandSpec, parse_command_text
from bot.events import ActionPressed, Actor, FormSubmitted, Incoming, Place, TextReceived
from bot.lanes import SLOW_DOWN, MemberLanes
from bot.platforms import MessageRef, RecipientUnreachable
from bot.replies import Audience, Button, Reply
from bot.roles import Role
from bot.text import clean_input, quote_back

CONSOLE_NAME = re.compile(r"^[A-Za-z0-9_.-]{1,32}$")
MAX_MESSAGE = 4096  # like Telegram, so long replies are split here as they will be there
PLATFORM = "console"
PROMPT_PATIENCE = 0.5  # live: how long the prompt waits for a quick answer to come first


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
        buttons=True,
        forms=True,
        ephemeral=True,
        max_text_length=MAX_MESSAGE,
        markup=Markup.PLAIN,
        files=False,  # an attachment is shown: its name, size and (if text) content
        images=False,  # an image is named, not shown (nothing is written to disk)
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
        live: bool | None = None,
        stop_grace: float = 5.0,
        notice: str | None = None,
    ) -> None:
        """``live``: hand commands over without waiting for earlier ones (see the module
        docstring); by default live exactly when not echoing, i.e. at a terminal.
        ``notice``: shown under the banner (say, that the bot runs in a degraded mode)."""
        self._catalog = catalog
        self._bot_name = bot_name
        self._user = user
        self._grants: dict[str, Role] = {user: role}
        self._lines = lines
        self._screen = Screen(out)
        self._echo = echo
        self._live = not echo if live is None else live
        self._stop_grace = stop_grace
        self._notice = notice
        self._lanes: MemberLanes[Incoming] = MemberLanes(self._work, self._refuse, name="console")
        self._quitting = False
        self._chat: str | None = None  # None: the private chat; else a shared chat's name
        self._choices: tuple[Button, ...] = ()
        self._form: PendingForm | None = None
        self._blocked: set[str] = set()
        self._audiences = Audiences(catalog, bot_name=bot_name, blocked=self._blocked)
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
        if self._notice is not None:
            self._screen.write(self._notice)
        lines = aiter(self._lines)
        while not self._quitting and not self._stopping.is_set() and not self._screen.closed:
            line = await self._next_line(lines)
            if line is None:
                break
            self._screen.answered()
            await self._take(inbox, line)
        await self._unless_stopped(self._lanes.settled())
        await self._lanes.drain(self._stop_grace)

    async def stop(self) -> None:
        self._stopping.set()

    async def settled(self) -> None:
        """Wait until everything typed so far has been answered."""
        await self._lanes.settled()

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
        """The next line; None at end of input or once stopped. Scripted, it is read only
        once everything earlier is answered. Live at a terminal, a quick answer gets a
        moment to come before the prompt (a slow one comes after it)."""
        if not self._live:
            await self._unless_stopped(self._lanes.settled())
        if self._stopping.is_set():
            return None
        reading = asyncio.ensure_future(anext(lines, None))
        if self._live and not self._echo:
            settled = self._lanes.settled(self.actor.key)
            await _first_of(settled, reading, self._stopping.wait(), within=PROMPT_PATIENCE)
        if not reading.done():
            self._prompt()
            await _first_of(reading, self._stopping.wait())
        if reading.done() and not self._stopping.is_set():
            return reading.result()
        reading.cancel()
        return None

    async def _unless_stopped(self, waiting: Coroutine[Any, Any, None]) -> None:
        await _first_of(waiting, self._stopping.wait())

    async def _take(self, inbox: Inbox, line: InputLine) -> None:
        if self._echo:  # cleaned: a piped escape sequence must not reach the terminal
            self._screen.write(f"{self._prompt_text()}{clean_input(line.text)}")
        if line.had_invalid_bytes:
            self._screen.write(self._text("console.invalid_bytes"))
        stripped = line.text.strip()
        if stripped.startswith(":"):
            await self._meta(stripped[1:].split())
            return
        if parse_command_text(clean_input(stripped)) is None:  # means what was shown last
            await self._unless_stopped(self._lanes.settled(self.actor.key))
        if self._form is not None:
            self._answer_form(inbox, self._form, stripped)
        elif stripped.isdecimal() and self._choices:
            self._press(inbox, int(stripped))
        else:
            self._post(inbox, TextReceived(self.actor, self.place, line.text))

    def _press(self, inbox: Inbox, number: int) -> None:
        if not 1 <= number <= len(self._choices):
            count = len(self._choices)
            self._screen.write(self._text("console.no_such_choice", number=number, count=count))
            return
        action = self._choices[number - 1].action
        self._post(inbox, ActionPressed(self.actor, self.place, action))

    def _answer_form(self, inbox: Inbox, pending: PendingForm, text: str) -> None:
        problem = pending.answer(text)
        if problem is not None:
            self._screen.write(self._text(problem, limit=pending.current.max_length))
        elif pending.done:
            self._form = None
            submitted = FormSubmitted(
                pending.actor, pending.place, pending.form.form_id, dict(pending.answers)
            )
            self._post(inbox, submitted)
            return
        self._screen.write(self._audiences.form_prompt(pending))

    def _post(self, inbox: Inbox, incoming: Incoming) -> None:
        """To the speaker's lane (``/crisis`` and ``/help``: at once); answered later."""
        self._lanes.post(incoming.actor.key, incoming, urgent=inbox.is_urgent(incoming))

    async def _work(self, incoming: Incoming) -> None:
        if self._inbox is not None:
            self._show_answer(await self._inbox.handle(incoming), incoming.actor, incoming.place)

    async def _refuse(self, incoming: Incoming) -> None:
        slow_down = Reply(self._text(SLOW_DOWN), audience=Audience.ONLY_YOU)
        self._show_answer([slow_down], incoming.actor, incoming.place)

    # -- showing -------------------------------------------------------------------------

    def _show_answer(self, replies: Sequence[Reply], actor: Actor, place: Place) -> None:
        """Every reply to what ``actor`` did in ``place``, each to its audience; buttons
        are numbered across the whole answer. Its buttons and form are the console's to
        answer only while that speaker is still typing there."""
        current = actor == self.actor and place == self.place
        choices: list[Button] = []
        for reply in replies:
            for heading, text, buttons in self._audiences.blocks(
                reply, actor, place, current=current
            ):
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
            if reply.form is not None and current:
                self._form = PendingForm(reply.form, actor, place)
                self._screen.write(self._audiences.form_prompt(self._form))
        if current:
            self._choices = tuple(choices)

    def _show(self, reply: Reply, heading: str, chat_id: str) -> MessageRef:
        shown = render_message(
            self._audiences.shown_text(reply),
            heading=heading,
            continued=self._text("console.continued"),
            buttons=reply.buttons,
            numbered_from=0,
            limit=MAX_MESSAGE,
        )
        self._screen.write(shown.text)
        return MessageRef(PLATFORM, chat_id, (str(next(self._message_ids)),))

    # -- console options -----------------------------------------------------------------

    async def _meta(self, words: list[str]) -> None:
        command, arguments = (words[0].lower(), words[1:]) if words else ("", [])
        if command == "quit":
            self._quitting = True
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


async def _first_of(*waiting: Awaitable[object], within: float | None = None) -> None:
    """Wait until one of ``waiting`` is done (or ``within`` seconds). The coroutines are
    run here and cancelled once one is done; a future the caller holds (a pending read)
    is left alone."""
    tasks = [asyncio.ensure_future(w) for w in waiting]
    ours = [task for task, w in zip(tasks, waiting, strict=True) if task is not w]
    try:
        await asyncio.wait(tasks, timeout=within, return_when=asyncio.FIRST_COMPLETED)
    finally:
        for task in ours:
            task.cancel()
