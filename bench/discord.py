"""2. Command overhead on Discord, and 3. button clicks under Discord's rate limits:
not measured yet, because the Discord adapter is not merged.

They will be measured the way ``bench.telegram_overhead`` measures Telegram: the real
service (``peercircle run`` with ``[discord] enabled``) and a bare discord.py bot
answering the same interactions with a fixed text, each in a process of its own, each
against its own copy of a loopback Discord fake (gateway + REST, like
``tests.fakes.telegram_api`` for Telegram), taking turns round by round. To add them,
make ``overhead`` and ``clicks`` measure and return their figures (see
``bench.report.measured``) with the goals below, and give ``bench.plan.Sizes`` their
sizes; ``bench.plan.SECTIONS`` already runs them as parts 2 and 3.
"""

from __future__ import annotations

from pathlib import Path

from bench.report import Figure, Goal, not_yet

WHY = "needs the Discord adapter"


async def overhead(sizes: object, directory: Path) -> list[Figure]:
    """2. Slash commands over the loopback gateway, PeerCircle ÷ bare discord.py."""
    return [
        not_yet("2", "interactions/s, PeerCircle and bare discord.py", WHY),
        not_yet("2", "throughput ratio, PeerCircle ÷ bare", WHY, Goal("at least", 0.9)),
        not_yet("2", "latency p50/p99 and CPU per interaction", WHY),
    ]


async def clicks(sizes: object, directory: Path) -> list[Figure]:
    """3. Many members clicking one shared message's button, the fake enforcing 50
    requests a second and per-route buckets; shared-message edits coalesced."""
    return [
        not_yet("3", "click latency p99", WHY, Goal("at most", 500, "ms")),
        not_yet("3", "replies past Discord's 3-second deadline", WHY, Goal("at most", 0)),
        not_yet("3", "click throughput ÷ bare discord.py", WHY, Goal("at least", 0.8)),
    ]
