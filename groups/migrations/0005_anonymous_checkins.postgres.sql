-- PostgreSQL's version of 0005 (see the SQLite file beside it for what the tables are for
-- and why they never join on a person): the same tables, with BIGINT for epoch
-- milliseconds and for the id of a group, and without SQLite's WITHOUT ROWID (PostgreSQL
-- has no such clause; its tables keep rows in the order they were written, which the
-- replace_tag clearing at close rewrites in one transaction: see README "Scaling out").
CREATE TABLE checkin_periods (
    group_id              BIGINT  NOT NULL REFERENCES groups (id) ON DELETE CASCADE,
    period                TEXT    NOT NULL,
    opens_at              BIGINT  NOT NULL,
    closes_at             BIGINT  NOT NULL,
    min_respondents       INTEGER NOT NULL CHECK (min_respondents >= 3),
    notes_min_respondents INTEGER NOT NULL,
    released              INTEGER NOT NULL DEFAULT 0 CHECK (released IN (0, 1)),
    suppressed            INTEGER NOT NULL DEFAULT 0 CHECK (suppressed IN (0, 1)),
    respondents           INTEGER,
    mood_counts           TEXT,
    notes                 TEXT,
    PRIMARY KEY (group_id, period)
);

CREATE TABLE checkins (
    id          TEXT    NOT NULL PRIMARY KEY,
    group_id    BIGINT  NOT NULL REFERENCES groups (id) ON DELETE CASCADE,
    period      TEXT    NOT NULL,
    mood        INTEGER NOT NULL CHECK (mood BETWEEN 1 AND 5),
    note        TEXT,
    replace_tag TEXT
);

CREATE UNIQUE INDEX checkins_by_replace_tag ON checkins (replace_tag);
CREATE INDEX checkins_by_period ON checkins (group_id, period);

CREATE TABLE checkin_markers (
    group_id BIGINT NOT NULL REFERENCES groups (id) ON DELETE CASCADE,
    period   TEXT   NOT NULL,
    marker   TEXT   NOT NULL,
    PRIMARY KEY (group_id, period, marker)
);

ALTER TABLE member_settings ADD COLUMN checkin_prompts INTEGER NOT NULL DEFAULT 1
    CHECK (checkin_prompts IN (0, 1));
