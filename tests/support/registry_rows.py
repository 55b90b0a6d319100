"""Write candidate profiles into the registry tables (for tests that read them back)."""

from __future__ import annotations

import hashlib
from decimal import Decimal

from sqlalchemy.orm import Session

from rules.profile import CandidateProfile
from workflow.models.registry import (
    Assessment,
    AssessmentScore,
    Education,
    Employee,
    Penalty,
    PerformanceRating,
    PositionHistory,
    TrainingRecord,
)


def add_employee(
    session: Session, profile: CandidateProfile, *, tenant_id: int, position_id: int | None = None
) -> Employee:
    """Insert ``profile`` as an employee of ``tenant_id`` with every history row."""
    employee = Employee(
        nip=profile.nip,
        name=profile.name or "Pegawai",
        birth_date=profile.birth_date,
        gender=profile.gender.value if profile.gender else "M",
        tenant_id=tenant_id,
        employment_type=profile.employment_type.value,
        rank=profile.rank.value if profile.rank else None,
        rank_tmt=profile.rank_tmt,
        position_id=position_id,
        lhkpn_year=profile.lhkpn_year,
        health_certificate_date=profile.health_certificate_date,
        disciplinary_case_pending=profile.disciplinary_case_pending,
        record_digest=hashlib.sha256(profile.canonical_json()).hexdigest(),
    )
    employee.education = [
        Education(level=e.level.value, field=e.field, year=e.year, institution=e.institution)
        for e in profile.education
    ]
    employee.positions = [
        PositionHistory(
            title=p.title,
            level=p.level.value,
            unit=p.unit,
            start_date=p.start_date,
            end_date=p.end_date,
        )
        for p in profile.positions
    ]
    employee.trainings = [
        TrainingRecord(kind=t.kind.value, completed_on=t.completed_on) for t in profile.trainings
    ]
    employee.performance = [
        PerformanceRating(year=r.year, predicate=r.predicate.value) for r in profile.performance
    ]
    employee.assessments = [
        Assessment(
            assessed_on=a.assessed_on,
            method=a.method.value,
            jpm=None if a.jpm is None else Decimal(a.jpm) / 100,
            potential=a.potential.value if a.potential else None,
            scores=[AssessmentScore(competency=c, level=level) for c, level in a.scores],
        )
        for a in profile.assessments
    ]
    employee.penalties = [
        Penalty(
            level=p.level.value, type=p.type.value, start_date=p.start_date, end_date=p.end_date
        )
        for p in profile.penalties
    ]
    session.add(employee)
    return employee
