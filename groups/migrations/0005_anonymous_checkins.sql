-- Anonymous check-ins. Three tables that never join on a person:
--
-- checkin_periods: one row per group and period (named by its local opening date). The
--   thresholds are copied in when the period opens, so a config change cannot lower them
--   for a period already running. At close the release is computed once and stored: the
--   count, the mood distribution and the notes (shuffled), or nothing at all when too few
--   answered (suppressed = 1). Every later look shows exactly this row.
-- checkins: the answers. No member id, no name, no time finer than the period. The id is
--   random and the table is ordered by it (WITHOUT ROWID), so row order says nothing
--   about who answered first. replace_tag is a keyed HMAC that lets a member replace
--   their own answer while the period is open; it is cleared when the period closes,
--   after which nothing, not even the key, links an answer to anyone.
-- checkin_markers: a keyed HMAC per member, group and period, only to stop a second
--   check-in and to know whom to nudge. Written in its own transaction, ordered by the
--   HMAC itself, deleted when the period closes.
CREATE TABLE checkin_periods (
    group_id              INTEGER NOT NULL REFERENCES groups (id) ON DELETE CASCADE,
    period                TEXT    NOT NULL,
    opens_at              INTEGER NOT NULL,
    closes_at             INTEGER NOT NULL,
    min_respondents       INTEGER NOT NULL CHECK (min_respondents >= 3),
    notes_min_respondents INTEGER NOT NULL,
    released              INTEGER NOT NULL DEFAULT 0 CHECK (released IN (0, 1)),
    suppressed            INTEGER NOT NULL DEFAULT 0 CHECK (suppressed IN (0, 1)),
    respondents           INTEGER,
    mood_counts           TEXT,
    notes                 TEXT,
    PRIMARY KEY (group_id, period)
) WITHOUT ROWID;

CREATE TABLE checkins (
    id          TEXT    NOT NULL PRIMARY KEY,
    group_id    INTEGER NOT NULL REFERENCES groups (id) ON DELETE CASCADE,
    period      TEXT    NOT NULL,
    mood        INTEGER NOT NULL CHECK (mood BETWEEN 1 AND 5),
    note        TEXT,
    replace_tag TEXT
) WITHOUT ROWID;

CREATE UNIQUE INDEX checkins_by_replace_tag ON checkins (replace_tag);
CREATE INDEX checkins_by_period ON checkins (group_id, period);

CREATE TABLE checkin_markers (
    group_id INTEGER NOT NULL REFERENCES groups (id) ON DELETE CASCADE,
    period   TEXT    NOT NULL,
    marker   TEXT    NOT NULL,
    PRIMARY KEY (group_id, period, marker)
) WITHOUT ROWID;

-- A member may turn off the "check-in is open" prompt (/settings checkins off).
ALTER TABLE member_settings ADD COLUMN checkin_prompts INTEGER NOT NULL DEFAULT 1
    CHECK (checkin_prompts IN (0, 1));
