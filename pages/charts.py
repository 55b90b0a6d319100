"""Geometry for the pictures drawn as inline SVG by the templates: the 9-box grid and the
competency radar. Each picture also has a table equivalent on its page."""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

PERFORMANCE = ("di_atas", "sesuai", "di_bawah")
"""Rows of the grid, top to bottom."""
POTENTIAL = ("rendah", "menengah", "tinggi")
"""Columns of the grid, left to right."""

CELL_W, CELL_H = 150, 96
LEFT, TOP = 40, 8


@dataclass(frozen=True, slots=True)
class BoxCell:
    """One box of the 9-box grid, where it is drawn and what it holds."""

    number: int
    performance: str
    potential: str
    x: int
    y: int
    w: int
    h: int
    count: int
    names: tuple[str, ...]
    url: str
    selected: bool
    tone: str
    """``high`` (the succession group 7-9), ``mid`` (4-6) or ``low`` (1-3)."""


@dataclass(frozen=True, slots=True)
class NineBox:
    """The whole grid."""

    cells: tuple[BoxCell, ...]
    width: int
    height: int


def nine_box(
    table: Mapping[tuple[str, str], int],
    *,
    counts: Mapping[int, int],
    names: Mapping[int, Sequence[str]],
    link: Callable[[int], str],
    selected: int | None,
) -> NineBox:
    """Lay out the 3 × 3 grid with the pack's national box numbers (performance down, potential
    across), the count and the names listed in each box, and a link that filters by it."""
    cells = []
    for row, performance in enumerate(PERFORMANCE):
        for column, potential in enumerate(POTENTIAL):
            number = table[(performance, potential)]
            cells.append(
                BoxCell(
                    number=number,
                    performance=performance,
                    potential=potential,
                    x=LEFT + column * CELL_W,
                    y=TOP + row * CELL_H,
                    w=CELL_W - 4,
                    h=CELL_H - 4,
                    count=counts.get(number, 0),
                    names=tuple(names.get(number, ()))[:3],
                    url=link(number),
                    selected=selected == number,
                    tone="high" if number >= 7 else "mid" if number >= 4 else "low",
                )
            )
    return NineBox(cells=tuple(cells), width=LEFT + 3 * CELL_W, height=TOP + 3 * CELL_H + 40)


@dataclass(frozen=True, slots=True)
class Radar:
    """A competency radar: the standard's and the candidate's polygons over one axis each."""

    size: int
    center: int
    rings: tuple[str, ...]
    """Polygon points of the level rings 1..max."""
    axes: tuple[dict[str, Any], ...]
    standard: str
    actual: str


def radar(rows: Sequence[Mapping[str, Any]], *, levels: int = 5, size: int = 520) -> Radar | None:
    """Return the radar of the competency-gap rows (None with fewer than three competencies:
    the table alone says it better)."""
    usable = [r for r in rows if r.get("required") is not None]
    if len(usable) < 3:
        return None
    center = size // 2
    radius = center - 150  # room for the competencies' names beside the axes

    def point(index: int, level: float) -> tuple[float, float]:
        angle = -math.pi / 2 + 2 * math.pi * index / len(usable)
        distance = radius * max(0.0, min(level, levels)) / levels
        return center + distance * math.cos(angle), center + distance * math.sin(angle)

    def polygon(values: Sequence[float]) -> str:
        return " ".join(f"{x:.1f},{y:.1f}" for x, y in (point(i, v) for i, v in enumerate(values)))

    axes = []
    for index, row in enumerate(usable):
        end_x, end_y = point(index, levels)
        label_x, label_y = point(index, levels + 0.9)
        anchor = "middle" if abs(label_x - center) < 8 else "start" if label_x > center else "end"
        axes.append(
            {
                "x": f"{end_x:.1f}",
                "y": f"{end_y:.1f}",
                "label_x": f"{label_x:.1f}",
                "label_y": f"{label_y + 4:.1f}",
                "anchor": anchor,
                "name": str(row.get("competency", "")).replace("_", " "),
            }
        )
    return Radar(
        size=size,
        center=center,
        rings=tuple(polygon([level] * len(usable)) for level in range(1, levels + 1)),
        axes=tuple(axes),
        standard=polygon([float(r.get("required") or 0) for r in usable]),
        actual=polygon([float(r.get("actual") or 0) for r in usable]),
    )
