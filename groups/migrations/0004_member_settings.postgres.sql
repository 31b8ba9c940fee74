-- PostgreSQL's version of 0004 (see the SQLite file beside it for what the table is for):
-- the same table, with BIGINT for the epoch milliseconds of updated_at.
CREATE TABLE member_settings (
    platform      TEXT    NOT NULL,
    user_id       TEXT    NOT NULL,
    timezone      TEXT,
    country       TEXT,
    reminders     INTEGER NOT NULL DEFAULT 1 CHECK (reminders IN (0, 1)),
    quiet_from    TEXT,
    quiet_until   TEXT,
    announcements INTEGER NOT NULL DEFAULT 0 CHECK (announcements IN (0, 1)),
    updated_at    BIGINT  NOT NULL,
    PRIMARY KEY (platform, user_id),
    FOREIGN KEY (platform, user_id) REFERENCES members (platform, user_id) ON DELETE CASCADE,
    CHECK ((quiet_from IS NULL) = (quiet_until IS NULL))
);
