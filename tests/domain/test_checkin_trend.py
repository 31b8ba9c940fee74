"""The check-in trend: a sparkline on a fixed scale with gaps, and a small PNG chart that
is valid, bounded, deterministic and shows a gap without relying on colour."""

from __future__ import annotations

import io
import os
import subprocess
import sys
from collections.abc import Sequence
from pathlib import Path

import pytest
from PIL import Image

from groups.checkin_trend import (
    BLOCKS,
    GAP,
    GAP_FILL,
    LINE,
    TrendPoint,
    block,
    sparkline,
    trend_chart,
)

pytestmark = pytest.mark.both_engines

SCALE = ("struggling", "low", "okay", "good", "doing well")  # the caller's catalog words
PNG_MAGIC = b"\x89PNG\r\n\x1a\n"


def released(mean: float, label: str = "23 Nov", count: int = 6) -> TrendPoint:
    return TrendPoint(label, mean, count)


def withheld(label: str = "30 Nov") -> TrendPoint:
    return TrendPoint(label, None, None)


def weeks(count: int) -> list[TrendPoint]:
    """``count`` periods, every fifth not released, the others walking over the scale."""
    return [
        withheld(f"w{n}") if n % 5 == 3 else released(1 + (n * 7 % 9) / 2, f"w{n}")
        for n in range(count)
    ]


def chart(points: Sequence[TrendPoint], title: str = "Tuesday Circle: mood by week") -> bytes:
    return trend_chart(points, title=title, scale_labels=SCALE, gap_label="not shared")


def decoded(png: bytes) -> Image.Image:
    image = Image.open(io.BytesIO(png))
    image.load()  # reads every pixel: a damaged file raises here
    return image


def pixels_of(image: Image.Image, colour: str) -> int:
    """How many pixels are exactly ``colour`` ("#rrggbb")."""
    rgb = tuple(int(colour[i : i + 2], 16) for i in (1, 3, 5))
    counts = image.convert("RGB").getcolors(maxcolors=640 * 320) or []
    return sum(count for count, found in counts if found == rgb)


def dark_pixels(image: Image.Image) -> int:
    counts = image.convert("L").getcolors(maxcolors=256) or []
    return sum(count for count, grey in counts if isinstance(grey, int) and grey < 120)


# -- sparkline ---------------------------------------------------------------------------


def test_the_ends_of_the_scale_are_the_lowest_and_highest_blocks() -> None:
    assert sparkline([released(1.0), released(5.0)]) == "▁█"


def test_each_step_of_the_scale_has_its_block() -> None:
    means = [1 + step * 4 / 7 for step in range(8)]
    assert sparkline([released(m) for m in means]) == BLOCKS == "▁▂▃▄▅▆▇█"


def test_the_scale_is_fixed_not_stretched_to_the_periods_shown() -> None:
    """A steady 4 is the same block alone or beside a 4.2: no min/max stretching."""
    assert sparkline([released(4.0)]) == block(4.0) == "▆"
    assert sparkline([released(4.0), released(4.0)]) == "▆▆"
    assert sparkline([released(2.0), released(2.1)]) == "▃▃"


def test_halfway_between_two_blocks_rounds_up() -> None:
    assert block(3.0) == "▅"  # step 3.5 of 0..7
    assert block(2.99) == "▄"


def test_a_period_not_released_is_a_neutral_dot() -> None:
    points = [released(2.0), withheld(), released(5.0), withheld()]
    assert sparkline(points) == f"▃{GAP}█{GAP}" == "▃·█·"


def test_no_periods_is_an_empty_line() -> None:
    assert sparkline([]) == ""


