"""The benchmark's figures, each with its goal: printed as a table, kept as JSON.

A ``Figure`` is one number (the median of repeated runs, with the lowest and highest
run as its spread), a unit, and the goal it is held to, if any. A figure that cannot be
measured (``not_yet``) is a row with no value and a note, so the table always shows
every figure the benchmark owes.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any, Literal

from bench.stats import Summary

Direction = Literal["at least", "at most"]


@dataclass(frozen=True, slots=True)
class Goal:
    direction: Direction
    target: float
    unit: str = ""

    def met_by(self, value: float) -> bool:
        if self.direction == "at least":
            return value >= self.target
        return value <= self.target

    def __str__(self) -> str:
        sign = "≥" if self.direction == "at least" else "≤"
        return f"{sign} {_number(self.target)}{_unit(self.unit)}"


@dataclass(frozen=True, slots=True)
class Figure:
    section: str  # "1", "2", ... as numbered in the issue
    name: str
    unit: str = ""
    summary: Summary | None = None  # None: not measured (see ``note``)
    goal: Goal | None = None
    note: str = ""

    @property
    def value(self) -> float | None:
        return None if self.summary is None else self.summary.median

    @property
    def met(self) -> bool | None:
        """Whether the median meets the goal (None: no goal, or no value)."""
        if self.goal is None or self.summary is None:
            return None
        return self.goal.met_by(self.summary.median)

    def as_json(self) -> dict[str, Any]:
        found: dict[str, Any] = {"section": self.section, "name": self.name, "unit": self.unit}
        if self.summary is not None:
            found.update(
                median=_finite(self.summary.median),
                low=_finite(self.summary.low),
                high=_finite(self.summary.high),
                runs=self.summary.count,
            )
        else:
            found["median"] = None
        if self.goal is not None:
            found["goal"] = {"direction": self.goal.direction, "target": self.goal.target}
            found["met"] = self.met
        if self.note:
            found["note"] = self.note
        return found


def measured(
    section: str,
    name: str,
    values: list[float],
    unit: str = "",
    goal: Goal | None = None,
    note: str = "",
) -> Figure:
    return Figure(section, name, unit, Summary.of(values), goal, note)


def not_yet(section: str, name: str, why: str, goal: Goal | None = None) -> Figure:
    return Figure(section, name, goal=goal, note=f"not yet: {why}")


@dataclass
class Section:
    """One numbered part of the benchmark and the figures it produced."""

    number: str
    title: str
    figures: list[Figure] = field(default_factory=list)
    seconds: float = 0.0
    error: str | None = None  # the section failed; its figures are missing

    def as_json(self) -> dict[str, Any]:
        found: dict[str, Any] = {
            "number": self.number,
            "title": self.title,
            "seconds": round(self.seconds, 1),
            "figures": [figure.as_json() for figure in self.figures],
        }
        if self.error:
            found["error"] = self.error
        return found


def render_table(sections: list[Section]) -> str:
    """Every figure with its value (the median, and the spread over the runs), its
    goal and whether the median meets it, then a note."""
    header = ("#", "figure", "median", "spread (runs)", "goal", "", "note")
    rows: list[tuple[str, ...]] = [header]
    for section in sections:
        rows.append((section.number, section.title, "", "", "", "", ""))
        if section.error:
            rows.append(("", "  FAILED", "", "", "", "", section.error))
        for figure in section.figures:
            rows.append(_row(figure))
    widths = [max(len(row[i]) for row in rows) for i in range(len(header))]
    widths[1] = min(widths[1], 48)
    lines = []
    for index, row in enumerate(rows):
        cells = [row[0], row[1], *row[2:]]
        line = "  ".join(cell.ljust(widths[i]) for i, cell in enumerate(cells))
        lines.append(line.rstrip())
        if index == 0:
            lines.append("  ".join("-" * width for width in widths[:-1]))
    return "\n".join(lines)


def _row(figure: Figure) -> tuple[str, ...]:
    goal = "" if figure.goal is None else str(figure.goal)
    name = f"  {figure.name}"
    if figure.summary is None:
        return ("", name, "—", "", goal, "", figure.note)
    summary = figure.summary
    value = f"{_number(summary.median)}{_unit(figure.unit)}"
    spread = ""
    if summary.count > 1:
        spread = f"{_number(summary.low)}–{_number(summary.high)} ({summary.count})"
    mark = {True: "ok", False: "MISSED", None: ""}[figure.met]
    return ("", name, value, spread, goal, mark, figure.note)


def _number(value: float) -> str:
    if not math.isfinite(value):
        return str(value)
    magnitude = abs(value)
    if value == int(value) and magnitude < 1e15:
        return f"{int(value):,}"
    if magnitude >= 1000:
        return f"{value:,.0f}"
    if magnitude >= 100:
        return f"{value:.0f}"
    if magnitude >= 10:
        return f"{value:.1f}"
    if magnitude >= 1:
        return f"{value:.2f}"
    return f"{value:.3f}"


def _unit(unit: str) -> str:
    if not unit:
        return ""
    return unit if unit.startswith(("/", "%", "×")) else f" {unit}"


def _finite(value: float) -> float | None:
    return round(value, 6) if math.isfinite(value) else None
