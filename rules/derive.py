"""Derived measures: competency gap, JPM and its category, the two 9-box axes, box and scores.

Everything here is computed in Python from a profile, the vacancy and the pack's tables
(:class:`DerivationSettings`); nothing is a constant of the code. The national 9-box numbering,
the Kemenkeu variant or any other is a table in the pack; so are the JPM cut-offs, the mapping
from predicates to the performance axis, the per-level default competency standard, the talent
pool boxes and the succession weights.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass
from typing import NamedTuple

from rules.profile import AssessmentRecord, CandidateProfile, VacancyContext
from rules.vocab import PositionLevel, PotentialCategory, Predicate

PERFORMANCE_AXIS = ("di_bawah", "sesuai", "di_atas")
"""The performance (*kinerja*) axis, low to high."""
POTENTIAL_AXIS = ("rendah", "menengah", "tinggi")
"""The potential (*potensial*) axis, low to high; a Kemenkeu table reads it as *kompetensi*."""
AXIS_LABELS: Mapping[str, tuple[str, str]] = {
    "di_bawah": ("Di bawah ekspektasi", "Below expectation"),
    "sesuai": ("Sesuai ekspektasi", "Meets expectation"),
    "di_atas": ("Di atas ekspektasi", "Above expectation"),
    "rendah": ("Rendah", "Low"),
    "menengah": ("Menengah", "Medium"),
    "tinggi": ("Tinggi", "High"),
}


@dataclass(frozen=True, slots=True)
class DerivationSettings:
    """The pack's tables for one target level, resolved for fast use."""

    level: PositionLevel
    prior_position_levels: frozenset[str]
    performance_window_years: int
    penalty_lookback_months: int
    competency_standard: tuple[tuple[str, int], ...]
    jpm_from_scores: bool
    potential_cutoffs: tuple[int, int]
    """JPM hundredths at or above which potential is tinggi, menengah (when not assessed)."""
    jpm_categories: tuple[tuple[int, str, str], ...]
    """(minimum JPM hundredths, Indonesian label, English label), highest first."""
    performance_axis: Mapping[int, str]
    """Predicate ordinal → performance axis value."""
    nine_box: Mapping[tuple[str, str], int]
    """(performance axis, potential axis) → box number."""
    box_actions: Mapping[int, tuple[str, str]]
    talent_pool_boxes: frozenset[int]
    performance_scores: Mapping[int, int]
    """Predicate ordinal → score 0-100."""
    weights: tuple[int, int]
    """Succession score weights (performance, potential)."""


class GapRow(NamedTuple):
    """One competency of the standard: required level, assessed level and the difference."""

    competency: str
    required: int
    actual: int | None
    gap: int | None
    """``actual - required``: negative is a shortfall; ``None`` when not assessed."""


class Measures(NamedTuple):
    """The derived measures of one candidate for one vacancy."""

    assessed_on: dt.date | None
    gap_count: int | None
    gap_max: int | None
    jpm: int | None
    """JPM in hundredths of a percent."""
    jpm_source: str | None
    """``recorded`` (from the assessment) or ``computed`` (from scores and the standard)."""
    jpm_category: int | None
    """Index into the pack's JPM categories."""
    potential: int | None
    """Potential ordinal 1-3."""
    potential_source: str | None
    performance_latest: int | None
    performance_axis: str | None
    potential_axis: str | None
    box: int | None
    performance_score: int | None
    """Mean window predicate score in hundredths (0-10000)."""
    succession_score: int | None
    """Weighted performance and potential score in hundredths (0-10000)."""


def latest_assessment(profile: CandidateProfile, reference: dt.date) -> AssessmentRecord | None:
    """Return the most recent assessment made on or before the reference date."""
    best: AssessmentRecord | None = None
    for record in profile.assessments:
        if record.assessed_on <= reference and (
            best is None or record.assessed_on >= best.assessed_on
        ):
            best = record
    return best


