"""The fact schema and the strict converter from a profile to one flat fact per candidate.

A fact is a flat ``dict`` of documented, typed fields (:data:`FIELDS`): ints (ordinals, dates as
ordinals, durations in completed months or years, percentages in hundredths), bools and a few
short strings. Unknown data is an *absent* field, never ``None``, so a criterion reading it is
``missing_data`` rather than silently false. :func:`check_fact` enforces all of this for facts that
did not come from :func:`build_fact` (a scenario, a test, a replay), because durable_rules would
otherwise compare ``"10" >= 5`` as text, choke on ``1e-05`` (error 204), raise ``TypeError`` on a
``Decimal`` or ``date`` and refuse a message with more than ~253 properties (error 302).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Final

from rules.derive import DerivationSettings, Measures
from rules.durations import add_months, completed_months, completed_years
from rules.errors import FactInvalid, Problem
from rules.profile import CandidateProfile, VacancyContext
from rules.valuetypes import TYPES, EngineValue, ValueType
from rules.vocab import EducationLevel, PenaltyLevel, PositionLevel, Predicate, Rank, Training

Fact = dict[str, EngineValue]
"""One candidate's fact: field name → engine value."""

MAX_PROPERTIES: Final = 240
"""Properties one engine message may carry; durable_rules fails beyond ~253 (error 302)."""
RESERVED: Final = frozenset({"sid", "id", "kind", "fid"})
"""Keys the engine adapter adds to every fact; no schema field may use them."""


@dataclass(frozen=True, slots=True)
class FieldSpec:
    """One documented fact field."""

    name: str
    type: ValueType
    meaning: str
    absent_when: str = ""
    """When the field is absent (unknown data); empty: always present."""


def _f(name: str, type_name: str, meaning: str, absent_when: str = "") -> FieldSpec:
    return FieldSpec(name, TYPES[type_name], meaning, absent_when)


FIELDS: Mapping[str, FieldSpec] = {
    f.name: f
    for f in (
        _f(
            "age_years",
            "years",
            "Completed years of age on the reference date.",
            "no birth date (a what-if profile)",
        ),
        _f("employment_type", "employment_type", "PNS or PPPK.", "not given (a what-if profile)"),
        _f("rank", "rank", "Current rank (pangkat/golongan).", "no rank recorded"),
        _f(
            "rank_months",
            "months",
            "Completed months in the current rank since its TMT.",
            "no rank or no TMT",
        ),
        _f(
            "education",
            "education",
            "Highest formal education completed by the reference year (D-IV = S1).",
            "no education recorded",
        ),
        _f("education_field_required", "bool", "The position lists required education fields."),
        _f(
            "education_field_match",
            "bool",
            "An education's field is one of the position's required fields (case and spacing "
            "ignored); false when none is required.",
        ),
        _f(
            "current_level",
            "position_level",
            "Level of the position held on the reference date.",
            "no position held on the reference date",
        ),
        _f(
            "current_talent_level",
            "talent_level",
            "BKN talent level (SE Kepala BKN 4/2023) of the position held on the reference date.",
            "no position held on the reference date",
        ),
        _f(
            "prior_position_months",
            "months",
            "Completed months, over merged periods up to the reference date, in positions whose "
            "level the pack's `prior_position_levels` lists for the vacancy's level (the prior "
            "position or its equivalent JF).",
            "no position history",
        ),
        _f(
            "experience_months",
            "months",
            "Completed months over all positions held (periods merged), up to the reference date.",
            "no position history",
        ),
        _f(
            "service_months",
            "months",
            "Completed months from the start of the earliest position to the reference date "
            "(masa kerja for the DUK tie-break).",
            "no position history",
        ),
        _f(
            "leadership_training",
            "training",
            "Highest leadership training completed by the reference date; a legacy Diklatpim "
            "counts as its successor (PKP, PKA, PKN II, PKN I); none = 0.",
        ),
        _f(
            "leadership_training_date",
            "date",
            "When the first training at that highest level was completed.",
            "no leadership training",
        ),
        _f(
            "performance_min",
            "predicate",
            "Lowest annual predicate over the performance window (the pack's "
            "`performance_window_years` calendar years before the reference year).",
            "a window year has no predicate",
        ),
        _f(
            "performance_latest",
            "predicate",
            "Predicate of the last year of the window.",
            "that year has no predicate",
        ),
        _f("performance_rated_years", "count", "Window years that have a predicate."),
        _f(
            "assessment_months",
            "months",
            "Completed months since the latest assessment made by the reference date.",
            "no assessment",
        ),
        _f(
            "jpm",
            "percent",
            "Job Person Match of the latest assessment: as recorded, else computed from its "
            "scores against the standard when the pack's `jpm_from_scores` allows.",
            "no assessment, or no JPM and it cannot be computed",
        ),
        _f(
            "potential",
            "potential",
            "Potential category: as assessed, else from the JPM and the pack's cut-offs.",
            "no assessment",
        ),
        _f(
            "competency_gap_count",
            "count",
            "Competencies of the standard (the position's, else the pack's default for the "
            "level) where the latest assessment is below the required level.",
            "no assessment, or a competency of the standard was not assessed",
        ),
        _f(
            "competency_gap_max",
            "count",
            "Largest shortfall, in levels (0: none).",
            "as competency_gap_count",
        ),
        _f(
            "box",
            "box",
            "9-box number from the pack's table (performance axis × potential axis).",
            "either axis unknown",
        ),
        _f(
            "penalty_active",
            "penalty_level",
            "Heaviest disciplinary penalty in force on the reference date (start and end "
            "inclusive); none = 0.",
        ),
        _f(
            "penalty_recent",
            "penalty_level",
            "Heaviest penalty that ended before the reference date within the pack's "
            "`penalty_lookback_months` for the level; none = 0.",
        ),
        _f(
            "disciplinary_case_pending",
            "bool",
            "A disciplinary examination or appeal is pending.",
        ),
        _f(
            "lhkpn_lag_years",
            "years",
            "Reference year minus the latest LHKPN/LHKASN reporting year.",
            "none filed by the reference year",
        ),
        _f(
            "health_certificate_months",
            "months",
            "Completed months since the latest health certificate.",
            "no certificate dated by the reference date",
        ),
    )
}
"""The fact schema, in documentation order."""

