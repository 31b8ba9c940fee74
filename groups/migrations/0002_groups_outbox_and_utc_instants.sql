-- Groups get a table of their own with a stable id, so renaming a group in the config
-- (its name, or its slug when the config lists the old one in `previously`) keeps its
-- members. The app syncs this table from the config at every start; a group no longer in
-- the config is marked retired (retired_at) and its members can still leave it.
-- seat_version is bumped by every seat change: the UPDATE takes the group's row lock on
-- PostgreSQL, so seat allocation is serialised per group on any engine.
--
-- Instants become integers: milliseconds since 1970-01-01 UTC.
-- (The data copy below uses SQLite's strftime; a PostgreSQL database starts at this
-- schema with no rows to copy.)
CREATE TABLE groups (
    id           INTEGER PRIMARY KEY,
    slug         TEXT    NOT NULL UNIQUE,
    name         TEXT    NOT NULL,
    retired_at   INTEGER,
    seat_version INTEGER NOT NULL DEFAULT 0
);

INSERT INTO groups (slug, name)
SELECT DISTINCT group_slug, group_slug FROM memberships ORDER BY group_slug;

CREATE TABLE members_v2 (
    platform     TEXT    NOT NULL,
    user_id      TEXT    NOT NULL,
    display_name TEXT    NOT NULL,
    first_seen   INTEGER NOT NULL,
    last_seen    INTEGER NOT NULL,
    PRIMARY KEY (platform, user_id)
);

INSERT INTO members_v2 (platform, user_id, display_name, first_seen, last_seen)
SELECT platform, user_id, display_name,
       CAST(ROUND((julianday(first_seen) - 2440587.5) * 86400000) AS INTEGER),
       CAST(ROUND((julianday(last_seen) - 2440587.5) * 86400000) AS INTEGER)
FROM members;

-- queue_seq is unique per group: two concurrent joins can never share a place in line.
CREATE TABLE memberships_v2 (
    group_id  INTEGER NOT NULL REFERENCES groups (id),
    platform  TEXT    NOT NULL,
    user_id   TEXT    NOT NULL,
    status    TEXT    NOT NULL CHECK (status IN ('seated', 'waitlisted')),
    queue_seq INTEGER NOT NULL,
    joined_at INTEGER NOT NULL,
    seated_at INTEGER,
    PRIMARY KEY (group_id, platform, user_id),
    UNIQUE (group_id, queue_seq),
    FOREIGN KEY (platform, user_id) REFERENCES members_v2 (platform, user_id) ON DELETE CASCADE
);

INSERT INTO memberships_v2
    (group_id, platform, user_id, status, queue_seq, joined_at, seated_at)
SELECT g.id, m.platform, m.user_id, m.status, m.queue_seq,
       CAST(ROUND((julianday(m.joined_at) - 2440587.5) * 86400000) AS INTEGER),
       CASE WHEN m.seated_at IS NULL THEN NULL
            ELSE CAST(ROUND((julianday(m.seated_at) - 2440587.5) * 86400000) AS INTEGER) END
FROM memberships m JOIN groups g ON g.slug = m.group_slug;

DROP TABLE memberships;
DROP TABLE members;
ALTER TABLE members_v2 RENAME TO members;
ALTER TABLE memberships_v2 RENAME TO memberships;

CREATE INDEX memberships_by_member ON memberships (platform, user_id);
CREATE INDEX memberships_queue ON memberships (group_id, status, queue_seq);

-- The outbox: every message the bot sends on its own (a seat offer, later reminders and
-- announcements), written in the same transaction as the change that causes it.
-- dedupe_key makes each logical message exist once. A row is 'pending' until it ends as
-- 'sent', 'unreachable', 'expired' (past not_after) or 'failed' (out of attempts).
-- claimed_until is a lease: a worker owns the row while it sends; after a crash the lease
-- runs out and the row is tried again. The body is erased once a row has ended.
CREATE TABLE outbox (
    id              INTEGER PRIMARY KEY,
    dedupe_key      TEXT    NOT NULL UNIQUE,
    kind            TEXT    NOT NULL,
    platform        TEXT    NOT NULL,
    recipient       TEXT,
    chat_id         TEXT,
    thread_id       TEXT,
    guild_id        TEXT,
    body            TEXT    NOT NULL,
    status          TEXT    NOT NULL DEFAULT 'pending'
                    CHECK (status IN ('pending', 'sent', 'unreachable', 'expired', 'failed')),
    not_before      INTEGER NOT NULL,
    not_after       INTEGER,
    next_attempt_at INTEGER NOT NULL,
    claimed_until   INTEGER,
    claim_token     TEXT,
    attempts        INTEGER NOT NULL DEFAULT 0,
    last_error      TEXT,
    created_at      INTEGER NOT NULL,
    finished_at     INTEGER,
    CHECK ((recipient IS NULL) <> (chat_id IS NULL))
);

CREATE INDEX outbox_due ON outbox (status, next_attempt_at);
CREATE INDEX outbox_by_recipient ON outbox (platform, recipient, finished_at);
