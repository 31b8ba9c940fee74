"""Each message the adapter sends waits for its turn under Telegram's limits.

The limits themselves live in the core (``bot.ratelimit``), one ``PlatformLimiter``
for the whole process, shared with the ``Messenger``. A ``Pacing`` covers one batch of
messages — the answer to one update, or one notice — and says how each message in it
waits:

- **an answer** (the replies to an update, pointers and form questions included) waits
  for an ``interactive`` turn before every message, and a 429 is waited out (bounded,
  see ``sender.py``): the person is waiting for it;
- **a notice** (``send`` and ``send_private``, which the core calls through the
  ``Messenger``) does not wait before its first message: the Messenger already waited
  for that ``proactive`` turn. Any further message of it (a long text's next part, a
  form's first question) waits for a proactive turn here. A 429 before anything of the
  notice went out raises ``PlatformBusy`` at once, so the outbox can try it later
  instead of the adapter sleeping on it; once part of it is out, the rest waits like
  an answer, so nobody gets half a notice twice.

Without a limiter (tests, tools) nothing waits, as before.
"""

from __future__ import annotations

from bot.ratelimit import PlatformLimiter


class Pacing:
    def __init__(self, limiter: PlatformLimiter | None, *, interactive: bool) -> None:
        self._limiter = limiter
        self._interactive = interactive
        self._sent = 0

    @classmethod
    def answer(cls, limiter: PlatformLimiter | None) -> Pacing:
        """For replies to what a person just did."""
        return cls(limiter, interactive=True)

    @classmethod
    def notice(cls, limiter: PlatformLimiter | None) -> Pacing:
        """For a message the bot sends on its own, through the Messenger."""
        return cls(limiter, interactive=False)

    @property
    def waits_out_flood_control(self) -> bool:
        """Whether a 429 is waited out (an answer, or a notice already partly sent)."""
        return self._interactive or self._sent > 0

    async def turn(self, chat_id: int, *, group_chat: bool) -> None:
        """Wait until the next message to ``chat_id`` may go out."""
        if self._limiter is None:
            return
        if self._interactive:
            await self._limiter.interactive(str(chat_id), group_chat=group_chat)
        elif self._sent:  # the Messenger waited for the first message's turn
            await self._limiter.proactive(str(chat_id), group_chat=group_chat)

    def sent(self) -> None:
        """One more message of this batch went out."""
        self._sent += 1
