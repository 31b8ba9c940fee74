"""/mydata and /forgetme: a member's copy of their data, and its erasure.

``/mydata`` answers with a JSON file of every section ``DataRights`` exports, only for
the member (in a shared chat the platform moves it to their private chat).

``/forgetme`` always asks first, with buttons. The "Yes" button carries the moment it
was shown (``forgetme:confirm 1795683600``) and counts for ``CONFIRM_WINDOW``: a typed
``/forgetme confirm`` (or an old button) asks again, so nobody erases everything by
accident. The erasure is one transaction (``DataRights.erase``).
"""

from __future__ import annotations

import json
import logging
from datetime import timedelta

from bot.args import Args, ParamSpec
from bot.commands import CommandSpec
from bot.context import Context
from bot.errors import UserError
from bot.replies import MAX_ATTACHMENT_BYTES, Attachment, Audience, Button, Reply
from groups.personal_data import DataRights, Export, iso

logger = logging.getLogger(__name__)

EXPORT_FILENAME = "peercircle-my-data.json"
EXPORT_TYPE = "application/json"
CONFIRM_WINDOW = timedelta(minutes=15)
CONFIRM = "confirm"
CANCEL = "cancel"
ANSWER = ParamSpec("answer", "params.forgetme_answer", required=False, rest=True, max_length=40)


class DataRightsCommands:
    def __init__(self, rights: DataRights) -> None:
        self._rights = rights

    def specs(self) -> list[CommandSpec]:
        return [
            CommandSpec("mydata", "commands.mydata", self.my_data),
            CommandSpec("forgetme", "commands.forgetme", self.forget_me, (ANSWER,)),
        ]

    async def my_data(self, ctx: Context, args: Args) -> Reply:
        exported = await self._rights.export(ctx.actor)
        attachment = export_file(document(ctx, exported))
        if attachment is None:
            raise UserError("data_rights.mydata.too_big")
        logger.info("data rights: sent a member their data (%d bytes)", len(attachment.content))
        return ctx.reply(
            "data_rights.mydata.ready",
            audience=Audience.ONLY_YOU,
            attachment=attachment,
            filename=EXPORT_FILENAME,
        )

    async def forget_me(self, ctx: Context, args: Args) -> Reply:
        verb, _, stamp = (args.optional_text("answer") or "").strip().lower().partition(" ")
        if verb == CANCEL:
            return ctx.reply("data_rights.forgetme.cancelled", audience=Audience.ONLY_YOU)
        if verb != CONFIRM:
            return self._ask(ctx, None)
        if not stamp.strip():
            return self._ask(ctx, "data_rights.forgetme.typed")
        if not self._fresh(ctx, stamp.strip()):
            return self._ask(ctx, "data_rights.forgetme.expired")
        erasure = await self._rights.erase(ctx.actor)
        if erasure.total == 0:
            return ctx.reply("data_rights.forgetme.nothing", audience=Audience.ONLY_YOU)
        return ctx.reply("data_rights.forgetme.done", audience=Audience.ONLY_YOU)

    def _ask(self, ctx: Context, why: str | None) -> Reply:
        """The confirmation, with its buttons; ``why`` wraps it in a reason to ask again."""
        shown = int(ctx.clock.now().timestamp())
        buttons = (
            Button(ctx.text("data_rights.buttons.confirm"), f"forgetme:{CONFIRM} {shown}"),
            Button(ctx.text("data_rights.buttons.cancel"), f"forgetme:{CANCEL}"),
        )
        ask = ctx.text("data_rights.forgetme.ask")
        minutes = int(CONFIRM_WINDOW.total_seconds() // 60)
        text = ask if why is None else ctx.text(why, ask=ask, minutes=minutes)
        return Reply(text, audience=Audience.ONLY_YOU, buttons=buttons)

    def _fresh(self, ctx: Context, stamp: str) -> bool:
        """Whether a "Yes" button shown at ``stamp`` (epoch seconds) still counts."""
        # ASCII digits only: str.isdigit() also takes "²" and "①", which int() refuses.
        if not (stamp.isascii() and stamp.isdigit()) or len(stamp) > 12:
            return False
        age = ctx.clock.now().timestamp() - int(stamp)
        return 0 <= age <= CONFIRM_WINDOW.total_seconds()


def document(ctx: Context, exported: Export) -> dict[str, object]:
    """The export as the file holds it: what it is, when it was made, the statement
    about check-ins, then every section."""
    return {
        "about": ctx.text("data_rights.export.about"),
        "generated_at": iso(exported.generated_at),
        "check_ins": ctx.text("data_rights.export.check_ins"),
        "your_data": dict(exported.sections),
    }


def export_file(content: dict[str, object], limit: int = MAX_ATTACHMENT_BYTES) -> Attachment | None:
    """``content`` as a UTF-8 JSON file, indented for reading; without the indentation
    if that is what it takes to fit ``limit``; None if it does not fit even then."""
    for indent in (2, None):
        encoded = json.dumps(content, ensure_ascii=False, indent=indent).encode("utf-8")
        if len(encoded) <= limit:
            return Attachment(EXPORT_FILENAME, encoded, EXPORT_TYPE)
    return None
