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

from sqlalchemy import Select, select
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
) -> list[CandidateProfile]:
    """Return the profiles of the employees of ``tenant_ids`` (or with ``nips``), sorted by NIP.

    ``exclude_position_id`` leaves out whoever holds that position now (the vacancy's holder).
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
    ids = selection.scalar_subquery()
    employees = session.execute(
        select(Employee, Tenant.code, Position.code)
        .join(Tenant, Employee.tenant_id == Tenant.id)
        .outerjoin(Position, Employee.position_id == Position.id)
        .where(Employee.id.in_(selection))
        .order_by(Employee.nip)
    ).all()
    education = _grouped(session, select(Education).where(Education.employee_id.in_(ids)))
    positions = _grouped(
        session, select(PositionHistory).where(PositionHistory.employee_id.in_(ids))
    )
    trainings = _grouped(session, select(TrainingRow).where(TrainingRow.employee_id.in_(ids)))
    performance = _grouped(
        session, select(PerformanceRating).where(PerformanceRating.employee_id.in_(ids))
    )
    penalties = _grouped(session, select(Penalty).where(Penalty.employee_id.in_(ids)))
    assessments = _grouped(session, select(Assessment).where(Assessment.employee_id.in_(ids)))
    scores: dict[int, list[tuple[str, int]]] = defaultdict(list)
    for assessment_id, competency, level in session.execute(
        select(AssessmentScore.assessment_id, AssessmentScore.competency, AssessmentScore.level)
        .join(Assessment, Assessment.id == AssessmentScore.assessment_id)
        .where(Assessment.employee_id.in_(ids))
    ):
        scores[assessment_id].append((competency, int(level)))

    out = []
    for employee, tenant_code, position_code in employees:
        key = employee.id
        out.append(
            CandidateProfile(
                nip=employee.nip,
                birth_date=employee.birth_date,
                employment_type=EmploymentType(employee.employment_type),
                name=employee.name,
                gender=Gender(employee.gender),
                tenant=tenant_code,
                rank=Rank(employee.rank) if employee.rank else None,
                rank_tmt=employee.rank_tmt,
                position_code=position_code,
                education=tuple(
                    EducationRecord(EducationLevel(e.level), e.field, e.year, e.institution)
                    for e in sorted(education[key], key=lambda e: (e.year, e.id))
                ),
                positions=tuple(
                    PositionRecord(
                        PositionLevel(p.level), p.start_date, p.end_date, p.title, p.unit
                    )
                    for p in sorted(positions[key], key=lambda p: (p.start_date, p.id))
                ),
                trainings=tuple(
                    TrainingRecord(Training(t.kind), t.completed_on)
                    for t in sorted(trainings[key], key=lambda t: (t.completed_on, t.id))
                ),
                performance=tuple(
                    PerformanceRecord(r.year, Predicate(r.predicate))
                    for r in sorted(performance[key], key=lambda r: r.year)
                ),
                assessments=tuple(
                    AssessmentRecord(
                        a.assessed_on,
                        AssessmentMethod(a.method),
                        _hundredths(a.jpm),
                        PotentialCategory(a.potential) if a.potential else None,
                        tuple(sorted(scores[a.id])),
                    )
                    for a in sorted(assessments[key], key=lambda a: (a.assessed_on, a.id))
                ),
                penalties=tuple(
                    PenaltyRecord(
                        PenaltyLevel(p.level), PenaltyType(p.type), p.start_date, p.end_date
                    )
                    for p in sorted(penalties[key], key=lambda p: (p.start_date, p.id))
                ),
                lhkpn_year=employee.lhkpn_year,
                health_certificate_date=employee.health_certificate_date,
                disciplinary_case_pending=employee.disciplinary_case_pending,
            )
        )
    return out


def load_profile(session: Session, *, nip: str) -> CandidateProfile:
    """Return the profile of the employee with ``nip``.

    :raises NotFound: no employee has this NIP.
    """
    found = load_profiles(session, nips=[nip])
    if not found:
        raise NotFound(f"no employee with NIP {nip}")
    return found[0]


def _grouped(session: Session, query: Select[Any]) -> dict[int, list[Any]]:
    out: dict[int, list[Any]] = defaultdict(list)
    for row in session.scalars(query):
        out[row.employee_id].append(row)
    return out


def _hundredths(value: Decimal | None) -> int | None:
    return None if value is None else int((value * 100).to_integral_value())