_PREDICATE_ORDINAL = {p: p.ordinal for p in Predicate}
_POTENTIAL_ORDINAL = {p: p.ordinal for p in PotentialCategory}


def gap_rows(
    profile: CandidateProfile, context: VacancyContext, settings: DerivationSettings
) -> tuple[GapRow, ...]:
    """Return the competency gap table: each competency of the standard, required vs assessed.

    The standard is the position's own, else the pack's default for the level; the assessment is
    the latest made by the reference date.
    """
    standard = context.competencies or settings.competency_standard
    assessment = latest_assessment(profile, context.reference_date)
    scores = dict(assessment.scores) if assessment else {}
    rows = []
    for name, required in standard:
        actual = scores.get(name)
        rows.append(GapRow(name, required, actual, None if actual is None else actual - required))
    return tuple(rows)


def measure(
    profile: CandidateProfile, context: VacancyContext, settings: DerivationSettings
) -> Measures:
    """Return the derived measures of ``profile`` for the vacancy."""
    reference = context.reference_date
    standard = context.competencies or settings.competency_standard
    assessment = latest_assessment(profile, reference)

    gap_count: int | None = None
    gap_max: int | None = None
    achieved = required_total = 0
    if assessment is not None:
        scores = dict(assessment.scores)
        complete = True
        count = worst = 0
        for name, required in standard:
            actual = scores.get(name)
            if actual is None:
                complete = False
            elif actual < required:
                count += 1
                if required - actual > worst:
                    worst = required - actual
                achieved += actual
            else:
                achieved += required
            required_total += required
        if complete:
            gap_count, gap_max = count, worst

    jpm: int | None = None
    jpm_source: str | None = None
    if assessment is not None and assessment.jpm is not None:
        jpm, jpm_source = assessment.jpm, "recorded"
    elif settings.jpm_from_scores and gap_count is not None and required_total:
        jpm, jpm_source = (10000 * achieved + required_total // 2) // required_total, "computed"

    jpm_category = None
    potential: int | None = None
    potential_source: str | None = None
    if jpm is not None:
        for number, (low, _, _) in enumerate(settings.jpm_categories):
            if jpm >= low:
                jpm_category = number
                break
    if assessment is not None and assessment.potential is not None:
        potential, potential_source = _POTENTIAL_ORDINAL[assessment.potential], "assessment"
    elif jpm is not None:
        high, medium = settings.potential_cutoffs
        potential = 3 if jpm >= high else 2 if jpm >= medium else 1
        potential_source = "jpm"

    first_year = reference.year - settings.performance_window_years
    rated = {
        r.year: _PREDICATE_ORDINAL[r.predicate]
        for r in profile.performance
        if first_year <= r.year < reference.year
    }
    latest = rated.get(reference.year - 1)
    performance_score = None
    if rated and len(rated) == settings.performance_window_years:
        scores_table = settings.performance_scores
        total = sum(scores_table[p] for p in rated.values())
        performance_score = (100 * total + len(rated) // 2) // len(rated)

    performance_axis = settings.performance_axis.get(latest) if latest is not None else None
    potential_axis = POTENTIAL_AXIS[potential - 1] if potential is not None else None
    box = None
    if performance_axis is not None and potential_axis is not None:
        box = settings.nine_box[(performance_axis, potential_axis)]

    succession = None
    if performance_score is not None and jpm is not None:
        w_perf, w_pot = settings.weights
        succession = (w_perf * performance_score + w_pot * jpm + (w_perf + w_pot) // 2) // (
            w_perf + w_pot
        )

    return Measures(
        assessed_on=assessment.assessed_on if assessment else None,
        gap_count=gap_count,
        gap_max=gap_max,
        jpm=jpm,
        jpm_source=jpm_source,
        jpm_category=jpm_category,
        potential=potential,
        potential_source=potential_source,
        performance_latest=latest,
        performance_axis=performance_axis,
        potential_axis=potential_axis,
        box=box,
        performance_score=performance_score,
        succession_score=succession,
    )
