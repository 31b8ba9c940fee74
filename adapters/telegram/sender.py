"""Every call the adapter makes to the Bot API, with the retries Telegram asks for.

- ``RetryAfter`` (429, flood control): wait the time Telegram names, then try again;
  or, for a notice the outbox can send later, raise ``PlatformBusy`` at once
  (``pacing.py`` says which).
- ``NetworkError`` and ``TimedOut`` (no answer, a 5xx): try again after a pause that
  doubles. A timed-out send may still have arrived, so a retry can rarely show a
  message twice; losing a reply is worse.
- Anything else (``Forbidden``, ``BadRequest``, ``InvalidToken``) is an answer, not an
  accident: raised at once.

- ``ChatMigrated`` (a group chat was upgraded to a supergroup, which has a new id): the
  message goes again to the new id, and so does everything after it for that chat while
  the process runs; the log tells once which ``telegram_chat_id`` to put in the config
  (the config stays the source of truth: it is never rewritten).

Attempts are bounded; after the last one the error is raised (the messenger records a
failed delivery). The sender owns a ``telegram.Bot`` that connects on first use, so a
private message can go out before the adapter has started polling.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import logging
import warnings
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from functools import partial
from typing import TypeVar

from telegram import Bot, InputFile, LinkPreviewOptions, Message, ReplyParameters
from telegram.constants import ParseMode
from telegram.error import BadRequest, ChatMigrated, NetworkError, RetryAfter
from telegram.warnings import PTBDeprecationWarning

from adapters.telegram.pacing import Pacing
from adapters.telegram.render import Part
from bot.platforms import PlatformBusy
from bot.replies import Attachment

# python-telegram-bot 22 warns (on stderr, as a UserWarning) whenever it builds a
# RetryAfter, because retry_after will become a timedelta; retry_after_seconds reads both.
RETRY_AFTER_CHANGE = r"Deprecated since version v22\.2: .*`retry_after`"
warnings.filterwarnings("ignore", RETRY_AFTER_CHANGE, PTBDeprecationWarning)

Result = TypeVar("Result")
NO_PREVIEW = LinkPreviewOptions(is_disabled=True)  # never fetch a link someone wrote
PHOTO_REFUSALS = ("image_process_failed", "photo_invalid_dimensions")
logger = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class RetryPolicy:
    attempts: int = 4  # tries per call, whatever went wrong
    network_pause: float = 0.5  # before the second try after a network error; doubles
    longest_wait: float = 60.0  # a flood-control wait longer than this is not waited out
    # An answer someone is waiting for (a 429 waited out) is tried beyond ``attempts``
    # while its next try would start within this many seconds of the first, the pause
    # never above ``longest_pause``: four faults in a row lost a reply in the fault soak.
    answer_patience: float = 20.0
    longest_pause: float = 2.0


class Sender:
    def __init__(self, bot: Bot, policy: RetryPolicy) -> None:
        self.bot = bot
        self._policy = policy
        self._connecting = asyncio.Lock()
        self._moved: dict[int, int] = {}  # a group chat's old id -> its supergroup's id

    def moved(self, old_chat_id: int, new_chat_id: int) -> None:
        """The group chat ``old_chat_id`` is now the supergroup ``new_chat_id``: send
        there from now on; the first time, tell the organizer what to change."""
        if self._moved.get(old_chat_id) == new_chat_id:
            return
        self._moved[old_chat_id] = new_chat_id
        logger.warning(
            "telegram: the group chat %d was upgraded to a supergroup and now has the id "
            "%d. Messages for it go to the new id until PeerCircle restarts; update the "
            "config: wherever it says telegram_chat_id = %d, write telegram_chat_id = %d "
            "(then run peercircle reload)",
            old_chat_id,
            new_chat_id,
            old_chat_id,
            new_chat_id,
        )

    async def _to_chat(
        self, chat_id: int, send: Callable[[int], Callable[[Bot], Awaitable[Message]]], flood: bool
    ) -> Message:
        """``send`` to ``chat_id``, or to the supergroup it became."""
        try:
            return await self.call(send(self._moved.get(chat_id, chat_id)), wait_out_flood=flood)
        except ChatMigrated as migrated:
            self.moved(chat_id, migrated.new_chat_id)
            return await self.call(send(migrated.new_chat_id), wait_out_flood=flood)

    @property
    def username(self) -> str | None:
        """The bot's @username (without the @), once connected."""
        try:
            return self.bot.username
        except RuntimeError:  # not initialized yet
            return None

    async def ready(self) -> Bot:
        """The bot, connected (getMe) if it was not yet."""
        async with self._connecting:
            await self.bot.initialize()
        return self.bot

    async def close(self) -> None:
        async with self._connecting:
            await self.bot.shutdown()

    async def call(
        self, action: Callable[[Bot], Awaitable[Result]], *, wait_out_flood: bool = True
    ) -> Result:
        """``action(bot)``, tried again as Telegram's answer allows. With
        ``wait_out_flood`` false a 429 raises ``PlatformBusy`` instead of being waited."""
        bot = await self.ready()
        policy, loop = self._policy, asyncio.get_running_loop()
        pause, started, attempt = policy.network_pause, loop.time(), 0
        while True:
            attempt += 1
            try:
                return await action(bot)
            except RetryAfter as limited:
                wait = retry_after_seconds(limited)
                if not wait_out_flood:
                    raise PlatformBusy(wait) from None
                if wait > policy.longest_wait or not self._again(attempt, started, wait, True):
                    raise
                await asyncio.sleep(wait)
            except BadRequest:  # a NetworkError by inheritance, but Telegram's answer
                raise
            except NetworkError:  # includes TimedOut
                if not self._again(attempt, started, pause, wait_out_flood):
                    raise
                await asyncio.sleep(pause)
                pause = min(pause * 2, max(policy.longest_pause, policy.network_pause))

    def _again(self, attempt: int, started: float, pause: float, answer: bool) -> bool:
        """Whether to try once more after ``attempt`` tries and a ``pause``."""
        if attempt < self._policy.attempts:
            return True
        elapsed = asyncio.get_running_loop().time() - started
        return answer and elapsed + pause < self._policy.answer_patience

    async def post(
        self,
        chat_id: int,
        parts: Sequence[Part],
        *,
        thread_id: int | None = None,
        reply_to: int | None = None,
        pacing: Pacing | None = None,
        group_chat: bool = False,
    ) -> list[int]:
        """Send ``parts`` in order, each when ``pacing`` allows (``group_chat``: the chat
        is shared); the ids of the messages sent."""
        pacing = pacing or Pacing.answer(None)
        ids: list[int] = []
        for part in parts:
            await pacing.turn(chat_id, group_chat=group_chat)
            send = partial(_send, part=part, thread_id=thread_id, reply_to=reply_to)
            message = await self._to_chat(chat_id, send, pacing.waits_out_flood_control)
            pacing.sent()
            ids.append(message.message_id)
            reply_to = None  # only the first part answers the person's message
        return ids

    async def post_attachment(
        self,
        chat_id: int,
        attachment: Attachment,
        caption: Part | None,
        *,
        thread_id: int | None = None,
        reply_to: int | None = None,
        pacing: Pacing | None = None,
        group_chat: bool = False,
    ) -> int:
        """Upload ``attachment``, ``caption`` (if any) under it, when ``pacing`` allows;
        the id of the message sent. An image goes as a photo, shown in the chat; one
        Telegram cannot take as a photo goes again, as a document."""
        pacing = pacing or Pacing.answer(None)
        await pacing.turn(chat_id, group_chat=group_chat)
        flood = pacing.waits_out_flood_control
        upload = partial(
            _upload, attachment=attachment, caption=caption, thread_id=thread_id, reply_to=reply_to
        )
        if not attachment.is_image:
            message = await self._to_chat(chat_id, partial(upload, as_photo=False), flood)
        else:
            try:
                message = await self._to_chat(chat_id, partial(upload, as_photo=True), flood)
            except BadRequest as refused:
                if not _photo_refused(refused):
                    raise
                logger.warning("telegram: a photo was refused (%s); sent as a file", refused)
                message = await self._to_chat(chat_id, partial(upload, as_photo=False), flood)
        pacing.sent()
        return message.message_id

    async def edit(self, chat_id: int, message_id: int, part: Part) -> None:
        async def edit(bot: Bot) -> object:
            return await bot.edit_message_text(
                part.html,
                chat_id=chat_id,
                message_id=message_id,
                parse_mode=ParseMode.HTML,
                reply_markup=part.keyboard,
                link_preview_options=NO_PREVIEW,
            )

        try:
            await self.call(edit)
        except BadRequest as refused:
            if "not modified" not in refused.message.casefold():
                raise  # the same text again is no failure

    async def delete(self, chat_id: int, message_id: int) -> None:
        async def delete(bot: Bot) -> bool:
            return await bot.delete_message(chat_id, message_id)

        await self.call(delete)


