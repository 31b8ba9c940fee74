"""The ``groups`` table, kept in step with the config file at every start.

Each group has a stable row id that its memberships refer to. The config is the truth
for which groups run:
- a slug in the config gets a row (or keeps its own, with the name brought up to date);
- a group whose config lists an old slug in ``previously`` takes over that slug's row, so
  its members follow the new slug;
- a row whose slug left the config is marked retired: its members see it as "no longer
  running" and can leave it; after ``forget_after`` its memberships are deleted.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from bot.instants import from_epoch_ms, to_epoch_ms
from bot.storage.database import Database, Executor
from groups.models import Group

logger = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class GroupSync:
    """What a sync changed: slugs renamed (old -> new), newly retired, back in the config,
    and how many memberships of long-retired groups were deleted."""

    renamed: tuple[tuple[str, str], ...] = ()
    retired: tuple[str, ...] = ()
    returned: tuple[str, ...] = ()
    forgotten_memberships: int = 0


async def sync_groups(
    db: Database, groups: Sequence[Group], now: datetime, forget_after: timedelta
) -> GroupSync:
    async with db.transaction() as tx:
        rows = await tx.fetch_all("SELECT id, slug, name, retired_at FROM groups")
        known = {str(row["slug"]): row for row in rows}
        current = {group.slug for group in groups}
        renamed, returned = [], []
        for group in groups:
            if group.slug in known:
                row = known[group.slug]
                if row["retired_at"] is not None:
                    returned.append(group.slug)
                if row["retired_at"] is not None or row["name"] != group.name:
                    await _refresh(tx, group.slug, group.name)  # else nothing to write
            elif old := next((s for s in group.previously if s in known), None):
                await tx.execute(
                    "UPDATE groups SET slug = :slug, name = :name, retired_at = NULL"
                    " WHERE slug = :old",
                    {"slug": group.slug, "name": group.name, "old": old},
                )
                renamed.append((old, group.slug))
            else:
                await tx.execute(  # another process starting at once may add it too
                    "INSERT INTO groups (slug, name) VALUES (:slug, :name)"
                    " ON CONFLICT (slug) DO NOTHING",
                    {"slug": group.slug, "name": group.name},
                )
        moved = {old for old, _ in renamed}
        retired = sorted(
            slug
            for slug, row in known.items()
            if slug not in current and slug not in moved and row["retired_at"] is None
        )
        for slug in retired:
            await tx.execute(
                "UPDATE groups SET retired_at = :now WHERE slug = :slug",
                {"now": to_epoch_ms(now), "slug": slug},
            )
        forgotten = await _forget_long_retired(tx, now - forget_after)
    result = GroupSync(tuple(renamed), tuple(retired), tuple(returned), forgotten)
    _log(result)
    return result


async def retired_groups(db: Executor) -> dict[str, datetime]:
    """Slugs of groups no longer in the config, with when they left it."""
    rows = await db.fetch_all(
        "SELECT slug, retired_at FROM groups WHERE retired_at IS NOT NULL ORDER BY slug"
    )
    return {str(row["slug"]): from_epoch_ms(row["retired_at"]) for row in rows}


async def _forget_long_retired(tx: Executor, cutoff: datetime) -> int:
    """Delete the memberships of groups retired before ``cutoff`` (their seat counts
    become 0); how many there were."""
    long_ago = "retired_at IS NOT NULL AND retired_at < :cutoff"
    params = {"cutoff": to_epoch_ms(cutoff)}
    forgotten = await tx.execute(
        f"DELETE FROM memberships WHERE group_id IN (SELECT id FROM groups WHERE {long_ago})",
        params,
    )
    if forgotten:
        await tx.execute(
            f"UPDATE groups SET seated_count = 0, waiting_count = 0 WHERE {long_ago}", params
        )
    return forgotten


async def _refresh(tx: Executor, slug: str, name: str) -> None:
    await tx.execute(
        "UPDATE groups SET name = :name, retired_at = NULL WHERE slug = :slug",
        {"slug": slug, "name": name},
    )


def _log(result: GroupSync) -> None:
    for old, new in result.renamed:
        logger.info("group %s is now %s; its members moved with it", old, new)
    for slug in result.retired:
        logger.info("group %s is no longer in the config; marked as no longer running", slug)
    for slug in result.returned:
        logger.info("group %s is back in the config", slug)
    if result.forgotten_memberships:
        logger.info(
            "deleted %d membership(s) of groups retired long ago", result.forgotten_memberships
        )
