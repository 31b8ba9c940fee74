"""The check-in trend across periods: a text sparkline and a small chart image.

Pure: no storage, no clock. Only aggregated figures reach it (a period's mood mean on
the 1–5 scale and how many answered, or nothing for a period that was not released);
there is no member data here to leak.

``sparkline`` works everywhere text does: one block per period on a fixed scale (1 is
the lowest block, 5 the highest, whatever the other periods are), a neutral dot for a
period not released. ``trend_chart`` draws the same points as a PNG for platforms that
show images. It uses matplotlib's object API (``Figure`` and the Agg canvas), never
pyplot's global state, and imports matplotlib on first use so start-up does not pay for
it. Every text on the chart comes from the caller (the message catalog) and is drawn
literally: no mathtext, so a ``$`` in a group's name stays a ``$``.

A chart is drawn in well under a second but it does block: a caller on the event loop
may run it in a thread (``asyncio.to_thread``); it touches no shared state.
"""

from __future__ import annotations

import io
import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, cast

if TYPE_CHECKING:
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure
    from matplotlib.patches import Patch
    from matplotlib.text import Text

LOWEST, HIGHEST = 1.0, 5.0  # the mood scale
BLOCKS = "▁▂▃▄▅▆▇█"
GAP = "·"  # a period not released (too few check-ins)
MOST_PERIOD_LABELS = 8  # more periods than this: only every few are labelled

# The look: dark ink on white (contrast well over 7:1), a gap hatched as well as shaded,
# so nothing is told by colour alone and it reads the same in greyscale.
WIDTH, HEIGHT, DPI = 6.4, 3.2, 100  # inches at DPI: 640 x 320 pixels
FONT = "DejaVu Sans"  # shipped with matplotlib: the same glyphs on every machine
INK = "#111111"
LINE = "#0b3d91"  # dark blue: 10:1 against white
GRID = "#c8c8c8"
GAP_FILL = "#ececec"
GAP_HATCH = "#555555"


@dataclass(frozen=True, slots=True)
class TrendPoint:
    """One period: its label (formatted by the caller, e.g. "23 Nov"), the mood mean on
    the 1–5 scale and the number of respondents, or both None when the period was not
    released (too few check-ins: not even its count is shown)."""

    label: str
    mean: float | None
    count: int | None

    def __post_init__(self) -> None:
        if (self.mean is None) != (self.count is None):
            raise ValueError("a period is released with its mean and count, or with neither")
        if self.mean is not None and not LOWEST <= self.mean <= HIGHEST:
            raise ValueError(f"a mood mean must be within {LOWEST:g}–{HIGHEST:g}")
        if self.count is not None and self.count < 1:
            raise ValueError("a released period has at least one respondent")

    @property
    def released(self) -> bool:
        return self.mean is not None


def block(mean: float) -> str:
    """The block for ``mean`` on the fixed 1–5 scale: 1 is ▁, 5 is █, halves round up."""
    step = (mean - LOWEST) / (HIGHEST - LOWEST) * (len(BLOCKS) - 1)
    return BLOCKS[min(max(math.floor(step + 0.5), 0), len(BLOCKS) - 1)]


def sparkline(points: Sequence[TrendPoint]) -> str:
    """One character per period, oldest first: a block for its mean, ``·`` for a period
    not released. Empty for no periods."""
    return "".join(GAP if p.mean is None else block(p.mean) for p in points)


def trend_chart(
    points: Sequence[TrendPoint], *, title: str, scale_labels: Sequence[str], gap_label: str
) -> bytes:
    """A 640 x 320 PNG of the means, oldest first: the 1–5 axis labelled with the five
    ``scale_labels``, a period not released drawn as a hatched gap (the line breaks
    there) named ``gap_label`` in a legend. The same input gives the same bytes."""
    if len(scale_labels) != int(HIGHEST - LOWEST) + 1:
        raise ValueError("the scale needs one label for each of its five points")
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    figure = Figure(figsize=(WIDTH, HEIGHT), dpi=DPI, facecolor="white", layout="constrained")
    canvas = FigureCanvasAgg(figure)
    axes = figure.add_subplot(facecolor="white")
    _draw_scale(axes, scale_labels)
    _draw_periods(axes, points)
    gaps = [index for index, point in enumerate(points) if not point.released]
    if gaps:
        _draw_gaps(figure, axes, gaps, gap_label)
    _literal(axes.set_title(title, loc="left", pad=8), size=12)
    out = io.BytesIO()
    # No "Software" text chunk (it names the matplotlib version): the same bytes each time.
    # (matplotlib leaves print_png unannotated.)
    write_png = cast("Callable[..., None]", canvas.print_png)
    write_png(out, metadata={"Software": None})
    return out.getvalue()


def _literal(text: Text, *, size: float = 9) -> None:
    """``text`` in the chart's font and ink, shown as written (no mathtext)."""
    text.set_parse_math(False)
    text.set_fontfamily(FONT)
    text.set_fontsize(size)
    text.set_color(INK)


def _draw_scale(axes: Axes, scale_labels: Sequence[str]) -> None:
    """The fixed 1–5 axis, each level named and ruled."""
    levels = [LOWEST + step for step in range(len(scale_labels))]
    axes.set_ylim(LOWEST - 0.3, HIGHEST + 0.3)
    for label in axes.set_yticks(levels, labels=list(scale_labels)):
        _literal(label.label1)
    axes.grid(axis="y", color=GRID, linewidth=0.8)
    axes.set_axisbelow(True)
    axes.tick_params(colors=INK, length=0)
    for side in ("top", "right", "left"):
        axes.spines[side].set_visible(False)
    axes.spines["bottom"].set_color(INK)


def _draw_periods(axes: Axes, points: Sequence[TrendPoint]) -> None:
    """The means as a line with a marker on each (the line breaks at a gap, and a lone
    period between gaps is still a marker), periods labelled along the bottom."""
    axes.set_xlim(-0.5, max(len(points), 1) - 0.5)
    every = max(1, math.ceil(len(points) / MOST_PERIOD_LABELS))
    shown = [i for i in range(len(points)) if (len(points) - 1 - i) % every == 0]
    for tick in axes.set_xticks(shown, labels=[points[i].label for i in shown]):
        _literal(tick.label1)
    if not points:
        return
    axes.plot(
        range(len(points)),
        [math.nan if p.mean is None else p.mean for p in points],
        color=LINE,
        linewidth=2,
        marker="o",
        markersize=4 if len(points) > 26 else 6,
        markerfacecolor=LINE,
        markeredgecolor="white",
        markeredgewidth=0.8,
    )


def _draw_gaps(figure: Figure, axes: Axes, gaps: Sequence[int], gap_label: str) -> None:
    """A shaded, hatched band over each period not released; one legend entry for them,
    under the chart (clear of a long title)."""
    from matplotlib.patches import Patch

    for index in gaps:
        _gap_look(axes.axvspan(index - 0.5, index + 0.5, zorder=0))
    key = Patch(label=gap_label)
    _gap_look(key)
    legend = figure.legend(handles=[key], loc="outside lower right", frameon=False)
    for text in legend.get_texts():
        _literal(text)


def _gap_look(band: Patch) -> None:
    band.set_facecolor(GAP_FILL)
    band.set_edgecolor(GAP_HATCH)  # the hatching's colour
    band.set_hatch("///")
    band.set_linewidth(0)
