"""``/checkins <group>``: the released check-in results of a group, for its facilitators.

Only what was released at close, exactly as released: no filters, no per-member view,
nothing of a period still open. A text sparkline everywhere, and a small chart image
for platforms that show images.
"""

from __future__ import annotations

import asyncio
from zoneinfo import ZoneInfo

from bot.args import Args, ParamSpec
from bot.commands import CommandSpec
from bot.context import Context
from bot.replies import Attachment, Audience, Reply
from bot.roles import Role
from groups.checkin_release import mood_words, period_label, release_notes, release_summary
from groups.checkin_trend import TrendPoint, sparkline, trend_chart
from groups.checkins import CheckinService
from groups.directory import GroupDirectory
from groups.roster import authorize_facilitator

REPORT_GROUP = ParamSpec("group", "params.group", rest=True, max_length=100)
WEEKS = 12


class CheckinReport:
    def __init__(self, service: CheckinService, directory: GroupDirectory) -> None:
        self._service = service
        self._directory = directory

    def specs(self) -> list[CommandSpec]:
        return [
            CommandSpec(
                "checkins", "commands.checkins", self.report, (REPORT_GROUP,), Role.FACILITATOR
            )
        ]

    async def report(self, ctx: Context, args: Args) -> Reply:
        group = self._directory.resolve(args.text("group"))
        authorize_facilitator(ctx, group)
        releases = await self._service.releases(group, WEEKS)
        if not releases:
            return ctx.reply(
                "checkins.report.none",
                audience=Audience.ONLY_YOU,
                group=group.name,
                minimum=group.checkins.min_respondents,
            )
        zone = ZoneInfo(group.timezone)
        lines = [release_summary(group, r, ctx.catalog, zone) for r in releases]
        notes = release_notes(releases[0], ctx.catalog)
        oldest_first = list(reversed(releases))
        points = [
            TrendPoint(period_label(r, zone), r.mean, None if r.suppressed else r.respondents)
            for r in oldest_first
        ]
        chart = await asyncio.to_thread(  # drawing takes tens of ms: off the event loop
            trend_chart,
            points,
            title=ctx.text("checkins.report.chart_title", group=group.name),
            scale_labels=mood_words(ctx.catalog),
            gap_label=ctx.text("checkins.report.gap"),
        )
        text = ctx.text(
            "checkins.report.intro",
            group=group.name,
            weeks=len(releases),
            lines="\n".join(f"• {line}" for line in lines),
            sparkline=sparkline(points),
        )
        return Reply(
            f"{text}\n\n{notes}" if notes else text,
            audience=Audience.ONLY_YOU,
            attachment=Attachment(f"checkins-{group.slug}.png", chart, "image/png"),
        )
