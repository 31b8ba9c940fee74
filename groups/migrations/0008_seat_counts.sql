-- Each group's row keeps how many seats are taken and how many people wait, changed in
-- the same transaction as the memberships themselves (groups/membership_repo.py), so
-- listing the groups and joining one read two numbers instead of counting rows: a
-- count grew with the waiting list (about 100 µs for 1,500 people) and ran on every
-- /groups and every /join. At start the bot compares them with the memberships and
-- recounts any group whose numbers drifted (a membership edited by hand, say).
ALTER TABLE groups ADD COLUMN seated_count INTEGER NOT NULL DEFAULT 0;
ALTER TABLE groups ADD COLUMN waiting_count INTEGER NOT NULL DEFAULT 0;

UPDATE groups SET
    seated_count = (
        SELECT COUNT(*) FROM memberships m WHERE m.group_id = groups.id AND m.status = 'seated'
    ),
    waiting_count = (
        SELECT COUNT(*) FROM memberships m
        WHERE m.group_id = groups.id AND m.status = 'waitlisted'
    );
