"""``Metrics`` counted with prometheus-client, in a registry of this app's own (never the
library's global one, so two apps in one process, as in tests, count apart).

Counters move as things happen; the outbox's current state (messages by status, members
who cannot be reached) and the storage's health are read from the database when
``/metrics`` is asked for, through ``observe``.
"""

from __future__ import annotations

from collections.abc import Mapping

from prometheus_client import CollectorRegistry, Counter, Gauge, generate_latest

from bot.metrics import COMMAND_OUTCOMES, DELIVERY_OUTCOMES

__all__ = ["OUTBOX_STATUSES", "PrometheusMetrics"]

OUTBOX_STATUSES = ("pending", "sent", "failed", "expired", "unreachable")


class PrometheusMetrics:
    def __init__(self) -> None:
        self.registry = CollectorRegistry()
        reg = self.registry
        self._commands = Counter(
            "peercircle_commands",
            "Commands handled, by command and outcome",
            ["command", "outcome"],
            registry=reg,
        )
        self._deliveries = Counter(
            "peercircle_outbox_deliveries",
            "Outbox sends since start, by outcome",
            ["outcome"],
            registry=reg,
        )
        self._busy = Counter(
            "peercircle_rate_limited",
            "Times a platform answered 429 (slow down) to a message the bot sent on its own",
            ["platform"],
            registry=reg,
        )
        self._tick = Gauge(
            "peercircle_scheduler_last_tick_seconds",
            "When a scheduled wake-up last ran (Unix time; 0: none yet)",
            registry=reg,
        )
        self._outbox = Gauge(
            "peercircle_outbox_messages",
            "Outbox rows now, by status (finished rows are kept 30 days)",
            ["status"],
            registry=reg,
        )
        self._unreachable = Gauge(
            "peercircle_unreachable_members",
            "People whose latest private message could not be delivered",
            registry=reg,
        )
        self._storage_up = Gauge(
            "peercircle_storage_up", "1 when the database answered the last look", registry=reg
        )
        self._degraded = Gauge(
            "peercircle_degraded", "1 while serving without the database", registry=reg
        )
        # each command's counter by its labels, looked up once (``labels`` takes a lock
        # and checks its arguments on every call; the commands are a fixed few)
        self._handled: dict[tuple[str, str], Counter] = {}
        for outcome in DELIVERY_OUTCOMES:
            self._deliveries.labels(outcome)
        for status in OUTBOX_STATUSES:
            self._outbox.labels(status)

    def command_handled(self, command: str, outcome: str) -> None:
        labels = (command, outcome if outcome in COMMAND_OUTCOMES else "other")
        counter = self._handled.get(labels)
        if counter is None:
            counter = self._handled[labels] = self._commands.labels(*labels)
        counter.inc()

    def delivery_finished(self, outcome: str) -> None:
        self._deliveries.labels(outcome).inc()

    def platform_busy(self, platform: str) -> None:
        self._busy.labels(platform).inc()

    def scheduler_ticked(self) -> None:
        self._tick.set_to_current_time()

    def observe(
        self,
        *,
        degraded: bool,
        outbox: Mapping[str, int] | None,
        unreachable: int | None,
    ) -> None:
        """The state read just now; ``outbox`` None: the database did not answer."""
        self._degraded.set(1 if degraded else 0)
        self._storage_up.set(0 if outbox is None else 1)
        if outbox is not None:
            for status in {*OUTBOX_STATUSES, *outbox}:
                self._outbox.labels(status).set(outbox.get(status, 0))
        if unreachable is not None:
            self._unreachable.set(unreachable)

    def render(self) -> bytes:
        """The text format Prometheus scrapes."""
        return generate_latest(self.registry)
