"""National talent monitoring for BKN: per agency a small 9-box of the latest talent map, and
bars for succession coverage, data quality and the median days from opening to decree."""

from __future__ import annotations

from typing import Any

from flask import render_template

from pages import charts
from pages.web import bp, current_actor, database, now, signed_in
from workflow import screening, talent
from workflow.core import NotFound
from workflow.models import Role

BAR_WIDTH = 160
"""Pixels of a full bar (100 %, or the longest median)."""


def _grid(by_box: dict[str, int], table: Any) -> list[dict[str, Any]]:
    """Return the 3 × 3 cells (performance down, potential across) with their counts."""
    cells = []
    for performance in charts.PERFORMANCE:
        for potential in charts.POTENTIAL:
            number = table[(performance, potential)]
            cells.append(
                {
                    "number": number,
                    "count": by_box.get(str(number), 0),
                    "tone": "high" if number >= 7 else "mid" if number >= 4 else "low",
                }
            )
    return cells


@bp.route("/talenta/nasional")
@signed_in(Role.NATIONAL_REVIEWER, Role.AUDITOR)
def talent_national() -> Any:
    """Every agency's talent figures side by side (counts only: nobody is named)."""
    found = talent.national_talent(database(), actor=current_actor(), reference_date=now().date())
    try:
        pack = screening.load_published(
            database(), digest=screening.resolve(database(), talent.DEFAULT_PACK).digest
        )
        table = pack.derived.nine_box
    except NotFound:
        table = None
    longest = max((a.median_days_to_decree or 0 for a in found.agencies), default=0) or 1
    rows = [
        {
            "agency": a,
            "grid": _grid(a.by_box, table) if table is not None else [],
            "coverage_px": a.coverage * BAR_WIDTH // 10000,
            "quality_px": (a.quality_score or 0) * BAR_WIDTH // 10000,
            "days_px": int((a.median_days_to_decree or 0) * BAR_WIDTH / longest),
        }
        for a in found.agencies
    ]
    return render_template("talent/national.html", found=found, rows=rows, bar_width=BAR_WIDTH)
