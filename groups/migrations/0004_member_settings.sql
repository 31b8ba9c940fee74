-- A member's own settings (/settings). A row exists only once someone changes something;
-- without one, every setting has its default. timezone and country are NULL until the
-- member picks one (the bot's configured zone and country apply meanwhile). Quiet hours
-- are wall-clock times 'HH:MM' in the member's zone, both set or both NULL; quiet_from
-- may be later than quiet_until (22:00 to 08:00 wraps midnight). announcements is an
-- opt-in for private copies of facilitators' announcements. A member's row goes with them.
CREATE TABLE member_settings (
    platform      TEXT    NOT NULL,
    user_id       TEXT    NOT NULL,
    timezone      TEXT,
    country       TEXT,
    reminders     INTEGER NOT NULL DEFAULT 1 CHECK (reminders IN (0, 1)),
    quiet_from    TEXT,
    quiet_until   TEXT,
    announcements INTEGER NOT NULL DEFAULT 0 CHECK (announcements IN (0, 1)),
    updated_at    INTEGER NOT NULL,
    PRIMARY KEY (platform, user_id),
    FOREIGN KEY (platform, user_id) REFERENCES members (platform, user_id) ON DELETE CASCADE,
    CHECK ((quiet_from IS NULL) = (quiet_until IS NULL))
);
