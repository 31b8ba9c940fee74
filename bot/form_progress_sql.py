"""SQL for the ``form_progress`` table (created by the app's migrations): forms in
progress kept in the bot's database. The only place that knows the table."""

from __future__ import annotations

from datetime import datetime

from bot.events import Actor
from bot.form_progress import (
    FormProgress,
    decode_answers,
    decode_form,
    encode_answers,
    encode_form,
)
from bot.instants import from_epoch_ms, to_epoch_ms
from bot.storage.database import Database, Executor


class SqlFormProgress:
    """``FormProgressStore`` in the database, so a conversation outlives a restart."""

    def __init__(self, database: Database) -> None:
        self._db = database

    async def load(self, actor: Actor) -> FormProgress | None:
        row = await self._db.fetch_one(
            "SELECT tag, form, answers, touched_at FROM form_progress"
            " WHERE platform = :platform AND user_id = :user_id",
            {"platform": actor.platform, "user_id": actor.user_id},
        )
        if row is None:
            return None
        form, place = decode_form(str(row["form"]))
        answers = row["answers"]
        return FormProgress(
            tag=str(row["tag"]),
            form=form,
            place=place,
            answers=() if answers is None else decode_answers(str(answers)),
            touched=from_epoch_ms(int(row["touched_at"])),
            expired=answers is None,
        )

    async def save(self, actor: Actor, progress: FormProgress) -> None:
        await self._db.execute(
            "INSERT INTO form_progress (platform, user_id, tag, form, answers, touched_at)"
            " VALUES (:platform, :user_id, :tag, :form, :answers, :touched_at)"
            " ON CONFLICT (platform, user_id) DO UPDATE SET tag = excluded.tag,"
            " form = excluded.form, answers = excluded.answers,"
            " touched_at = excluded.touched_at",
            {
                "platform": actor.platform,
                "user_id": actor.user_id,
                "tag": progress.tag,
                "form": encode_form(progress.form, progress.place),
                "answers": None if progress.expired else encode_answers(progress.answers),
                "touched_at": to_epoch_ms(progress.touched),
            },
        )

    async def forget(self, actor: Actor) -> None:
        await self._db.execute(
            "DELETE FROM form_progress WHERE platform = :platform AND user_id = :user_id",
            {"platform": actor.platform, "user_id": actor.user_id},
        )

    async def kept_keys(self) -> set[str]:
        rows = await self._db.fetch_all("SELECT platform, user_id FROM form_progress")
        return {f"{row['platform']}:{row['user_id']}" for row in rows}

    async def expire(self, idle_before: datetime, forget_before: datetime) -> int:
        async with self._db.transaction() as tx:
            wiped = await tx.execute(
                "UPDATE form_progress SET answers = NULL"
                " WHERE touched_at < :idle_before AND answers IS NOT NULL",
                {"idle_before": to_epoch_ms(idle_before)},
            )
            deleted = await tx.execute(
                "DELETE FROM form_progress WHERE touched_at < :forget_before",
                {"forget_before": to_epoch_ms(forget_before)},
            )
        return wiped + deleted


class FormProgressData:
    """The ``form_progress`` row in a member's data export and erasure (the shape of
    the domain's ``PersonalData``): the form they are answering and their answers so far."""

    section = "form_in_progress"

    async def export(self, db: Executor, actor: Actor) -> object:
        row = await db.fetch_one(
            "SELECT tag, answers, touched_at FROM form_progress"
            " WHERE platform = :platform AND user_id = :user_id",
            {"platform": actor.platform, "user_id": actor.user_id},
        )
        if row is None:
            return None
        answers = row["answers"]
        return {
            "form": str(row["tag"]),
            "answers_so_far": None if answers is None else dict(decode_answers(str(answers))),
            "last_answered_at": from_epoch_ms(int(row["touched_at"])).isoformat(),
        }

    async def erase(self, tx: Executor, actor: Actor) -> int:
        return await tx.execute(
            "DELETE FROM form_progress WHERE platform = :platform AND user_id = :user_id",
            {"platform": actor.platform, "user_id": actor.user_id},
        )
