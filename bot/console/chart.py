"""A small bar chart drawn on the server: the geometry an inline SVG template needs.

No script and no library: the page template draws one <rect> per bar from these numbers, and
gives the chart its text alternative (a title, a description and a table of the same figures).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

WIDTH, HEIGHT = 480, 200
TOP, BOTTOM, LEFT, RIGHT = 24, 30, 32, 8  # room for value labels, week labels, the scale
GAP = 0.25  # of each bar's slot, left empty


@dataclass(frozen=True)
class Bar:
    """One bar: where it stands, its value and its label under it."""

    x: float
    y: float
    width: float
    height: float
    value: int
    label: str

    @property
    def centre(self) -> float:
        """Where its labels are centred."""
        return self.x + self.width / 2


@dataclass(frozen=True)
class BarChart:
    """Everything the template draws."""

    width: int
    height: int
    bars: list[Bar]
    baseline: float  # y of the axis
    left: float
    right: float
    ticks: list[tuple[float, int]]  # (y, value) of the scale's lines

    @property
    def total(self) -> int:
        """The sum of the bars."""
        return sum(bar.value for bar in self.bars)

    @property
    def highest(self) -> Bar | None:
        """The tallest bar (the latest of equals), or None when all are zero."""
        best = None
        for bar in self.bars:
            if bar.value > 0 and (best is None or bar.value >= best.value):
                best = bar
        return best


def _scale_top(largest: int) -> int:
    """A round number at or above `largest` for the top of the scale: up to 5 itself, then
    10, 20, 25, 50, 100, 200, 250, 500… (each divides into 5 whole steps)."""
    if largest <= 5:
        return max(largest, 1)
    magnitude = 1
    while True:
        for nice in (10, 20, 25, 50):
            if nice * magnitude >= largest:
                return nice * magnitude
        magnitude *= 10


def bar_chart(points: Sequence[tuple[str, int]], *, width: int = WIDTH,
              height: int = HEIGHT) -> BarChart:
    """Bars for (label, value) pairs, left to right, scaled to the largest value."""
    top = _scale_top(max((value for _label, value in points), default=0))
    plot_height = height - TOP - BOTTOM
    baseline = height - BOTTOM
    slot = (width - LEFT - RIGHT) / max(len(points), 1)
    bars = []
    for index, (label, value) in enumerate(points):
        bar_height = plot_height * value / top
        bars.append(Bar(x=round(LEFT + index * slot + slot * GAP / 2, 1),
                        y=round(baseline - bar_height, 1), width=round(slot * (1 - GAP), 1),
                        height=round(bar_height, 1), value=value, label=label))
    steps = min(top, 5)
    ticks = [(round(baseline - plot_height * i / steps, 1), top * i // steps)
             for i in range(steps + 1)]
    return BarChart(width=width, height=height, bars=bars, baseline=baseline, left=LEFT,
                    right=width - RIGHT, ticks=ticks)
