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

FONTS = Path(__file__).resolve().parent.parent / "assets" / "fonts"
FAMILY = "DejaVu Sans"
ACCENT = "#1f4e79"
_registered = threading.Lock()
_done: list[bool] = []


def _fonts() -> None:
    with _registered:
        if not _done:
            for name in ("DejaVuSans.ttf", "DejaVuSans-Bold.ttf"):
                font_manager.fontManager.addfont(str(FONTS / name))
            _done.append(True)


def bar_chart(bars: Sequence[tuple[str, float]], *, shown: Sequence[str]) -> bytes:
    """Horizontal bars, one per (label, value), each labelled with its shown value ("<3"
    draws no bar); PNG bytes. A Figure of its own: safe in several threads at once."""
    _fonts()
    labels = [label if len(label) <= 38 else label[:37] + "…" for label, _v in bars]
    values = [value for _l, value in bars]
    height = 0.5 + 0.32 * max(1, len(bars))
    figure = Figure(figsize=(6.4, height), dpi=110)
    axes = figure.add_subplot()
    positions = list(range(len(bars)))[::-1]
    axes.barh(positions, values, color=ACCENT, height=0.6)
    axes.set_yticks(positions, labels, fontfamily=FAMILY, fontsize=8)
    top = max(values, default=0) or 1
    for y, value, text in zip(positions, values, shown, strict=True):
        axes.text(value + top * 0.01, y, text, va="center", fontsize=8, fontfamily=FAMILY)
    axes.set_xlim(0, top * 1.15)
    axes.tick_params(axis="x", labelsize=7)
    for side in ("top", "right"):
        axes.spines[side].set_visible(False)
    figure.tight_layout(pad=0.4)
    out = io.BytesIO()
    figure.savefig(out, format="png")
    return out.getvalue()
