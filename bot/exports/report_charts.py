"""Bar charts of the donor report, drawn with matplotlib (Agg, no display) as PNG.

Georgian needs the embedded DejaVu Sans (bot/assets/fonts); it is registered once per process.
"""

from __future__ import annotations

import io
import threading
from collections.abc import Sequence
from pathlib import Path

import matplotlib

matplotlib.use("Agg")  # before pyplot: files only, never a window

from matplotlib import font_manager
from matplotlib.figure import Figure
from matplotlib.ticker import MaxNLocator

FONTS = Path(__file__).resolve().parent.parent / "assets" / "fonts"
FAMILY = "DejaVu Sans"
BARS = (58, 124, 165)  # not the headings' blue: a page's bars can be told from its text
_registered = threading.Lock()
_done: list[bool] = []


def _fonts() -> None:
    with _registered:
        if not _done:
            for name in ("DejaVuSans.ttf", "DejaVuSans-Bold.ttf"):
                font_manager.fontManager.addfont(str(FONTS / name))
            _done.append(True)


def chart_height_mm(bars: int) -> float:
    """How tall a chart of `bars` bars is on paper (its width is chosen by the caller)."""
    return (0.45 + 0.22 * max(1, bars)) * 25.4


def bar_chart(bars: Sequence[tuple[str, float]], *, shown: Sequence[str],
              width_mm: float = 120) -> bytes:
    """Horizontal bars, one per (label, value), each labelled with its shown value ("<3"
    draws no bar), `width_mm` wide on paper; PNG bytes. A Figure of its own: safe in several
    threads at once."""
    _fonts()
    room = 22 if width_mm < 100 else 38
    labels = [label if len(label) <= room else label[:room - 1] + "…" for label, _v in bars]
    values = [value for _l, value in bars]
    figure = Figure(figsize=(width_mm / 25.4, chart_height_mm(len(bars)) / 25.4), dpi=150)
    axes = figure.add_subplot()
    positions = list(range(len(bars)))[::-1]
    axes.barh(positions, values, color=[c / 255 for c in BARS], height=0.6)
    axes.set_yticks(positions, labels, fontfamily=FAMILY, fontsize=8)
    top = max(values, default=0) or 1
    for y, value, text in zip(positions, values, shown, strict=True):
        axes.text(value + top * 0.01, y, text, va="center", fontsize=8, fontfamily=FAMILY)
    axes.set_xlim(0, top * 1.15)
    axes.tick_params(axis="x", labelsize=7)
    axes.xaxis.set_major_locator(MaxNLocator(nbins=4, integer=True))
    for side in ("top", "right"):
        axes.spines[side].set_visible(False)
    # margins set, not measured (tight_layout draws the figure once more: a third of the time)
    width_in, height_in = figure.get_size_inches()
    longest = max((len(label) for label in labels), default=1)
    figure.subplots_adjust(left=min(0.5, (0.2 + 0.062 * longest) / width_in), right=0.97,
                           top=1 - 0.08 / height_in, bottom=0.3 / height_in)
    out = io.BytesIO()
    figure.savefig(out, format="png", pil_kwargs={"compress_level": 3})
    return out.getvalue()
