"""A large organization on SQLite, for the scale benchmark: its config and its database.

    python -m bench.scale_data DIRECTORY [--groups 10000 --members 200000 ...]

writes ``DIRECTORY/scale.toml`` (one ``[[groups]]`` per group) and
``DIRECTORY/scale.sqlite3``, as PeerCircle would have left them at ``NOW`` (Wednesday
25 November 2026, 12:00 UTC) after a year of running:

- groups meeting weekly, on every day of the week at times from 10:00 to 20:40, 20
  seats each, every other one with a Telegram group chat;
- members, each in one group and every tenth in a second one, so a group has about 22
  people: 20 seated, the rest waiting; some with their own settings, RSVPs for the next
  meeting, and a cancelled meeting for every twentieth group;
- anonymous check-ins: a year of periods per group (released, with their figures), the
  answers of the last 13 weeks (what the 90-day retention keeps) and the current open
  period's answers with their keyed markers;
- a year of outbox rows (``outbox_days``): every reminder that came due before ``NOW``,
  24 hours and 1 hour before each meeting, to each seated member and to the group chat
  (sent, one in a hundred unreachable), the bodies of finished rows erased as the bot
  erases them. The bot itself deletes finished rows after 30 days: a year of them is
  the stress case, 21 million rows and about 6 GB.

The schema comes from the app's own migrations; the rows go in with ``executemany`` (the
outbox's with one ``INSERT ... SELECT``) in one transaction without a journal, the
secondary indexes built after the rows: about two minutes on two cores.
"""

from __future__ import annotations

import argparse
import asyncio
import random
import sqlite3
import time
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from datetime import time as clock_time
from pathlib import Path

from bot.app import MIGRATIONS_DIR
from bot.instants import to_epoch_ms
from bot.storage import load_migrations, open_database
from groups.models import CheckinRules, Group, Schedule
from groups.recurrence import scheduled_starts

NOW = datetime(2026, 11, 25, 12, 0, tzinfo=UTC)  # a Wednesday; this week's check-in is open
OPEN_PERIOD = "2026-11-22"  # opened Sunday 18:00, closes Wednesday 18:00 (London = UTC)
CLOSES = datetime(2026, 11, 25, 18, 0, tzinfo=UTC)
ZONE = "Europe/London"
CAPACITY = 20
# telegram:1 to telegram:64 are organizers: the roster of every group is theirs to see.
# Several, as a member may send only so many commands a minute (bot.flood).
ORGANIZERS = tuple(str(n) for n in range(1, 65))
FIRST_MEMBER = 1_000_000
FACILITATOR_BASE = 900_000_000
CHAT_BASE = -1_001_000_000_000
OFFSETS = (timedelta(hours=24), timedelta(hours=1))
RETENTION_WEEKS = 13


@dataclass(frozen=True, slots=True)
class ScaleSizes:
    groups: int = 10_000
    members: int = 200_000
    checkins: int = 1_000_000
    # A year: more than the bot keeps (it deletes finished rows after 30 days), to show
    # that no query reads the whole table. 21 million rows, about 6 GB.
    outbox_days: int = 365

    def quick(self) -> ScaleSizes:
        return ScaleSizes(groups=60, members=1_200, checkins=6_000, outbox_days=28)


def slug_of(index: int) -> str:
    return f"circle-{index:05d}"


def member_id(index: int) -> str:
    return str(FIRST_MEMBER + index)


def group_of(index: int, sizes: ScaleSizes) -> Group:
    """The group as the config below describes it (for computing its meetings)."""
    return Group(
        slug=slug_of(index),
        name=f"Circle {index:05d}",
        description="",
        capacity=CAPACITY,
        facilitators=frozenset(),
        timezone=ZONE,
        online=True,
        location="",
        schedule=Schedule("weekly", index % 7, _meeting_time(index), 90, reminders=OFFSETS),
        checkins=CheckinRules(),
    )


