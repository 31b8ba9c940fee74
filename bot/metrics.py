"""What the core tells about its work, for an operator's monitoring: the ``Metrics`` seam.

The dispatcher, the outbox worker, the messenger and the scheduler each call it at the
moment something happens; they know nothing of how it is counted. ``NoMetrics`` (the
default everywhere) forgets it all; ``bot.metrics_prometheus.PrometheusMetrics`` counts
it for ``/metrics``. Labels are only ever names the code chose (a command's name, an
outcome, a platform), never anything a member typed.
"""

from __future__ import annotations

from typing import Protocol

__all__ = ["COMMAND_OUTCOMES", "DELIVERY_OUTCOMES", "Metrics", "NoMetrics"]

COMMAND_OUTCOMES = ("ok", "refused", "user_error", "unavailable", "incident")
"""How a command ended: answered, refused for the role, a mistake the person can fix,
storage unavailable (or degraded), an unexpected error (an incident)."""

DELIVERY_OUTCOMES = ("sent", "failed", "expired", "unreachable", "retry", "no_route")
"""What became of one outbox row's turn: ``failed`` is final (attempts used up),
``retry`` means it will be tried again, ``no_route`` that its platform is not served."""


class Metrics(Protocol):
    def command_handled(self, command: str, outcome: str) -> None:
        """A command (or a private text) was handled; ``outcome`` is one of
        ``COMMAND_OUTCOMES``."""
        ...

    def delivery_finished(self, outcome: str) -> None:
        """An outbox row's turn ended as one of ``DELIVERY_OUTCOMES``."""
        ...

    def platform_busy(self, platform: str) -> None:
        """A platform asked the bot to slow down (HTTP 429)."""
        ...

    def scheduler_ticked(self) -> None:
        """A scheduled wake-up (reminders, check-ins) has run."""
        ...


class NoMetrics:
    """Counts nothing."""

    def command_handled(self, command: str, outcome: str) -> None:
        pass

    def delivery_finished(self, outcome: str) -> None:
        pass

    def platform_busy(self, platform: str) -> None:
        pass

    def scheduler_ticked(self) -> None:
        pass
