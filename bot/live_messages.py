"""Live messages: one shared message many people act on (a meeting card's RSVP
buttons), kept up to date without one edit per click.

A platform limits how often a message may be edited (Discord: about 5 requests per 5
seconds in a channel; Telegram: about 20 messages a minute in a group chat, edits
included), so re-rendering a shared message on every click makes a busy message fall
behind by minutes and then fail. Here, refreshes are **coalesced** per message
(``MessageRef``):

- at most one edit of a message is in flight at a time;
- after an edit, the next waits ``every`` seconds (per platform);
- what is shown is rendered *at edit time* (the ``render`` callback reads the fresh
  state), so the refreshes asked for while waiting become one edit, and the state after
  the last click is always shown in the end.

N clicks over D seconds thus make at most ``ceil(D / every) + 1`` edits. An edit that
fails (the message was deleted, the bot may no longer post there, a 429 the adapter's
retries did not outlast) is logged by type only, never with the message's text, and
never reaches the person who clicked: their own answer does not wait for the edit.

``close`` (at stop) takes no new refresh, makes a refresh still waiting for its turn
go at once, and gives up on whatever is not done within its grace: a card left one
click behind is better than a stop that waits.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass, field

from bot.errors import log_incident, new_incident_id
from bot.events import MessageRef
from bot.replies import Reply

logger = logging.getLogger(__name__)

__all__ = ["DEFAULT_EVERY", "Edit", "LiveMessages", "Render", "Sleep"]

DEFAULT_EVERY = 2.0  # seconds between edits of one message on a platform not named
CLOSE_GRACE = 1.0  # seconds ``close`` lets the last edits take

Render = Callable[[], Awaitable[Reply | None]]
"""The message as it should read now (None: leave it as it is)."""
Edit = Callable[[MessageRef, Reply], Awaitable[None]]
"""Replace the message (``Platforms.edit``)."""
Sleep = Callable[[float], Awaitable[None]]


@dataclass(slots=True, eq=False)
class _Live:
    render: Render
    dirty: bool = True  # a refresh was asked for since the last render began
    shown: Reply | None = None  # what the last edit put there
    task: asyncio.Task[None] | None = field(default=None, repr=False)


class LiveMessages:
    def __init__(
        self,
        edit: Edit,
        every: Mapping[str, float] | None = None,
        *,
        default_every: float = DEFAULT_EVERY,
        sleep: Sleep = asyncio.sleep,
    ) -> None:
        """``every``: seconds between two edits of one message, by platform name."""
        self._edit = edit
        self._every = dict(every or {})
        self._default_every = default_every
        self._sleep = sleep
        self._live: dict[MessageRef, _Live] = {}
        self._closing = asyncio.Event()
        self.edits = 0  # edits made (for tests and benchmarks)
        self.failures = 0  # edits that failed

    def every(self, platform: str) -> float:
        return self._every.get(platform, self._default_every)

    @property
    def pending(self) -> int:
        """Messages with an edit in flight or waiting for its turn."""
        return len(self._live)

    def refresh(self, ref: MessageRef, render: Render) -> None:
        """Ask for ``ref`` to show ``render()``'s reply soon. Never waits, never raises."""
        if self._closing.is_set():
            return
        live = self._live.get(ref)
        if live is not None:
            live.render = render
            live.dirty = True
            return
        live = _Live(render)
        self._live[ref] = live
        live.task = asyncio.get_running_loop().create_task(
            self._keep(ref, live), name="live message"
        )

    async def close(self, grace: float = CLOSE_GRACE) -> None:
        """No new refreshes; the waiting ones go now; what is not done in ``grace``
        seconds is dropped."""
        self._closing.set()
        tasks = [live.task for live in self._live.values() if live.task is not None]
        if not tasks:
            return
        _, late = await asyncio.wait(tasks, timeout=grace)
        for task in late:
            task.cancel()
        for task in late:
            with contextlib.suppress(asyncio.CancelledError):
                await task
        if late:
            logger.info("live messages: %d refresh(es) dropped at stop", len(late))

    async def _keep(self, ref: MessageRef, live: _Live) -> None:
        """Edit while refreshes keep coming, ``every`` seconds apart at least."""
        try:
            while live.dirty:
                live.dirty = False
                await self._edit_once(ref, live)
                await self._pause(self.every(ref.platform))
        finally:
            if self._live.get(ref) is live:
                del self._live[ref]

    async def _edit_once(self, ref: MessageRef, live: _Live) -> None:
        try:
            reply = await live.render()
            if reply is None or reply == live.shown:
                return
            await self._edit(ref, reply)
            live.shown = reply
            self.edits += 1
        except Exception as error:  # never the text: it may quote members
            self.failures += 1
            log_incident(logger, new_incident_id(), f"live message on {ref.platform}", error)

    async def _pause(self, seconds: float) -> None:
        """``seconds``, or less if ``close`` comes first."""
        if self._closing.is_set():
            return
        sleeping = asyncio.ensure_future(self._sleep(seconds))
        closing = asyncio.ensure_future(self._closing.wait())
        try:
            await asyncio.wait({sleeping, closing}, return_when=asyncio.FIRST_COMPLETED)
        finally:
            for waiting in (sleeping, closing):
                waiting.cancel()
            await asyncio.gather(sleeping, closing, return_exceptions=True)