CONVERTER_INPUTS: Mapping[str, tuple[str, ...]] = {
    "prior_position_months": ("prior_position_levels",),
    "penalty_recent": ("penalty_lookback_months",),
    "performance_min": ("performance_window_years",),
    "performance_latest": ("performance_window_years",),
    "performance_rated_years": ("performance_window_years",),
}
"""Fact field → the pack parameters the converter reads to compute it."""

GUARD_FIELDS: Mapping[str, FieldSpec] = {
    f.name: f
    for f in (
        _f(
            "eligible_shortage",
            "count",
            "How many more eligible candidates screening needed to find (0: enough).",
        ),
        _f(
            "members_short",
            "count",
            "How many non-recused committee members are missing for a decision (0: enough).",
        ),
        _f("approvals_short", "count", "Approvals still needed to reach the quorum (0: reached)."),
        _f(
            "approvals_possible_short",
            "count",
            "Approvals still short of the quorum even if every member yet to vote approved.",
        ),
        _f("pick_rank", "count", "The picked candidate's rank on the shortlist (0: not on it)."),
        _f(
            "pick_in_pool",
            "bool",
            "The pick is eligible and ranked within the workflow's decision pool.",
        ),
        _f("justification_length", "count", "Characters of the written justification."),
        _f("technical_approved", "bool", "The national technical approval is recorded."),
    )
}
"""The facts a workflow guard reads about a vacancy (docs/workflow.md), evaluated like criteria."""

SPECS: Mapping[str, FieldSpec] = {**FIELDS, **GUARD_FIELDS}
"""Every field any condition can name (candidate facts and guard facts are disjoint)."""

assert not RESERVED & FIELDS.keys()
assert not FIELDS.keys() & GUARD_FIELDS.keys()
assert len(FIELDS) + len(RESERVED) <= MAX_PROPERTIES


_RANK = {r: r.ordinal for r in Rank}
_EDUCATION = {e: e.ordinal for e in EducationLevel}
_TRAINING = {t: t.ordinal for t in Training}
_PENALTY = {p: p.ordinal for p in PenaltyLevel}
_TALENT = {p: p.talent_level for p in PositionLevel}
_PREDICATE = {p: p.ordinal for p in Predicate}


