"""SQL for the ``outbox`` table (created by the app's migrations). The only place that
knows it, with ``claims.py`` (claims on rows: leases, taken a batch at a time; see there).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from bot.events import Actor, Place
from bot.instants import from_epoch_ms, to_epoch_ms
from bot.outbox.claims import Claimed, claim_batch
from bot.outbox.message import OutboxMessage, Target, decode_body, encode_body
from bot.storage.database import Database, Executor, Row

_RANGES = 200  # SELECTs joined by UNION ALL in one query (SQLite allows 500)

# Keys starting with a prefix, as a range the UNIQUE index on dedupe_key can serve
# (``substr`` or ``LIKE`` could not, on every engine): prefix <= key < prefix's successor.
_UNDER = "dedupe_key >= :low AND dedupe_key < :high"


def _under(prefix: str) -> dict[str, str]:
    if not prefix:
        raise ValueError("a key prefix must not be empty")
    return {"low": prefix, "high": prefix[:-1] + chr(ord(prefix[-1]) + 1)}


@dataclass(frozen=True, slots=True)
class PersonMessage:
    """A row about one person, as they may see it (``/mydata``): a message to them, or
    one whose dedupe key names them (to someone else). ``text`` is None once the row has
    ended (its body is erased then)."""

    kind: str
    status: str
    to_them: bool
    created_at: datetime
    not_before: datetime
    not_after: datetime | None
    finished_at: datetime | None
    text: str | None


# The rows about a person: private messages to them, and rows whose dedupe key names them
# as one ``:``-separated part (``seat-offer:circle:telegram:42:1767...``). The key is
# wrapped in ``:`` so a match at either end needs no special case, and LIKE's wildcards
# in the member key are escaped, so ``telegram:42`` never matches ``telegram:421``.
_ABOUT = (
    "(platform = :platform AND recipient = :user_id)"
    " OR (':' || dedupe_key || ':') LIKE :named ESCAPE '!'"
)


def _about(person: Actor) -> dict[str, str]:
    escaped = "".join(f"!{c}" if c in "!%_" else c for c in person.key)
    return {"platform": person.platform, "user_id": person.user_id, "named": f"%:{escaped}:%"}


_COLUMNS = (
    "INSERT INTO outbox (dedupe_key, kind, platform, recipient, chat_id, thread_id,"
    " guild_id, body, not_before, not_after, next_attempt_at, created_at) VALUES "
)
_VALUES = (
    "(:key{n}, :kind{n}, :platform{n}, :recipient{n}, :chat_id{n}, :thread_id{n},"
    " :guild_id{n}, :body{n}, :not_before{n}, :not_after{n}, :not_before{n}, :now{n})"
)
_ROWS_AT_ONCE = 200  # rows in one INSERT (12 parameters each, well under every limit)


def _values(message: OutboxMessage, now: datetime, n: int | str) -> dict[str, object]:
    """The parameters of ``_VALUES`` for ``message``, named with the suffix ``n``."""
    target = message.target
    place = None if isinstance(target, Actor) else _place(target)
    not_before = message.not_before or now
    values = {
        "key": message.dedupe_key,
        "kind": message.kind,
        "platform": target.platform,
        "recipient": target.user_id if isinstance(target, Actor) else None,
        "chat_id": None if place is None else place.chat_id,
        "thread_id": None if place is None else place.thread_id,
        "guild_id": None if place is None else place.guild_id,
        "body": encode_body(message.text, message.buttons),
        "not_before": to_epoch_ms(not_before),
        "not_after": None if message.not_after is None else to_epoch_ms(message.not_after),
        "now": to_epoch_ms(now),
    }
    return {f"{name}{n}": value for name, value in values.items()}


class OutboxStore:
    async def enqueue(self, tx: Executor, message: OutboxMessage, now: datetime) -> bool:
        """Insert ``message`` unless its dedupe_key exists; True if it was new."""
        return await self.enqueue_many(tx, [message], now) > 0

    async def enqueue_many(
        self, tx: Executor, messages: Sequence[OutboxMessage], now: datetime
    ) -> int:
        """Insert each of ``messages`` whose dedupe_key does not exist yet, a few hundred
        in one statement; how many were new."""
        added = 0
        for start in range(0, len(messages), _ROWS_AT_ONCE):
            chunk = messages[start : start + _ROWS_AT_ONCE]
            params: dict[str, object] = {}
            for n, message in enumerate(chunk):
                params.update(_values(message, now, n))
            rows = ", ".join(_VALUES.format(n=n) for n in range(len(chunk)))
            added += await tx.execute(
                f"{_COLUMNS}{rows} ON CONFLICT (dedupe_key) DO NOTHING", params
            )
        return added

    async def claim(self, db: Database, now: datetime, lease: timedelta) -> Claimed | None:
        """Own the most overdue row for ``lease``; None when nothing is due."""
        claimed = await claim_batch(db, now, lease, 1)
        return claimed[0] if claimed else None

    async def extend(self, db: Database, claimed: Claimed, until: datetime) -> bool:
        """Keep owning ``claimed`` until ``until`` (a send is taking long); False if the
        claim is no longer ours."""
        changed = await db.execute(
            "UPDATE outbox SET claimed_until = :until WHERE id = :id AND claim_token = :token"
            " AND status = 'pending'",
            {"until": to_epoch_ms(until), "id": claimed.id, "token": claimed.token},
        )
        return changed > 0

    async def finish(
        self, db: Database, claimed: Claimed, status: str, now: datetime, error: str | None
    ) -> bool:
        """End a row as sent, unreachable, expired or failed; its body is erased."""
        return await self._update(
            db,
            claimed,
            "status = :status, finished_at = :now, last_error = :error, body = '',"
            " attempts = attempts + :tried",
            {
                "status": status,
                "now": to_epoch_ms(now),
                "error": error,
                "tried": int(status in ("sent", "unreachable", "failed")),
            },
        )

    async def retry_at(
        self, db: Database, claimed: Claimed, when: datetime, error: str, *, counts: bool
    ) -> bool:
        """Keep a row pending, to be tried again at ``when`` (an attempt if ``counts``)."""
        return await self._update(
            db,
            claimed,
            "next_attempt_at = :when, last_error = :error, attempts = attempts + :tried",
            {"when": to_epoch_ms(when), "error": error, "tried": int(counts)},
        )

    async def give_up_on(self, db: Database, claimed: Claimed, now: datetime) -> int:
        """After ``claimed`` found its person unreachable: end that person's other pending
        messages of the same kind, queued before now, the same way (no more tries)."""
        if not isinstance(claimed.target, Actor):
            return 0
        return await db.execute(
            "UPDATE outbox SET status = 'unreachable', finished_at = :now, body = '',"
            " last_error = 'unreachable earlier', claimed_until = NULL, claim_token = NULL"
            " WHERE status = 'pending' AND platform = :platform AND recipient = :recipient"
            " AND kind = :kind AND created_at <= :now AND claimed_until IS NULL",
            {
                "now": to_epoch_ms(now),
                "platform": claimed.target.platform,
                "recipient": claimed.target.user_id,
                "kind": claimed.kind,
            },
        )

    async def withdraw(self, tx: Executor, key_prefix: str, now: datetime) -> int:
        """End the pending messages whose dedupe_key starts with ``key_prefix`` unsent
        (what they said is no longer true: a meeting was cancelled or moved)."""
        return await tx.execute(
            "UPDATE outbox SET status = 'expired', finished_at = :now, body = '',"
            " last_error = 'withdrawn', claimed_until = NULL, claim_token = NULL"
            f" WHERE status = 'pending' AND {_UNDER}",
            {"now": to_epoch_ms(now), **_under(key_prefix)},
        )

    async def undelivered(self, db: Executor, key_prefix: str) -> int:
        """How many messages under ``key_prefix`` ended without arriving: expired in their
        window (not withdrawn), failed, or unreachable."""
        row = await db.fetch_one(
            f"SELECT COUNT(*) AS n FROM outbox WHERE {_UNDER}"
            " AND (status IN ('failed', 'unreachable')"
            "  OR (status = 'expired' AND COALESCE(last_error, '') <> 'withdrawn'))",
            _under(key_prefix),
        )
        return 0 if row is None else int(row["n"])

    async def keys_under(self, db: Executor, key_prefix: str) -> set[str]:
        """The dedupe keys that start with ``key_prefix`` (any status)."""
        rows = await db.fetch_all(
            f"SELECT dedupe_key FROM outbox WHERE {_UNDER}", _under(key_prefix)
        )
        return {str(row["dedupe_key"]) for row in rows}

    async def keys_under_each(self, db: Executor, prefixes: Sequence[str]) -> list[set[str]]:
        """``keys_under`` for each of ``prefixes``, in a few queries (each key range is
        still read through the dedupe_key index)."""
        found: dict[str, set[str]] = {prefix: set() for prefix in prefixes}
        unique = sorted(found)
        for start in range(0, len(unique), _RANGES):
            chunk = unique[start : start + _RANGES]
            params: dict[str, str] = {}
            selects = []
            for n, prefix in enumerate(chunk):
                bounds = _under(prefix)
                params[f"low{n}"], params[f"high{n}"] = bounds["low"], bounds["high"]
                selects.append(
                    f"SELECT {n} AS part, dedupe_key FROM outbox"
                    f" WHERE dedupe_key >= :low{n} AND dedupe_key < :high{n}"
                )
            for row in await db.fetch_all(" UNION ALL ".join(selects), params):
                found[chunk[int(row["part"])]].add(str(row["dedupe_key"]))
        return [found[prefix] for prefix in prefixes]

    async def next_due(self, db: Database) -> datetime | None:
        row = await db.fetch_one(
            "SELECT MIN(COALESCE(claimed_until, next_attempt_at)) AS due FROM outbox"
            " WHERE status = 'pending'"
        )
        return None if row is None or row["due"] is None else from_epoch_ms(row["due"])

    async def unreachable_among(self, db: Executor, people: Iterable[Actor]) -> set[str]:
        """Keys of those in ``people`` whose latest finished private message did not
        arrive because they could not be reached. Each person's latest is looked up
        through the recipient index (newest first, one row), never the whole table nor
        everything ever sent to them."""
        by_platform: dict[str, list[str]] = {}
        for person in people:
            by_platform.setdefault(person.platform, []).append(person.user_id)
        found: set[str] = set()
        for platform, users in sorted(by_platform.items()):
            chosen = sorted(set(users))
            for start in range(0, len(chosen), _RANGES):
                found |= await self._unreachable(db, platform, chosen[start : start + _RANGES])
        return found

    async def _unreachable(self, db: Executor, platform: str, users: list[str]) -> set[str]:
        params = {f"u{n}": user for n, user in enumerate(users)}
        # The latest sent or unreachable row of each; at the same instant, unreachable.
        latest = (
            "SELECT status FROM outbox WHERE platform = :platform AND recipient = :{name}"
            " AND status IN ('sent', 'unreachable') AND finished_at IS NOT NULL"
            " ORDER BY finished_at DESC, status DESC LIMIT 1"
        )
        rows = await db.fetch_all(
            " UNION ALL ".join(
                f"SELECT :{name} AS recipient, ({latest.format(name=name)}) AS status"
                for name in params
            ),
            {"platform": platform, **params},
        )
        return {f"{platform}:{row['recipient']}" for row in rows if row["status"] == "unreachable"}

    async def unreachable_count(self, db: Executor) -> int:
        """How many people's latest finished private message did not arrive (as
        ``unreachable_among``, for everyone)."""
        row = await db.fetch_one(
            "SELECT COUNT(*) AS n FROM (SELECT DISTINCT o.platform, o.recipient FROM outbox o"
            " WHERE o.recipient IS NOT NULL AND o.status = 'unreachable'"
            " AND o.finished_at = (SELECT MAX(i.finished_at) FROM outbox i"
            "  WHERE i.platform = o.platform AND i.recipient = o.recipient"
            "  AND i.status IN ('sent', 'unreachable'))) AS people"
        )
        return 0 if row is None else int(row["n"])

    async def about_person(self, db: Executor, person: Actor) -> list[PersonMessage]:
        """Every row about ``person`` (sent or not), oldest first."""
        rows = await db.fetch_all(
            "SELECT kind, status, platform, recipient, body, created_at, not_before,"
            f" not_after, finished_at FROM outbox WHERE {_ABOUT} ORDER BY created_at, id",
            _about(person),
        )
        return [_person_message(row, person) for row in rows]

    async def erase_person(self, tx: Executor, person: Actor) -> int:
        """Inside ``tx``: delete every row about ``person``, whatever its status (they
        asked to be forgotten: what was waiting for them is not sent). How many."""
        return await tx.execute(f"DELETE FROM outbox WHERE {_ABOUT}", _about(person))

    async def forget_finished(self, db: Database, before: datetime) -> int:
        """Delete rows that ended before ``before`` (they hold no text by then)."""
        return await db.execute(
            "DELETE FROM outbox WHERE status <> 'pending' AND finished_at < :before",
            {"before": to_epoch_ms(before)},
        )

    async def counts(self, db: Database) -> dict[str, int]:
        rows = await db.fetch_all("SELECT status, COUNT(*) AS n FROM outbox GROUP BY status")
        return {str(row["status"]): int(row["n"]) for row in rows}

    async def _update(
        self, db: Database, claimed: Claimed, assignments: str, params: dict[str, object]
    ) -> bool:
        changed = await db.execute(
            f"UPDATE outbox SET {assignments}, claimed_until = NULL, claim_token = NULL"
            " WHERE id = :id AND claim_token = :token",
            {**params, "id": claimed.id, "token": claimed.token},
        )
        return changed > 0


def _place(target: Target) -> Place:
    assert isinstance(target, Place)
    return target


def _person_message(row: Row, person: Actor) -> PersonMessage:
    finished, not_after = row["finished_at"], row["not_after"]
    return PersonMessage(
        kind=str(row["kind"]),
        status=str(row["status"]),
        to_them=row["platform"] == person.platform and row["recipient"] == person.user_id,
        created_at=from_epoch_ms(row["created_at"]),
        not_before=from_epoch_ms(row["not_before"]),
        not_after=None if not_after is None else from_epoch_ms(not_after),
        finished_at=None if finished is None else from_epoch_ms(finished),
        text=decode_body(row["body"])[0] if row["body"] else None,
    )
