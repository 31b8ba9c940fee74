"""SQL for claims on outbox rows: leases, taken a batch at a time.

A claim marks due rows as owned until ``claimed_until`` with a fresh token, and every
later change names that token, so a worker whose lease ran out (it crashed, or hung)
cannot overwrite what another worker did since. It is two statements in one transaction:
a SELECT of the most overdue rows, which on PostgreSQL locks them and skips rows another
claim holds (``FOR UPDATE SKIP LOCKED``: workers in several processes claiming at once
take different rows instead of all reaching for the most overdue ones), and an UPDATE
guarded by the state it read, so two workers never both own a row. On SQLite the
transaction holds the write lock, which is as good.

A batch shares one token; the statements that end, extend or release several claimed
rows at once name each row by its id and its token (``store.py`` has the rest of the
table's SQL).
"""

from __future__ import annotations

import secrets
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from bot.events import Actor, Place
from bot.instants import from_epoch_ms, to_epoch_ms
from bot.outbox.message import Target, decode_body
from bot.replies import Button
from bot.storage.database import Database, Executor, Row

DUE = (
    "status = 'pending' AND next_attempt_at <= :now"
    " AND (claimed_until IS NULL OR claimed_until <= :now)"
)


@dataclass(frozen=True, slots=True)
class Claimed:
    """A row a worker owns until its lease runs out."""

    id: int
    token: str
    kind: str
    target: Target
    text: str
    buttons: tuple[Button, ...]
    attempts: int
    not_after: datetime | None


async def claim_batch(db: Database, now: datetime, lease: timedelta, limit: int) -> list[Claimed]:
    """Own up to ``limit`` of the most overdue rows for ``lease``, oldest first (one
    token for them all); empty when nothing is due."""
    params = {"now": to_epoch_ms(now)}
    token = secrets.token_hex(8)
    async with db.transaction(quick=True) as tx:
        rows = await tx.fetch_all(
            f"SELECT * FROM outbox WHERE {DUE} ORDER BY next_attempt_at, id"
            f" LIMIT {int(limit)} FOR UPDATE SKIP LOCKED",  # other processes take other rows
            params,
        )
        if not rows:
            return []
        ids = {f"i{n}": int(row["id"]) for n, row in enumerate(rows)}
        owned = await tx.fetch_all(
            "UPDATE outbox SET claimed_until = :until, claim_token = :token"
            f" WHERE id IN ({', '.join(':' + name for name in ids)}) AND {DUE} RETURNING id",
            {**params, **ids, "token": token, "until": to_epoch_ms(now + lease)},
        )
    mine = {int(row["id"]) for row in owned}  # all of them, unless another worker won
    return [claimed_from(row, token) for row in rows if int(row["id"]) in mine]


async def finish_sent(db: Executor, rows: Sequence[Claimed], now: datetime) -> int:
    """End ``rows`` as sent, in one statement (as ``OutboxStore.finish`` does one row);
    how many were still ours."""
    if not rows:
        return 0
    owned, params = _owned(rows)
    return await db.execute(
        "UPDATE outbox SET status = 'sent', finished_at = :now, last_error = NULL, body = '',"
        " attempts = attempts + 1, claimed_until = NULL, claim_token = NULL"
        f" WHERE ({owned})",
        {**params, "now": to_epoch_ms(now)},
    )


async def extend_all(db: Executor, rows: Sequence[Claimed], until: datetime) -> int:
    """Keep owning ``rows`` (those still pending) until ``until``; how many still were ours."""
    if not rows:
        return 0
    owned, params = _owned(rows)
    return await db.execute(
        f"UPDATE outbox SET claimed_until = :until WHERE status = 'pending' AND ({owned})",
        {**params, "until": to_epoch_ms(until)},
    )


async def release(db: Executor, rows: Sequence[Claimed]) -> int:
    """Give up the claims on ``rows``, unsent: due again at once, for any worker."""
    if not rows:
        return 0
    owned, params = _owned(rows)
    return await db.execute(
        "UPDATE outbox SET claimed_until = NULL, claim_token = NULL"
        f" WHERE status = 'pending' AND ({owned})",
        params,
    )


async def still_ours(db: Database, row: Claimed) -> bool:
    """Whether ``row`` is still pending under its claim (a read: it was not withdrawn,
    erased or taken over since it was claimed)."""
    found = await db.fetch_one(
        "SELECT id FROM outbox WHERE id = :id AND claim_token = :token AND status = 'pending'",
        {"id": row.id, "token": row.token},
    )
    return found is not None


def _owned(rows: Sequence[Claimed]) -> tuple[str, dict[str, object]]:
    """A condition matching ``rows`` by id, each only while its token still holds it."""
    by_token: dict[str, list[int]] = {}
    for row in rows:
        by_token.setdefault(row.token, []).append(row.id)
    params: dict[str, object] = {}
    parts = []
    for t, (token, ids) in enumerate(sorted(by_token.items())):
        params[f"t{t}"] = token
        names = []
        for n, row_id in enumerate(ids):
            params[f"t{t}i{n}"] = row_id
            names.append(f":t{t}i{n}")
        parts.append(f"(claim_token = :t{t} AND id IN ({', '.join(names)}))")
    return " OR ".join(parts), params


def claimed_from(row: Row, token: str) -> Claimed:
    target: Target
    if row["recipient"] is not None:
        target = Actor(row["platform"], row["recipient"], "")
    else:
        target = Place(
            row["platform"],
            row["chat_id"],
            private=False,
            thread_id=row["thread_id"],
            guild_id=row["guild_id"],
        )
    text, buttons = decode_body(row["body"])
    return Claimed(
        id=int(row["id"]),
        token=token,
        kind=str(row["kind"]),
        target=target,
        text=text,
        buttons=buttons,
        attempts=int(row["attempts"]),
        not_after=None if row["not_after"] is None else from_epoch_ms(row["not_after"]),
    )
