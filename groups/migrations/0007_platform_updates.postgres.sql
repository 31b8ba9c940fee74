-- PostgreSQL variant of 0007_platform_updates.sql: ids and epoch ms need BIGINT.
-- Update ids a platform delivered (bot/update_ledger.py): with several processes behind
-- one Telegram webhook, a repeated delivery may reach another process; the first to
-- record an id handles it. Ids older than a day are deleted (Telegram keeps an
-- undelivered update at most 24 hours). No member data.
CREATE TABLE platform_updates (
    platform  TEXT    NOT NULL,
    update_id BIGINT  NOT NULL,
    seen_at   BIGINT  NOT NULL,
    PRIMARY KEY (platform, update_id)
);

CREATE INDEX platform_updates_by_seen ON platform_updates (seen_at);