def _meeting_time(index: int) -> clock_time:
    minutes = 10 * 60 + (index * 10) % (11 * 60)
    return clock_time(minutes // 60, minutes % 60)


def _chat_of(index: int) -> int | None:
    return CHAT_BASE - index if index % 2 == 0 else None


def write_config(directory: Path, sizes: ScaleSizes) -> Path:
    """``scale.toml``: the organization's config, one ``[[groups]]`` per group."""
    weekdays = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
    organizers = ", ".join(f'"telegram:{o}"' for o in ORGANIZERS)
    parts = [
        f"organizers = [{organizers}]\n",
        f'[bot]\nname = "PeerCircle"\ntimezone = "{ZONE}"\ncountry = "GB"\n',
        '[storage]\nurl = "sqlite:///scale.sqlite3"\n',
        '[checkins]\nopens_on = "sunday"\nopens_at = "18:00"\nopen_days = 3\n',
    ]
    for index in range(sizes.groups):
        chat = _chat_of(index)
        at = _meeting_time(index)
        parts.append(
            f'[[groups]]\nslug = "{slug_of(index)}"\nname = "Circle {index:05d}"\n'
            f'capacity = {CAPACITY}\nfacilitators = ["telegram:{FACILITATOR_BASE + index}"]\n'
            + ("" if chat is None else f"telegram_chat_id = {chat}\n")
            + f'[groups.schedule]\nweekday = "{weekdays[index % 7]}"\n'
            f'time = "{at:%H:%M}"\nlink = "https://meet.example.org/{slug_of(index)}"\n'
        )
    path = directory / "scale.toml"
    path.write_text("".join(parts), encoding="utf-8")
    return path


async def create_schema(path: Path) -> None:
    """The app's own migrations, applied as the app applies them (``path`` absolute)."""
    database = open_database(f"sqlite:///{path}", path.parent, load_migrations(MIGRATIONS_DIR))
    await database.connect()
    await database.close()


def generate(directory: Path, sizes: ScaleSizes, *, seed: int = 7) -> Path:
    """The config and the database; returns the config's path."""
    directory.mkdir(parents=True, exist_ok=True)
    config = write_config(directory, sizes)
    path = directory / "scale.sqlite3"
    for leftover in (path, path.with_name(path.name + "-wal"), path.with_name(path.name + "-shm")):
        leftover.unlink(missing_ok=True)
    asyncio.run(create_schema(path.resolve()))
    conn = sqlite3.connect(path, isolation_level=None)
    try:
        conn.execute("PRAGMA journal_mode = OFF")  # written once: no journal to write twice
        conn.execute("PRAGMA synchronous = OFF")
        conn.execute("PRAGMA cache_size = -262144")  # 256 MB while writing
        indexes = _drop_indexes(conn)
        conn.execute("BEGIN")
        _fill(conn, sizes, random.Random(seed))
        for sql in indexes:
            conn.execute(sql)
        conn.execute("COMMIT")
        # No ANALYZE: the bot never runs it, so the query planner sees what it sees in use.
        conn.execute("PRAGMA journal_mode = WAL")  # as the bot keeps it
    finally:
        conn.close()
    return config


def _drop_indexes(conn: sqlite3.Connection) -> list[str]:
    """Drop the migrations' secondary indexes; their CREATE statements, to run after."""
    rows = conn.execute(
        "SELECT name, sql FROM sqlite_master WHERE type = 'index' AND sql IS NOT NULL"
    ).fetchall()
    for name, _ in rows:
        conn.execute(f'DROP INDEX "{name}"')
    return [str(sql) for _, sql in rows]


def _fill(conn: sqlite3.Connection, sizes: ScaleSizes, rng: random.Random) -> None:
    stamp = to_epoch_ms(NOW - timedelta(days=400))
    conn.executemany(
        "INSERT INTO groups (id, slug, name) VALUES (?, ?, ?)",
        ((i + 1, slug_of(i), f"Circle {i:05d}") for i in range(sizes.groups)),
    )
    conn.executemany(
        "INSERT INTO members VALUES ('telegram', ?, ?, ?, ?)",
        ((member_id(i), f"Member {i}", stamp, stamp) for i in range(sizes.members)),
    )
    seated = _memberships(conn, sizes, stamp)
    _settings_and_rsvps(conn, sizes, seated, rng)
    _checkins(conn, sizes, rng)
    _outbox(conn, sizes)


def _memberships(conn: sqlite3.Connection, sizes: ScaleSizes, stamp: int) -> list[list[str]]:
    """Each member in one group, every tenth in a second one; the first 20 to join a
    group are seated. The seated member ids of each group."""
    joined: list[list[str]] = [[] for _ in range(sizes.groups)]
    for i in range(sizes.members):
        joined[i % sizes.groups].append(member_id(i))
        if i % 10 == 0:
            joined[(i * 7 + 3) % sizes.groups].append(member_id(i))
    rows = []
    for group, people in enumerate(joined):
        for seq, user in enumerate(dict.fromkeys(people), start=1):
            status = "seated" if seq <= CAPACITY else "waitlisted"
            seated_at = stamp if status == "seated" else None
            rows.append((group + 1, user, status, seq, stamp, seated_at))
    conn.executemany(
        "INSERT INTO memberships VALUES (?, 'telegram', ?, ?, ?, ?, ?)",
        rows,
    )
    counts = [(0, 0)] * sizes.groups  # each group's row keeps these, as the bot would
    for group, people in enumerate(joined):
        size = len(dict.fromkeys(people))
        counts[group] = (min(size, CAPACITY), max(size - CAPACITY, 0))
    conn.executemany(
        "UPDATE groups SET seated_count = ?, waiting_count = ? WHERE id = ?",
        ((seated, waiting, group + 1) for group, (seated, waiting) in enumerate(counts)),
    )
    return [list(dict.fromkeys(people))[:CAPACITY] for people in joined]


def _settings_and_rsvps(
    conn: sqlite3.Connection, sizes: ScaleSizes, seated: list[list[str]], rng: random.Random
) -> None:
    stamp = to_epoch_ms(NOW)
    conn.executemany(
        "INSERT INTO member_settings (platform, user_id, timezone, reminders, updated_at)"
        " VALUES ('telegram', ?, 'Europe/Dublin', ?, ?)",
        ((member_id(i), int(i % 100 != 0), stamp) for i in range(0, sizes.members, 20)),
    )
    rsvps = []
    changes = []
    for index, people in enumerate(seated):
        start = next(scheduled_starts(group_of(index, sizes), NOW))
        for user in people[: len(people) // 3]:
            rsvps.append((index + 1, to_epoch_ms(start), user, rng.choice(("yes", "no", "maybe"))))
        if index % 20 == 0:
            later = start + timedelta(days=21)
            changes.append((index + 1, to_epoch_ms(later), "Room closed", stamp))
    conn.executemany(
        f"INSERT INTO rsvps VALUES (?, ?, 'telegram', ?, ?, {stamp})",
        rsvps,
    )
    conn.executemany(
        "INSERT INTO occurrence_changes (group_id, occurrence_key, cancelled, reason,"
        " changed_at) VALUES (?, ?, 1, ?, ?)",
        changes,
    )


def _periods() -> list[tuple[str, int, int]]:
    """A year of weekly periods up to the open one: (name, opens, closes), oldest first."""
    opening = datetime(2026, 11, 22, 18, 0, tzinfo=UTC)
    found = []
    for weeks_back in range(52, -1, -1):
        opens = opening - timedelta(weeks=weeks_back)
        closes = opens + timedelta(days=3)
        found.append((opens.date().isoformat(), to_epoch_ms(opens), to_epoch_ms(closes)))
    return found


def _checkins(conn: sqlite3.Connection, sizes: ScaleSizes, rng: random.Random) -> None:
    """A year of periods per group; answers (and released figures) for the last
    ``RETENTION_WEEKS`` weeks, the open period's with markers and replace tags."""
    periods = _periods()
    kept = {name for name, _, _ in periods[-RETENTION_WEEKS:]}
    slots = sizes.groups * len(kept)  # answers spread evenly over the kept periods
    answers = []
    released = []
    slot = 0
    for group in range(1, sizes.groups + 1):
        for name, opens, closes in periods:
            is_open = name == OPEN_PERIOD
            count = 0
            if name in kept:
                count = sizes.checkins // slots + (slot < sizes.checkins % slots)
                slot += 1
            moods = [rng.randint(1, 5) for _ in range(count)]
            for mood in moods:
                note = "A steady week, thank you all." if rng.random() < 0.1 else None
                tag = rng.randbytes(16).hex() if is_open else None
                answers.append((rng.randbytes(16).hex(), group, name, mood, note, tag))
            counts = [moods.count(m) for m in (1, 2, 3, 4, 5)]
            shown = count >= 5 and not is_open
            released.append(
                (
                    group,
                    name,
                    opens,
                    closes,
                    int(not is_open),
                    int(not shown and not is_open),
                    count if shown else None,
                    str(counts) if shown else None,
                )
            )
    conn.executemany(
        "INSERT INTO checkin_periods (group_id, period, opens_at, closes_at, min_respondents,"
        " notes_min_respondents, released, suppressed, respondents, mood_counts)"
        " VALUES (?, ?, ?, ?, 5, 10, ?, ?, ?, ?)",
        released,
    )
    conn.executemany("INSERT INTO checkins VALUES (?, ?, ?, ?, ?, ?)", answers)
    conn.executemany(
        "INSERT INTO checkin_markers VALUES (?, ?, ?)",
        ((a[1], a[2], rng.randbytes(32).hex()) for a in answers if a[5] is not None),
    )


def _outbox(conn: sqlite3.Connection, sizes: ScaleSizes) -> None:
    """Every reminder that came due in the ``outbox_days`` before ``NOW``, as the bot left
    it (sent, its text erased; one in a hundred unreachable), keyed as the planner keys
    them: the meetings are worked out here, the rows are made by SQLite itself (tens of
    millions for a year: a Python loop would take minutes)."""
    conn.execute("CREATE TEMP TABLE meeting (group_id INTEGER, slug TEXT, start INTEGER)")
    conn.execute("CREATE TEMP TABLE offset_ (minutes INTEGER)")
    minutes = ((int(offset / timedelta(minutes=1)),) for offset in OFFSETS)
    conn.executemany("INSERT INTO offset_ VALUES (?)", minutes)
    conn.executemany("INSERT INTO meeting VALUES (?, ?, ?)", _meetings(sizes))
    due = "m.start - o.minutes * 60000"
    keyed = "'reminder:' || m.slug || ':' || m.start || ':' || o.minutes || 'm:telegram:'"
    unreachable = "(CAST(s.user_id AS INTEGER) * 7 + m.start / 60000) % 100 = 0"
    conn.execute(
        "INSERT INTO outbox (dedupe_key, kind, platform, recipient, body, status, not_before,"
        " not_after, next_attempt_at, attempts, last_error, created_at, finished_at)"
        f" SELECT {keyed} || s.user_id, 'reminder', 'telegram', s.user_id, '',"
        f" CASE WHEN {unreachable} THEN 'unreachable' ELSE 'sent' END, {due}, m.start, {due},"
        f" 1, CASE WHEN {unreachable} THEN 'RecipientUnreachable' END, {due}, {due} + 2000"
        " FROM meeting m CROSS JOIN offset_ o CROSS JOIN memberships s"
        f" ON s.group_id = m.group_id AND s.status = 'seated' WHERE {due} <= :now",
        {"now": to_epoch_ms(NOW)},
    )
    conn.execute(  # and to each group's Telegram chat, where it has one
        "INSERT INTO outbox (dedupe_key, kind, platform, chat_id, body, status, not_before,"
        " not_after, next_attempt_at, attempts, created_at, finished_at)"
        f" SELECT {keyed} || ({CHAT_BASE} - m.group_id + 1), 'reminder', 'telegram',"
        f" CAST({CHAT_BASE} - m.group_id + 1 AS TEXT), '', 'sent', {due}, m.start, {due}, 1,"
        f" {due}, {due} + 2000 FROM meeting m JOIN offset_ o"
        f" WHERE {due} <= :now AND (m.group_id - 1) % 2 = 0",
        {"now": to_epoch_ms(NOW)},
    )
    conn.execute("DROP TABLE meeting")
    conn.execute("DROP TABLE offset_")


def _meetings(sizes: ScaleSizes) -> Iterator[tuple[int, str, int]]:
    """(group id, slug, start) of every meeting whose first reminder came due in the
    ``outbox_days`` before ``NOW`` or is due by then."""
    since = NOW - timedelta(days=sizes.outbox_days)
    for index in range(sizes.groups):
        group = group_of(index, sizes)
        for start in scheduled_starts(group, since + OFFSETS[0]):
            if start - OFFSETS[0] > NOW:
                break
            yield index + 1, group.slug, to_epoch_ms(start)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m bench.scale_data",
        description="Write a large organization's config and SQLite database (see the module).",
    )
    parser.add_argument("directory", type=Path)
    defaults = ScaleSizes()
    parser.add_argument("--groups", type=int, default=defaults.groups)
    parser.add_argument("--members", type=int, default=defaults.members)
    parser.add_argument("--checkins", type=int, default=defaults.checkins)
    parser.add_argument("--outbox-days", type=int, default=defaults.outbox_days)
    args = parser.parse_args(argv)
    sizes = ScaleSizes(args.groups, args.members, args.checkins, args.outbox_days)
    began = time.perf_counter()
    config = generate(args.directory, sizes)
    took = time.perf_counter() - began
    print(f"wrote {config} and {config.with_name('scale.sqlite3')} in {took:.1f} s")
    print(count_rows(config.with_name("scale.sqlite3")))
    return 0


def count_rows(path: Path) -> dict[str, int]:
    conn = sqlite3.connect(path)
    try:
        tables = ("groups", "members", "memberships", "checkins", "checkin_periods", "outbox")
        return {t: conn.execute(f"SELECT COUNT(*) FROM {t}").fetchone()[0] for t in tables}
    finally:
        conn.close()


if __name__ == "__main__":
    raise SystemExit(main())
