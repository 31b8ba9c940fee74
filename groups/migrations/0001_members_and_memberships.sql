-- Members are keyed by (platform, user_id) so one group can hold people from Telegram,
-- Discord and the console at once. display_name is what facilitators see on a roster.
CREATE TABLE members (
    platform     TEXT NOT NULL,
    user_id      TEXT NOT NULL,
    display_name TEXT NOT NULL,
    first_seen   TEXT NOT NULL,
    last_seen    TEXT NOT NULL,
    PRIMARY KEY (platform, user_id)
);

-- One row per person per group: a seat, or a place on the waiting list. Waitlist order is
-- queue_seq (assigned max+1 inside the joining transaction; portable to PostgreSQL).
CREATE TABLE memberships (
    group_slug TEXT    NOT NULL,
    platform   TEXT    NOT NULL,
    user_id    TEXT    NOT NULL,
    status     TEXT    NOT NULL CHECK (status IN ('seated', 'waitlisted')),
    queue_seq  INTEGER NOT NULL,
    joined_at  TEXT    NOT NULL,
    seated_at  TEXT,
    PRIMARY KEY (group_slug, platform, user_id),
    FOREIGN KEY (platform, user_id) REFERENCES members (platform, user_id) ON DELETE CASCADE
);

CREATE INDEX memberships_by_member ON memberships (platform, user_id);
CREATE INDEX memberships_queue ON memberships (group_slug, status, queue_seq);
