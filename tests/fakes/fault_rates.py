"""Faults drawn at random, call by call, each kind at its own rate (0.05 is 5 %), for a
soak: what the fake Telegram and Discord APIs share. Each fake turns a drawn kind into a
fault of its own (``telegram_faults.RandomFaults``, ``discord_faults.RandomFaults``).

A 429 or a 500 means the fake did nothing; ``drop`` closes the connection before the fake
acts, ``drop_after`` after it acted. ``counts`` tallies what was drawn, by kind and call
("429 sendMessage", "500 POST /...")."""

from __future__ import annotations

import random
from collections import Counter
from dataclasses import dataclass, field

KINDS = ("429", "500", "drop", "drop_after")


@dataclass
class FaultRates:
    seed: int = 0
    too_many: float = 0.0
    server_error: float = 0.0
    drop: float = 0.0
    drop_after: float = 0.0
    retry_after: tuple[float, float] = (0.05, 0.2)  # a 429's wait, drawn in this range
    counts: Counter[str] = field(default_factory=Counter)
    enabled: bool = True

    def __post_init__(self) -> None:
        self._rng = random.Random(self.seed)

    def roll(self, call: str, only: frozenset[str] | None) -> tuple[str, float] | None:
        """The kind of fault for this ``call`` and a 429's wait, or None (no fault, or
        ``call`` not among ``only``)."""
        if not self.enabled or (only is not None and call not in only):
            return None
        roll = self._rng.random()
        rates = (self.too_many, self.server_error, self.drop, self.drop_after)
        for kind, rate in zip(KINDS, rates, strict=True):
            if roll < rate:
                self.counts[f"{kind} {call}"] += 1
                return kind, round(self._rng.uniform(*self.retry_after), 3)
            roll -= rate
        return None

    def total(self, kind: str) -> int:
        """Faults of ``kind`` ("429", "500", "drop", "drop_after") drawn so far."""
        return sum(n for key, n in self.counts.items() if key.split(" ")[0] == kind)
