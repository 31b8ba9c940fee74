-- PostgreSQL's version of 0003 (see the SQLite file beside it for what each table is for):
-- the same tables, with BIGINT for epoch milliseconds and for the id of a group.
CREATE TABLE occurrence_changes (
    group_id       BIGINT  NOT NULL REFERENCES groups (id),
    occurrence_key BIGINT  NOT NULL,
    cancelled      INTEGER NOT NULL DEFAULT 0 CHECK (cancelled IN (0, 1)),
    reason         TEXT    NOT NULL DEFAULT '',
    new_start      BIGINT,
    new_place      TEXT,
    changed_at     BIGINT  NOT NULL,
    PRIMARY KEY (group_id, occurrence_key)
);

CREATE TABLE rsvps (
    group_id       BIGINT NOT NULL REFERENCES groups (id),
    occurrence_key BIGINT NOT NULL,
    platform       TEXT   NOT NULL,
    user_id        TEXT   NOT NULL,
    answer         TEXT   NOT NULL CHECK (answer IN ('yes', 'no', 'maybe')),
    answered_at    BIGINT NOT NULL,
    PRIMARY KEY (group_id, occurrence_key, platform, user_id),
    FOREIGN KEY (platform, user_id) REFERENCES members (platform, user_id) ON DELETE CASCADE
);
