"""The figures of a command-overhead comparison (parts 1 and 2): PeerCircle and a bare
bot on the same platform library, round by round."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Protocol

from bench.report import Figure, Goal, measured

RATIO_GOAL = Goal("at least", 0.9)


class OverheadRound(Protocol):
    @property
    def rate(self) -> float: ...  # answered per second, in the burst
    @property
    def cpu_ms(self) -> float: ...  # the bot process's CPU time per item
    @property
    def p50_ms(self) -> float: ...
    @property
    def p99_ms(self) -> float: ...


def overhead_figures(
    section: str,
    ours: Sequence[OverheadRound],
    bare: Sequence[OverheadRound],
    *,
    items: str,  # what is counted per second: "updates", "interactions"
    each: str,  # one of them, for CPU per: "command", "interaction"
    bare_name: str,  # "bare PTB", "bare discord.py"
    how: str,
) -> list[Figure]:
    ratios = [o.rate / b.rate for o, b in zip(ours, bare, strict=True)]
    found = [
        measured(section, f"{items}/s, PeerCircle", [r.rate for r in ours], "/s", note=how),
        measured(section, f"{items}/s, {bare_name}", [r.rate for r in bare], "/s"),
        measured(section, "throughput ratio, PeerCircle ÷ bare", ratios, "", RATIO_GOAL),
    ]
    for name, side in (("PeerCircle", ours), (bare_name, bare)):
        found += [
            measured(section, f"latency p50, {name}", [r.p50_ms for r in side], "ms"),
            measured(section, f"latency p99, {name}", [r.p99_ms for r in side], "ms"),
            measured(section, f"CPU per {each}, {name}", [r.cpu_ms for r in side], "ms"),
        ]
    cpu = [o.cpu_ms / b.cpu_ms for o, b in zip(ours, bare, strict=True) if b.cpu_ms > 0]
    if cpu:
        found.append(measured(section, f"CPU per {each}, PeerCircle ÷ bare", cpu, "×"))
    return found