@pytest.mark.parametrize(
    ("mean", "count", "problem"),
    [
        (None, 3, "or with neither"),
        (3.0, None, "or with neither"),
        (0.9, 5, "within 1–5"),
        (5.01, 5, "within 1–5"),
        (float("nan"), 5, "within 1–5"),
        (3.0, 0, "at least one"),
    ],
)
def test_a_point_is_released_whole_or_not_at_all(
    mean: float | None, count: int | None, problem: str
) -> None:
    """An unreleased period carries not even its count (a small count is itself a fact
    about a few people), and a mean is on the 1–5 scale."""
    with pytest.raises(ValueError, match=problem):
        TrendPoint("23 Nov", mean, count)


# -- chart -------------------------------------------------------------------------------


@pytest.mark.parametrize("count", [0, 1, 2, 12, 52])
def test_the_chart_is_a_small_valid_png(count: int) -> None:
    png = chart(weeks(count))

    assert png.startswith(PNG_MAGIC)
    assert 2_000 < len(png) < 100_000
    assert decoded(png).size == (640, 320)


def test_the_same_points_give_the_same_bytes() -> None:
    points = weeks(20)
    assert chart(points) == chart(list(points))


def test_the_png_carries_no_software_or_date_text() -> None:
    png = chart(weeks(3))
    assert b"Software" not in png
    assert b"matplotlib" not in png.lower()
    assert not {"Software", "Creation Time"} & set(decoded(png).info)


def test_different_points_give_a_different_chart() -> None:
    assert chart([released(2.0), released(4.0)]) != chart([released(4.0), released(2.0)])


def test_a_gap_is_shaded_and_hatched_and_the_line_skips_it() -> None:
    none_withheld = decoded(chart([released(3.0), released(3.0), released(3.0)]))
    one_withheld = decoded(chart([released(3.0), withheld(), released(3.0)]))

    assert pixels_of(none_withheld, GAP_FILL) < 100  # a few antialiased edges at most
    assert pixels_of(one_withheld, GAP_FILL) > 1_000
    # The hatching: a gap is not told by a light shade alone.
    assert dark_pixels(one_withheld) > dark_pixels(none_withheld) + 1_000
    assert pixels_of(one_withheld, LINE) < pixels_of(none_withheld, LINE)


def test_nothing_released_is_a_chart_of_gaps_with_no_line() -> None:
    image = decoded(chart([withheld(f"w{n}") for n in range(4)]))
    assert pixels_of(image, LINE) == 0
    assert pixels_of(image, GAP_FILL) > 10_000


def test_texts_are_drawn_literally_not_as_math() -> None:
    """A ``$`` in a group's name would start matplotlib's mathtext; it must not."""
    png = trend_chart(
        [released(3.0, "$1 week"), withheld("5$")],
        title="Costs $$ circle $x^2$",
        scale_labels=("$", "low", "okay", "good", "$$"),
        gap_label="not $shared$",
    )
    assert decoded(png).size == (640, 320)


def test_the_scale_needs_five_labels() -> None:
    with pytest.raises(ValueError, match="five"):
        trend_chart([released(3.0)], title="t", scale_labels=SCALE[:4], gap_label="g")


def test_matplotlib_is_imported_on_first_chart_not_at_start_up() -> None:
    """The bot imports this module at start-up; only drawing a chart pays for matplotlib."""
    probe = (
        "import sys, groups.checkin_trend as t\n"
        "before = 'matplotlib' in sys.modules\n"
        "t.sparkline([t.TrendPoint('a', 3.0, 5)])\n"
        "after_sparkline = 'matplotlib' in sys.modules\n"
        "t.trend_chart([], title='t', scale_labels='12345', gap_label='g')\n"
        "after_chart = 'matplotlib' in sys.modules\n"
        "print(before, after_sparkline, after_chart, 'matplotlib.pyplot' in sys.modules)\n"
    )
    root = Path(__file__).parents[2]
    env = {**os.environ, "PYTHONPATH": str(root)}
    done = subprocess.run(
        [sys.executable, "-c", probe], cwd=root, env=env, capture_output=True, text=True, check=True
    )
    assert done.stdout.split() == ["False", "False", "True", "False"]
