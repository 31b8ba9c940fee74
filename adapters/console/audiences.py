"""Who sees what on the console: the heading over each message, and a form's question.

The console shows every audience at once, so each message is headed with who sees it:
everyone in a shared chat, only the person who typed, or a private message. In the
private chat everything is for the person typing, so nothing is headed, unless by the
time the answer comes someone else is typing (``:as``) or elsewhere: then it is headed
with whom it is for.

An attachment is shown under the text of the message that carries it: a line with its
name and size, then (for a text file, such as an ``.ics`` calendar) its content,
indented. An image (the check-in trend chart) is only named: a terminal cannot show it,
and the reply's text says the same in words (the trend as a sparkline). Nothing is
written to disk: a file of check-in figures left in a temporary folder would outlive
the session, and a scripted session's output stays the same on every run.
"""

from __future__ import annotations

from collections.abc import Set

from adapters.console.form import PendingForm
from adapters.console.render import indent
from bot.catalog import Catalog
from bot.events import Actor, Place
from bot.replies import Attachment, Audience, Button, Reply

Block = tuple[str | None, str, tuple[Button, ...]]  # (heading, text, buttons)


class Audiences:
    def __init__(self, catalog: Catalog, *, bot_name: str, blocked: Set[str]) -> None:
        """``blocked``: member keys of people who blocked the bot (the console's own set)."""
        self._catalog = catalog
        self._bot_name = bot_name
        self._blocked = blocked

    def blocks(self, reply: Reply, actor: Actor, place: Place, *, current: bool) -> list[Block]:
        """Each message ``reply`` to ``actor`` in ``place`` makes, headed with who sees it;
        ``current``: that speaker is still the one typing, there."""
        name, text = actor.user_id, self.shown_text(reply)
        if place.private:
            heading = None if current else self._text("console.message_to", name=name)
            return [(heading, text, reply.buttons)]
        everyone = self._text("console.everyone_in", chat=place.chat_id)
        if reply.audience is Audience.HERE:
            return [(everyone, text, reply.buttons)]
        if reply.audience is Audience.ONLY_YOU:
            return [(self._text("console.only_you", name=name), text, reply.buttons)]
        if actor.key in self._blocked:  # the neutral pointer, and nothing else
            return [(everyone, self._text("audience.could_not_message", bot=self._bot_name), ())]
        return [
            (self._text("console.private_to", name=name), text, reply.buttons),
            (everyone, self._text("audience.sent_privately"), ()),
        ]

    def shown_text(self, reply: Reply) -> str:
        """The reply's text, with its attachment (if any) shown under it."""
        if reply.attachment is None:
            return reply.text
        return f"{reply.text}\n{self.attachment_text(reply.attachment)}"

    def attachment_text(self, attachment: Attachment) -> str:
        kilobytes = f"{len(attachment.content) / 1024:.1f}"
        named = {"filename": attachment.filename, "kilobytes": kilobytes}
        if attachment.is_image:
            return self._text("console.image", **named)
        line = self._text("console.attachment", **named)
        if not attachment.is_text:
            return line
        return f"{line}\n{indent(attachment.content.decode('utf-8', 'replace'))}"

    def form_prompt(self, pending: PendingForm) -> str:
        heading = self._text(
            "console.form.question",
            title=pending.form.title,
            number=len(pending.answers) + 1,
            count=len(pending.form.fields),
        )
        return f"{heading}\n{indent(pending.prompt(self._catalog))}"

    def _text(self, key: str, /, **params: object) -> str:
        return self._catalog.text(key, **params)
