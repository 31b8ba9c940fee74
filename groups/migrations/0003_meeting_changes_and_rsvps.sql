-- Exceptions to a group's schedule, one row per occurrence that changed. An occurrence
-- is known by its scheduled start (occurrence_key, epoch ms UTC), whatever happens to it.
-- A cancelled one has a reason; a moved one a new start and/or a new place.
CREATE TABLE occurrence_changes (
    group_id       INTEGER NOT NULL REFERENCES groups (id),
    occurrence_key INTEGER NOT NULL,
    cancelled      INTEGER NOT NULL DEFAULT 0 CHECK (cancelled IN (0, 1)),
    reason         TEXT    NOT NULL DEFAULT '',
    new_start      INTEGER,
    new_place      TEXT,
    changed_at     INTEGER NOT NULL,
    PRIMARY KEY (group_id, occurrence_key)
);

-- Who says they will come to which occurrence: yes, no or maybe (the latest answer).
CREATE TABLE rsvps (
    group_id       INTEGER NOT NULL REFERENCES groups (id),
    occurrence_key INTEGER NOT NULL,
    platform       TEXT    NOT NULL,
    user_id        TEXT    NOT NULL,
    answer         TEXT    NOT NULL CHECK (answer IN ('yes', 'no', 'maybe')),
    answered_at    INTEGER NOT NULL,
    PRIMARY KEY (group_id, occurrence_key, platform, user_id),
    FOREIGN KEY (platform, user_id) REFERENCES members (platform, user_id) ON DELETE CASCADE
);
