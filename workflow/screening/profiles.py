"""Registry rows → rule inputs: candidate profiles and vacancy contexts, loaded in bulk.

A pool is read with one query per table (employees, then each history table joined to the same
employee selection and ordered by employee), grouped in Python: a constant number of queries
whatever the pool size, never one per employee.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Sequence
from decimal import Decimal
from typing import Any

from sqlalchemy import Executable, select
from sqlalchemy.orm import Session

from rules.profile import (
    AssessmentRecord,
    CandidateProfile,
    EducationRecord,
    PenaltyRecord,
    PerformanceRecord,
    PositionRecord,
    TrainingRecord,
    VacancyContext,
)
from rules.vocab import (
    AssessmentMethod,
    EducationLevel,
    EmploymentType,
    Gender,
    PenaltyLevel,
    PenaltyType,
    PositionLevel,
    PotentialCategory,
    Predicate,
    Rank,
    Training,
)
from workflow.core import Database, NotFound
from workflow.models.registry import (
    Assessment,
    AssessmentScore,
    Education,
    Employee,
    Penalty,
    PerformanceRating,
    Position,
    PositionCompetency,
    PositionHistory,
    Tenant,
)
from workflow.models.registry import (
    TrainingRecord as TrainingRow,
)


def vacancy_context(
    session: Session, *, position_id: int, reference_date: dt.date
) -> VacancyContext:
    """Return the context of a vacancy for ``position_id`` measured on ``reference_date``.

    :raises NotFound: the position does not exist.
    """
    row = session.execute(
        select(Position, Tenant.code).join(Tenant).where(Position.id == position_id)
    ).one_or_none()
    if row is None:
        raise NotFound(f"position {position_id} not found")
    position, tenant_code = row
    competencies = session.execute(
        select(PositionCompetency.competency, PositionCompetency.required_level)
        .where(PositionCompetency.position_id == position_id)
        .order_by(PositionCompetency.competency)
    ).all()
    return VacancyContext(
        level=PositionLevel(position.level),
        reference_date=reference_date,
        position_code=position.code,
        position_title=position.title,
        tenant=tenant_code,
        competencies=tuple((c, int(level)) for c, level in competencies),
        required_education_fields=tuple(position.required_education_fields or ()),
        is_key=position.is_key,
    )


def find_position(session: Session, *, reference: str) -> int:
    """Return the id of the position written ``ID``, ``CODE`` or ``TENANT/CODE``.

    :raises NotFound: no position, or a code used by several tenants without its tenant.
    """
    if reference.isdigit():
        found = session.scalar(select(Position.id).where(Position.id == int(reference)))
        if found is None:
            raise NotFound(f"position {reference} not found")
        return found
    query = select(Position.id, Tenant.code).join(Tenant)
    if "/" in reference:
        tenant, code = reference.split("/", 1)
        query = query.where(Tenant.code == tenant, Position.code == code)
    else:
        query = query.where(Position.code == reference)
    rows = session.execute(query).all()
    if not rows:
        raise NotFound(f"position {reference} not found")
    if len(rows) > 1:
        tenants = ", ".join(sorted(t for _, t in rows))
        raise NotFound(f"position code {reference} exists in {tenants}; write TENANT/CODE")
    return int(rows[0][0])


def registry_candidate(
    db: Database, *, position: str, nip: str, reference_date: dt.date
) -> tuple[VacancyContext, CandidateProfile]:
    """Return a registry position's vacancy context and an employee's profile, unscoped: the
    operator's what-if (``flask rules explain``) under any pack, published or not.

    :raises NotFound: no position written ``position`` (:func:`find_position`), or no employee
        with ``nip``.
    """
    with db.read() as session:
        position_id = find_position(session, reference=position)
        context = vacancy_context(session, position_id=position_id, reference_date=reference_date)
        return context, load_profile(session, nip=nip)


def load_profiles(
    session: Session,
    *,
    tenant_ids: Sequence[int] | None = None,
    nips: Sequence[str] | None = None,
    exclude_position_id: int | None = None,
    nip_from: str | None = None,
    nip_below: str | None = None,
) -> list[CandidateProfile]:
    """Return the profiles of the employees of ``tenant_ids`` (or with ``nips``), sorted by NIP.

    ``exclude_position_id`` leaves out whoever holds that position now (the vacancy's holder);
    ``nip_from`` (inclusive) and ``nip_below`` (exclusive) keep one NIP range (a shard).
    """
    selection = select(Employee.id)
    if tenant_ids is not None:
        selection = selection.where(Employee.tenant_id.in_(tenant_ids))
    if nips is not None:
        selection = selection.where(Employee.nip.in_(nips))
    if exclude_position_id is not None:
        selection = selection.where(
            (Employee.position_id.is_(None)) | (Employee.position_id != exclude_position_id)
        )
    if nip_from is not None:
        selection = selection.where(Employee.nip >= nip_from)
    if nip_below is not None:
        selection = selection.where(Employee.nip < nip_below)
    ids = selection.scalar_subquery()
    # Core rows, not ORM objects: building an instance per history row cost most of the time
    employees = session.execute(
        select(
            Employee.id,
            Employee.nip,
            Employee.birth_date,
            Employee.employment_type,
            Employee.name,
            Employee.gender,
            Tenant.code,
            Employee.rank,
            Employee.rank_tmt,
            Position.code,
            Employee.lhkpn_year,
            Employee.health_certificate_date,
            Employee.disciplinary_case_pending,
        )
        .join(Tenant, Employee.tenant_id == Tenant.id)
        .outerjoin(Position, Employee.position_id == Position.id)
        .where(Employee.id.in_(selection))
        .order_by(Employee.nip)
    ).all()
    education = _grouped(
        session,
        select(
            Education.employee_id,
            Education.year,
            Education.id,
            Education.level,
            Education.field,
            Education.institution,
        ).where(Education.employee_id.in_(ids)),
    )
    positions = _grouped(
        session,
        select(
            PositionHistory.employee_id,
            PositionHistory.start_date,
            PositionHistory.id,
            PositionHistory.level,
            PositionHistory.end_date,
            PositionHistory.title,
            PositionHistory.unit,
        ).where(PositionHistory.employee_id.in_(ids)),
    )
    trainings = _grouped(
        session,
        select(
            TrainingRow.employee_id, TrainingRow.completed_on, TrainingRow.id, TrainingRow.kind
        ).where(TrainingRow.employee_id.in_(ids)),
    )
    performance = _grouped(
        session,
        select(
            PerformanceRating.employee_id, PerformanceRating.year, PerformanceRating.predicate
        ).where(PerformanceRating.employee_id.in_(ids)),
    )
    penalties = _grouped(
        session,
        select(
            Penalty.employee_id,
            Penalty.start_date,
            Penalty.id,
            Penalty.level,
            Penalty.type,
            Penalty.end_date,
        ).where(Penalty.employee_id.in_(ids)),
    )
    assessments = _grouped(
        session,
        select(
            Assessment.employee_id,
            Assessment.assessed_on,
            Assessment.id,
            Assessment.method,
            Assessment.jpm,
            Assessment.potential,
        ).where(Assessment.employee_id.in_(ids)),
    )
    scores: dict[int, list[tuple[str, int]]] = defaultdict(list)
    for assessment_id, competency, level in session.execute(
        select(AssessmentScore.assessment_id, AssessmentScore.competency, AssessmentScore.level)
        .join(Assessment, Assessment.id == AssessmentScore.assessment_id)
        .where(Assessment.employee_id.in_(ids))
    ):
        scores[assessment_id].append((competency, int(level)))

    out = []
    for (
        key,
        nip,
        birth_date,
        employment_type,
        name,
        gender,
        tenant_code,
        rank,
        rank_tmt,
        position_code,
        lhkpn_year,
        health_certificate_date,
        disciplinary_case_pending,
    ) in employees:
        out.append(
            CandidateProfile(
                nip=nip,
                birth_date=birth_date,
                employment_type=_EMPLOYMENT[employment_type],
                name=name,
                gender=_GENDER[gender],
                tenant=tenant_code,
                rank=_RANK[rank] if rank else None,
                rank_tmt=rank_tmt,
                position_code=position_code,
                education=tuple(
                    EducationRecord(_EDUCATION[level], field_, year, institution)
                    for year, _, level, field_, institution in sorted(education[key])
                ),
                positions=tuple(
                    PositionRecord(_LEVEL[level], start, end, title, unit)
                    for start, _, level, end, title, unit in sorted(positions[key])
                ),
                trainings=tuple(
                    TrainingRecord(_TRAINING[kind], completed_on)
                    for completed_on, _, kind in sorted(trainings[key])
                ),
                performance=tuple(
                    PerformanceRecord(year, _PREDICATE[predicate])
                    for year, predicate in sorted(performance[key])
                ),
                assessments=tuple(
                    AssessmentRecord(
                        assessed_on,
                        _METHOD[method],
                        _hundredths(jpm),
                        _POTENTIAL[potential] if potential else None,
                        tuple(sorted(scores[assessment_id])),
                    )
                    for assessed_on, assessment_id, method, jpm, potential in sorted(
                        assessments[key], key=lambda a: (a[0], a[1])
                    )
                ),
                penalties=tuple(
                    PenaltyRecord(_PENALTY_LEVEL[level], _PENALTY_TYPE[type_], start, end)
                    for start, _, level, type_, end in sorted(
                        penalties[key], key=lambda p: (p[0], p[1])
                    )
                ),
                lhkpn_year=lhkpn_year,
                health_certificate_date=health_certificate_date,
                disciplinary_case_pending=disciplinary_case_pending,
            )
        )
    return out


_EMPLOYMENT = {m.value: m for m in EmploymentType}
_GENDER = {m.value: m for m in Gender}
_RANK = {m.value: m for m in Rank}
_EDUCATION = {m.value: m for m in EducationLevel}
_LEVEL = {m.value: m for m in PositionLevel}
_TRAINING = {m.value: m for m in Training}
_PREDICATE = {m.value: m for m in Predicate}
_METHOD = {m.value: m for m in AssessmentMethod}
_POTENTIAL = {m.value: m for m in PotentialCategory}
_PENALTY_LEVEL = {m.value: m for m in PenaltyLevel}
_PENALTY_TYPE = {m.value: m for m in PenaltyType}
"""Enum members by stored value: a dict lookup instead of an enum call per history row."""


def load_profile(session: Session, *, nip: str) -> CandidateProfile:
    """Return the profile of the employee with ``nip``.

    :raises NotFound: no employee has this NIP.
    """
    found = load_profiles(session, nips=[nip])
    if not found:
        raise NotFound(f"no employee with NIP {nip}")
    return found[0]


def _grouped(session: Session, query: Executable) -> dict[int, list[tuple[Any, ...]]]:
    """Return the rows of ``query`` (employee id first) as tuples of the other columns."""
    out: dict[int, list[tuple[Any, ...]]] = defaultdict(list)
    for row in session.execute(query):
        out[row[0]].append(tuple(row[1:]))
    return out


def _hundredths(value: Decimal | None) -> int | None:
    return None if value is None else int((value * 100).to_integral_value())
