"""Derived measures follow the pack's tables: JPM categories, axes, the 9-box, scores."""

from __future__ import annotations

from typing import Any

import pytest

from rules.derive import gap_rows, measure
from rules.pack import Pack
from tests.support.rules import ADMINISTRATOR_CANDIDATE, candidate, vacancy

SCORES: dict[str, int] = ADMINISTRATOR_CANDIDATE["assessments"][0]["scores"]


def assessed(jpm: Any = None, potential: str | None = None, **scores: int) -> list[dict[str, Any]]:
    record: dict[str, Any] = {
        "assessed_on": "2025-08-01",
        "method": "cact",
        "scores": {**SCORES, **scores},
    }
    if jpm is not None:
        record["jpm"] = jpm
    if potential is not None:
        record["potential"] = potential
    return [record]


def performed(latest: str, earlier: str = "Baik") -> list[dict[str, Any]]:
    return [{"year": 2024, "predicate": earlier}, {"year": 2025, "predicate": latest}]


@pytest.mark.parametrize(
    ("predicate", "potential", "box"),
    [
        ("Sangat Baik", "tinggi", 9), ("Baik", "tinggi", 8), ("Butuh Perbaikan", "tinggi", 6),
        ("Sangat Baik", "menengah", 7), ("Baik", "menengah", 5), ("Kurang", "menengah", 3),
        ("Sangat Baik", "rendah", 4), ("Baik", "rendah", 2), ("Sangat Kurang", "rendah", 1),
    ],
)  # fmt: skip
def test_national_nine_box_numbering(
    national: Pack, predicate: str, potential: str, box: int
) -> None:
    profile = candidate(performance=performed(predicate), assessments=assessed(85, potential))
    settings = national.settings(vacancy().level)
    measures = measure(profile, vacancy(), settings)
    assert measures.box == box
    assert (box in settings.talent_pool_boxes) == (box >= 7)


@pytest.mark.parametrize(
    ("jpm", "category", "potential"),
    [("90", 0, 3), ("89.99", 1, 2), ("78", 1, 2), ("77.99", 2, 1), ("0", 2, 1)],
)
def test_jpm_cut_offs_90_78_give_category_and_potential(
    national: Pack, jpm: str, category: int, potential: int
) -> None:
    measures = measure(
        candidate(assessments=assessed(jpm)), vacancy(), national.settings(vacancy().level)
    )
    assert measures.jpm_category == category
    assert measures.potential == potential
    assert measures.potential_source == "jpm"


def test_assessed_potential_wins_over_the_jpm(national: Pack) -> None:
    measures = measure(
        candidate(assessments=assessed("95", "rendah")),
        vacancy(),
        national.settings(vacancy().level),
    )
    assert (measures.potential, measures.potential_source) == (1, "assessment")


def test_jpm_is_computed_from_scores_when_not_recorded(national: Pack) -> None:
    profile = candidate(assessments=assessed(integritas=2, kerja_sama=1))
    measures = measure(profile, vacancy(), national.settings(vacancy().level))
    # standard 3 x 9 = 27; achieved 2 + 1 + 7 x 3 = 24
    assert (measures.jpm, measures.jpm_source) == (8889, "computed")
    assert (measures.gap_count, measures.gap_max) == (2, 2)


def test_the_gap_table_uses_the_position_standard_when_it_has_one(national: Pack) -> None:
    context = vacancy(competencies=(("integritas", 5), ("teknis:anggaran", 3)))
    rows = gap_rows(candidate(), context, national.settings(context.level))
    assert [(r.competency, r.required, r.actual, r.gap) for r in rows] == [
        ("integritas", 5, 4, -1),
        ("teknis:anggaran", 3, None, None),
    ]
    measures = measure(candidate(), context, national.settings(context.level))
    assert measures.gap_count is None  # a competency of the standard was not assessed


def test_scores_are_hundredths(national: Pack) -> None:
    profile = candidate(performance=performed("Sangat Baik", "Baik"), assessments=assessed("82.5"))
    measures = measure(profile, vacancy(), national.settings(vacancy().level))
    assert measures.performance_score == 9000
    assert measures.succession_score == 8625
