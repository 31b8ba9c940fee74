-- PostgreSQL variant of 0006_form_progress.sql: epoch milliseconds need BIGINT.
-- Forms in progress (bot/form_progress.py): a person answering a form one question at a
-- time (Telegram) has their answers so far kept here, so a restart of the bot does not
-- lose the conversation. One row per person. form holds the questions and where the
-- form was opened (no member text); answers the answers so far (JSON), set to NULL when
-- the form is left untouched too long (it expired: the row stays a little longer only
-- so a late answer can be told so kindly). A row is deleted when its form is submitted,
-- cancelled or put away, and an expired one a day later at most.
CREATE TABLE form_progress (
    platform   TEXT    NOT NULL,
    user_id    TEXT    NOT NULL,
    tag        TEXT    NOT NULL,
    form       TEXT    NOT NULL,
    answers    TEXT,
    touched_at BIGINT  NOT NULL,
    PRIMARY KEY (platform, user_id)
);

CREATE INDEX form_progress_by_touched ON form_progress (touched_at);
