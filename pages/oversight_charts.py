"""Geometry of the oversight pictures: horizontal bars (counts per agency) and the small 9-box
grid per agency. Bars are inline SVG with their widths as attributes (the CSP allows no inline
style); each picture has its numbers beside it, so it reads without the picture too."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from functools import cache

from rules.derive import AXIS_LABELS
from rules.pack import load_shipped

NATIONAL_PACK = "bkn-national"
PERFORMANCE_DOWN = ("di_atas", "sesuai", "di_bawah")
"""Rows of the grid, top to bottom."""
POTENTIAL_ACROSS = ("rendah", "menengah", "tinggi")
"""Columns of the grid, left to right."""

LABEL_W, BAR_W, ROW_H, COUNT_W = 160, 160, 22, 40


@dataclass(frozen=True, slots=True)
class Bar:
    """One bar: its label, count, geometry and tone (``state``, ``overdue``, ``escalated``)."""

    label: str
    count: int
    y: int
    width: int
    tone: str


@dataclass(frozen=True, slots=True)
class Bars:
    """A bar chart: the bars and the picture's size."""

    bars: tuple[Bar, ...]
    width: int
    height: int
    label_w: int
    bar_x: int


def bars(rows: Sequence[tuple[str, int, str]], *, scale: int) -> Bars:
    """Lay out ``(label, count, tone)`` rows as horizontal bars, ``scale`` being the count of
    a full-width bar (the largest count over every agency shown, so agencies compare)."""
    full = max(scale, 1)
    laid = tuple(
        Bar(
            label=label,
            count=count,
            y=index * ROW_H,
            width=max(2 if count else 0, round(BAR_W * count / full)),
            tone=tone,
        )
        for index, (label, count, tone) in enumerate(rows)
    )
    return Bars(
        bars=laid,
        width=LABEL_W + BAR_W + COUNT_W,
        height=max(1, len(laid)) * ROW_H,
        label_w=LABEL_W,
        bar_x=LABEL_W + 8,
    )


@dataclass(frozen=True, slots=True)
class MiniCell:
    """One box of a small 9-box grid."""

    number: int
    count: int
    tone: str
    """``high`` (boxes 7-9), ``mid`` (4-6) or ``low`` (1-3)."""


@dataclass(frozen=True, slots=True)
class MiniGrid:
    """A small 3 x 3 grid: rows (performance, top to bottom) of cells (potential, across)."""

    rows: tuple[tuple[str, tuple[MiniCell, ...]], ...]
    columns: tuple[str, ...]


@cache
def national_layout() -> Mapping[tuple[str, str], int]:
    """Return the national box numbering: (performance, potential) -> box, from the shipped
    national pack (the numbering every agency's overlay inherits)."""
    return load_shipped()[NATIONAL_PACK].derived.nine_box


def axis_label(key: str, language: str) -> str:
    """Return the name of an axis value (``di_atas`` …) in ``language``."""
    indonesian, english = AXIS_LABELS.get(key, (key, key))
    return indonesian if language == "id" else english


def mini_grid(counts: Mapping[str, int], *, language: str) -> MiniGrid:
    """Lay out an agency's counts per box (keys ``"1"`` … ``"9"``) in the national numbering."""
    layout = national_layout()
    rows = []
    for performance in PERFORMANCE_DOWN:
        cells = []
        for potential in POTENTIAL_ACROSS:
            number = layout[(performance, potential)]
            cells.append(
                MiniCell(
                    number=number,
                    count=counts.get(str(number), 0),
                    tone="high" if number >= 7 else "mid" if number >= 4 else "low",
                )
            )
        rows.append((axis_label(performance, language), tuple(cells)))
    return MiniGrid(
        rows=tuple(rows),
        columns=tuple(axis_label(potential, language) for potential in POTENTIAL_ACROSS),
    )