def build_fact(
    profile: CandidateProfile,
    context: VacancyContext,
    settings: DerivationSettings,
    measures: Measures,
) -> Fact:
    """Return the full fact of ``profile`` for the vacancy (fields absent when unknown)."""
    ref = context.reference_date
    fact: Fact = {"disciplinary_case_pending": profile.disciplinary_case_pending}
    if profile.birth_date is not None:
        fact["age_years"] = completed_years(profile.birth_date, ref)
    if profile.employment_type is not None:
        fact["employment_type"] = profile.employment_type.value
    if profile.rank is not None:
        fact["rank"] = _RANK[profile.rank]
        if profile.rank_tmt is not None:
            fact["rank_months"] = completed_months(profile.rank_tmt, ref)

    best_education = 0
    for record in profile.education:
        if record.year <= ref.year:
            ordinal = _EDUCATION[record.level]
            if ordinal > best_education:
                best_education = ordinal
    if best_education:
        fact["education"] = best_education
    required_fields = context.required_education_fields
    fact["education_field_required"] = bool(required_fields)
    if required_fields:
        wanted = {_norm(f) for f in required_fields}
        fact["education_field_match"] = any(
            _norm(e.field) in wanted for e in profile.education if e.year <= ref.year
        )
    else:
        fact["education_field_match"] = False

    if profile.positions:
        _positions(fact, profile, ref, settings.prior_position_levels)

    training, training_date = 0, None
    for course in profile.trainings:
        if course.completed_on > ref:
            continue
        ordinal = _TRAINING[course.kind]
        if ordinal > training or (
            ordinal == training and training_date and course.completed_on < training_date
        ):
            training, training_date = ordinal, course.completed_on
    fact["leadership_training"] = training
    if training_date is not None:
        fact["leadership_training_date"] = training_date.toordinal()

    first_year = ref.year - settings.performance_window_years
    window = [r.predicate for r in profile.performance if first_year <= r.year < ref.year]
    fact["performance_rated_years"] = len(window)
    if window and len(window) == settings.performance_window_years:
        fact["performance_min"] = min(_PREDICATE[p] for p in window)
    if measures.performance_latest is not None:
        fact["performance_latest"] = measures.performance_latest

    if measures.assessed_on is not None:
        fact["assessment_months"] = completed_months(measures.assessed_on, ref)
    if measures.jpm is not None:
        fact["jpm"] = measures.jpm
    if measures.potential is not None:
        fact["potential"] = measures.potential
    if measures.gap_count is not None and measures.gap_max is not None:
        fact["competency_gap_count"] = measures.gap_count
        fact["competency_gap_max"] = measures.gap_max
    if measures.box is not None:
        fact["box"] = measures.box

    active = recent = 0
    if profile.penalties:
        lookback = settings.penalty_lookback_months
        for penalty in profile.penalties:
            if penalty.start_date > ref:
                continue
            level = _PENALTY[penalty.level]
            if penalty.end_date is None or penalty.end_date >= ref:
                active = max(active, level)
            elif add_months(penalty.end_date, lookback) >= ref:
                recent = max(recent, level)
    fact["penalty_active"] = active
    fact["penalty_recent"] = recent

    if profile.lhkpn_year is not None and profile.lhkpn_year <= ref.year:
        fact["lhkpn_lag_years"] = ref.year - profile.lhkpn_year
    certificate = profile.health_certificate_date
    if certificate is not None and certificate <= ref:
        fact["health_certificate_months"] = completed_months(certificate, ref)
    return fact


def _norm(text: str) -> str:
    return " ".join(text.casefold().split())


def _positions(
    fact: Fact, profile: CandidateProfile, ref: dt.date, prior_levels: frozenset[str]
) -> None:
    """Fill the position-history fields: periods are [start, end + 1 day) clipped to ``ref``."""
    records = [r for r in profile.positions if r.start_date <= ref]
    if not records:
        return
    periods: list[tuple[dt.date, dt.date]] = []
    prior: list[tuple[dt.date, dt.date]] = []
    current = None
    for record in records:
        if record.end_date is None or record.end_date >= ref:
            end = ref
            if current is None or record.start_date >= current.start_date:
                current = record
        else:
            end = record.end_date + _DAY
        if end > record.start_date:
            periods.append((record.start_date, end))
            if record.level.value in prior_levels:
                prior.append((record.start_date, end))
    if current is not None:
        fact["current_level"] = current.level.value
        fact["current_talent_level"] = _TALENT[current.level]
    fact["experience_months"] = _merged_months(periods)
    fact["prior_position_months"] = _merged_months(prior)
    fact["service_months"] = completed_months(min(r.start_date for r in records), ref)


_DAY = dt.timedelta(days=1)


def _merged_months(periods: list[tuple[dt.date, dt.date]]) -> int:
    if not periods:
        return 0
    periods.sort()
    total = 0
    start, end = periods[0]
    for s, e in periods[1:]:
        if s <= end:
            end = max(end, e)
        else:
            total += completed_months(start, end)
            start, end = s, e
    return total + completed_months(start, end)


def check_fact(fact: Mapping[str, object], *, where: str = "fact") -> None:
    """Refuse a fact the engine could misread: unknown field, wrong type, ``None``, float, etc.

    :raises FactInvalid: naming every offending field.
    """
    problems = []
    if len(fact) + len(RESERVED) > MAX_PROPERTIES:
        problems.append(
            Problem(f"{len(fact)} properties; the engine accepts at most {MAX_PROPERTIES}", where)
        )
    for name, value in fact.items():
        spec = FIELDS.get(name)
        if spec is None:
            problems.append(Problem("unknown fact field", where, field=name))
        elif value is None:
            problems.append(Problem("None is not a value; leave the field out", where, field=name))
        elif isinstance(value, float):
            problems.append(
                Problem("floats are not fact values (use hundredths)", where, field=name)
            )
        elif not isinstance(value, bool | int | str):
            problems.append(
                Problem(f"{type(value).__name__} is not a fact value", where, field=name)
            )
        elif not spec.type.contains(value):
            problems.append(
                Problem(f"{value!r} is not a {spec.type.name} value", where, field=name)
            )
    if problems:
        raise FactInvalid("fact does not match the schema", problems)
