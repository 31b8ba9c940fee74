"""The soak's figures: printed (``pytest -s``) and written to ``soak.json`` in the test's
temporary folder."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from tests.soak.run import Soak

KINDS = ("429", "500", "drop", "drop_after")
MEMORY_WARM_UP = 20  # percent of the run before memory must stay flat
MEMORY_GROWTH = 0.10  # at most this much more resident memory after the warm-up


def percentile(values: list[float], percent: float) -> float:
    ordered = sorted(values)
    if not ordered:
        return 0.0
    index = min(len(ordered) - 1, round(percent / 100 * (len(ordered) - 1)))
    return ordered[index]


def memory_growth(samples: list[tuple[int, int]]) -> float:
    """Growth of the largest sample after the warm-up over the sample at its end."""
    after = [kib for percent, kib in samples if percent >= MEMORY_WARM_UP]
    if len(after) < 2:
        return 0.0
    return max(after) / after[0] - 1


def figures(run: Soak) -> dict[str, Any]:
    tally, latencies = run.tally, run.tally.latencies
    faults: dict[str, dict[str, int]] = {}
    for name, book in (("telegram", run.telegram_faults), ("discord", run.discord_faults)):
        if book is not None:
            faults[name] = {kind: book.total(kind) for kind in KINDS}
    samples = run.progress.samples if run.progress else []
    return {
        "commands": tally.done,
        "members": run.plan.members,
        "seconds": round(run.seconds, 1),
        "commands_per_second": round(tally.done / run.seconds, 1) if run.seconds else 0,
        "latency_ms": {
            "p50": round(percentile(latencies, 50) * 1000),
            "p99": round(percentile(latencies, 99) * 1000),
            "max": round(max(latencies, default=0) * 1000),
        },
        "cpu_seconds": {"service": round(run.service_cpu, 1), "test": round(run.test_cpu, 1)},
        "by_kind": dict(sorted(tally.by_kind.items())),
        "answers_by_verdict": dict(sorted(tally.model.verdicts.items())),
        "faults": faults,
        "retries_seen": retries(run),
        "database_locks": {
            "held": len(run.locker.held) if run.locker else 0,
            "longest_s": round(max(run.locker.held, default=0), 2) if run.locker else 0,
        },
        "gateway_drops": len(run.gateway_drops),
        "rss_kib": samples,
        "rss_growth_after_warm_up": round(memory_growth(samples), 3),
        "outbox_drained_s": run.drained_after,
        "lost": len(tally.lost),
        "lost_first": tally.lost[:20],
        "discord_answered_privately": tally.privately,
        "exit_code": run.exit_code,
    }


def retries(run: Soak) -> dict[str, int]:
    """Calls the service made again after a fault: Bot API calls beyond the ones that
    got an answer, and Discord REST calls that failed (each was tried again, or lost)."""
    if not run.telegram or not run.discord:
        return {}
    telegram, discord = run.telegram[0].fake, run.discord[0].fake
    sent = sum(1 for call in telegram.calls if call.method == "sendMessage")
    delivered = sum(len(chat) for chat in telegram.answers.values())
    delivered += sum(len(chat) for chat in telegram.notices.values())
    failed = sum(1 for call in discord.calls if call.status not in (200, 204))
    expired = sum(1 for call in discord.calls if call.code == 10062)
    return {
        "telegram_sends_repeated": sent - delivered,
        "discord_calls_failed": failed,
        "discord_unknown_interaction": expired,
    }


def write(run: Soak, directory: Path) -> dict[str, Any]:
    found = figures(run)
    text = json.dumps(found, indent=2)
    (directory / "soak.json").write_text(text + "\n", encoding="utf-8")
    print(f"\nfault soak figures ({directory / 'soak.json'}):\n{text}")
    return found