def _send(
    chat_id: int, *, part: Part, thread_id: int | None, reply_to: int | None
) -> Callable[[Bot], Awaitable[Message]]:
    answering = _answering(reply_to)

    async def send(bot: Bot) -> Message:
        return await bot.send_message(
            chat_id,
            part.html,
            parse_mode=ParseMode.HTML,
            reply_markup=part.keyboard,
            message_thread_id=thread_id,
            link_preview_options=NO_PREVIEW,
            reply_parameters=answering,
        )

    return send


def _upload(
    chat_id: int,
    *,
    attachment: Attachment,
    caption: Part | None,
    thread_id: int | None,
    reply_to: int | None,
    as_photo: bool,
) -> Callable[[Bot], Awaitable[Message]]:
    """Sending ``attachment`` as a photo (sendPhoto) or a document (sendDocument)."""
    answering = _answering(reply_to)
    html = caption.html if caption is not None and caption.html else None
    keyboard = caption.keyboard if caption is not None else None

    parse_mode = ParseMode.HTML if html else None

    async def send(bot: Bot) -> Message:
        upload = InputFile(attachment.content, filename=attachment.filename)
        if as_photo:
            return await bot.send_photo(
                chat_id,
                upload,
                caption=html,
                parse_mode=parse_mode,
                reply_markup=keyboard,
                message_thread_id=thread_id,
                reply_parameters=answering,
            )
        return await bot.send_document(
            chat_id,
            upload,
            caption=html,
            parse_mode=parse_mode,
            reply_markup=keyboard,
            message_thread_id=thread_id,
            reply_parameters=answering,
        )

    return send


def _photo_refused(refused: BadRequest) -> bool:
    """Telegram could not make a photo of the file (not an image it reads, or of
    dimensions it does not take); as a document it still arrives."""
    return any(reason in refused.message.casefold() for reason in PHOTO_REFUSALS)


def _answering(reply_to: int | None) -> ReplyParameters | None:
    if reply_to is None:
        return None
    return ReplyParameters(reply_to, allow_sending_without_reply=True)


def retry_after_seconds(limited: RetryAfter) -> float:
    """Seconds to wait: ``retry_after`` is an int today and a timedelta with
    ``PTB_TIMEDELTA=true`` (and in the next major version)."""
    wait = limited.retry_after
    return wait.total_seconds() if isinstance(wait, dt.timedelta) else float(wait)
