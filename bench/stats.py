"""Medians, spreads and percentiles for repeated measurements (no numpy needed)."""

from __future__ import annotations

import math
import statistics
from collections.abc import Sequence
from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Summary:
    """Repeated measurements of one figure: the median, and the spread as the lowest
    and highest value seen."""

    median: float
    low: float
    high: float
    count: int

    @classmethod
    def of(cls, values: Sequence[float]) -> Summary:
        if not values:
            raise ValueError("no measurements to summarise")
        return cls(statistics.median(values), min(values), max(values), len(values))

    @property
    def relative_spread(self) -> float:
        """(high - low) / median: 0.1 means the runs stayed within 10% of each other."""
        if self.median == 0:
            return 0.0 if self.high == self.low else math.inf
        return (self.high - self.low) / abs(self.median)


def percentile(values: Sequence[float], q: float) -> float:
    """The ``q``-th percentile (0-100) with linear interpolation between the closest
    ranks (numpy's default), so p99 of 200 samples is not just the largest one."""
    if not values:
        raise ValueError("no values")
    if not 0 <= q <= 100:
        raise ValueError("q must be between 0 and 100")
    ordered = sorted(values)
    position = (len(ordered) - 1) * q / 100
    below = math.floor(position)
    above = min(below + 1, len(ordered) - 1)
    fraction = position - below
    return ordered[below] + (ordered[above] - ordered[below]) * fraction
