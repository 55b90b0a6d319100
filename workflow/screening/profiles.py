"""Registry rows → rule inputs: candidate profiles and vacancy contexts, loaded in bulk.

A pool is read with one query per table (employees, then each history table joined to the same
employee selection and ordered by employee), grouped in Python: a constant number of queries
whatever the pool size, never one per employee.
"""

from __future__ import annotations

import datetime as dt
import gc
from collections import defaultdict
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from decimal import Decimal
from typing import Any, NamedTuple

from sqlalchemy import (
    ARRAY,
    ColumnElement,
    Connection,
    Executable,
    Integer,
    any_,
    bindparam,
    select,
)
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
from workflow.models.talent import SuccessionGroup, SuccessionMember


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
        succession_group=_succession_group(session, position, reference_date.year),
        level=PositionLevel(position.level),
        reference_date=reference_date,
        position_code=position.code,
        position_title=position.title,
        tenant=tenant_code,
        competencies=tuple((c, int(level)) for c, level in competencies),
        required_education_fields=tuple(position.required_education_fields or ()),
        is_key=position.is_key,
    )


def _succession_group(session: Session, position: Position, year: int) -> tuple[str, ...]:
    """Return the NIPs of the position's current approved succession group for ``year``."""
    if not position.is_key:
        return ()
    nips = session.scalars(
        select(Employee.nip)
        .join(SuccessionMember, SuccessionMember.employee_id == Employee.id)
        .join(SuccessionGroup, SuccessionGroup.id == SuccessionMember.group_id)
        .where(
            SuccessionGroup.position_id == position.id,
            SuccessionGroup.year == year,
            SuccessionGroup.state == "approved",
            SuccessionGroup.superseded_by.is_(None),
        )
    )
    return tuple(sorted(nips))


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


ID_CHUNK = 100_000
"""Employees loaded per round of queries after a narrowing, on PostgreSQL (ids go as one array
parameter: with 10,000-id chunks every chunk rescanned each history table, 3 ms a profile at
1,000,000 employees)."""
SQLITE_ID_CHUNK = 900
"""The same on SQLite, whose older builds allow 999 bound parameters."""


class LoadedProfile(NamedTuple):
    """A profile with the registry facts a talent map reads beside it."""

    profile: CandidateProfile
    employee_id: int
    level: str | None
    """The level of the position the employee holds now (None: no position)."""
    unit: str | None
    """The unit of that position."""
    position_id: int | None
    """That position's id (a key position's successors leave its holder out)."""


def load_profiles(
    session: Session,
    *,
    tenant_ids: Sequence[int] | None = None,
    nips: Sequence[str] | None = None,
    exclude_position_id: int | None = None,
    employee_ids: Sequence[int] | None = None,
) -> list[CandidateProfile]:
    """Return the profiles of the employees of ``tenant_ids`` (or with ``nips``), sorted by NIP.

    ``exclude_position_id`` leaves out whoever holds that position now (the vacancy's holder).
    ``employee_ids`` restricts the pool to those employees (any number: loaded in chunks of
    :data:`ID_CHUNK`); a narrowed pool is loaded so, from
    :func:`~workflow.screening.narrowing.classify`'s kept ids.
    """
    return [
        loaded.profile
        for loaded in load_profile_rows(
            session,
            tenant_ids=tenant_ids,
            nips=nips,
            exclude_position_id=exclude_position_id,
            employee_ids=employee_ids,
        )
    ]


def load_profile_rows(
    session: Session,
    *,
    tenant_ids: Sequence[int] | None = None,
    nips: Sequence[str] | None = None,
    exclude_position_id: int | None = None,
    employee_ids: Sequence[int] | None = None,
) -> list[LoadedProfile]:
    """Return :func:`load_profiles`' profiles, each with its employee id, level and unit.

    The queries run on the session's connection as Core statements: the ORM's result
    processing per row cost a third of loading a 20,000-employee agency, for nothing (no
    instances are built).
    """
    with _collector_paused():
        return _load_rows(
            session,
            tenant_ids,
            nips,
            exclude_position_id,
            employee_ids,
        )


@contextmanager
def _collector_paused() -> Iterator[None]:
    """Pause the cyclic collector while a pool loads: the rows and records make no cycles,
    but hundreds of thousands of them set it off again and again (a third of the CPU time of
    loading 20,000 employees)."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def _load_rows(
    session: Session,
    tenant_ids: Sequence[int] | None,
    nips: Sequence[str] | None,
    exclude_position_id: int | None,
    employee_ids: Sequence[int] | None = None,
) -> list[LoadedProfile]:
    connection = session.connection()
    selection = select(Employee.id)
    if tenant_ids is not None:
        selection = selection.where(Employee.tenant_id.in_(tenant_ids))
    if nips is not None:
        selection = selection.where(Employee.nip.in_(nips))
    if exclude_position_id is not None:
        selection = selection.where(
            (Employee.position_id.is_(None)) | (Employee.position_id != exclude_position_id)
        )
    postgres = session.get_bind().dialect.name == "postgresql"
    step = ID_CHUNK if postgres else SQLITE_ID_CHUNK
    if employee_ids is not None and len(employee_ids) > step:
        kept = list(session.scalars(selection.where(employee_among(employee_ids, postgres))))
        return _by_ids(session, kept, step)
    if employee_ids is not None:
        selection = selection.where(employee_among(employee_ids, postgres))
    ids = selection.scalar_subquery()
    # Core rows, not ORM objects: building an instance per history row cost most of the time
    employees = connection.execute(
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
            Position.level,
            Position.unit,
            Employee.position_id,
        )
        .join(Tenant, Employee.tenant_id == Tenant.id)
        .outerjoin(Position, Employee.position_id == Position.id)
        .where(Employee.id.in_(selection))
        .order_by(Employee.nip)
    ).all()
    education = _grouped(
        connection,
        select(
            Education.employee_id,
            Education.year,
            Education.id,
            Education.level,
            Education.field,
            Education.institution,
        )
        .where(Education.employee_id.in_(ids))
        .order_by(Education.employee_id, Education.year, Education.id),
    )
    positions = _grouped(
        connection,
        select(
            PositionHistory.employee_id,
            PositionHistory.start_date,
            PositionHistory.id,
            PositionHistory.level,
            PositionHistory.end_date,
            PositionHistory.title,
            PositionHistory.unit,
        )
        .where(PositionHistory.employee_id.in_(ids))
        .order_by(PositionHistory.employee_id, PositionHistory.start_date, PositionHistory.id),
    )
    trainings = _grouped(
        connection,
        select(TrainingRow.employee_id, TrainingRow.completed_on, TrainingRow.id, TrainingRow.kind)
        .where(TrainingRow.employee_id.in_(ids))
        .order_by(TrainingRow.employee_id, TrainingRow.completed_on, TrainingRow.id),
    )
    performance = _grouped(
        connection,
        select(PerformanceRating.employee_id, PerformanceRating.year, PerformanceRating.predicate)
        .where(PerformanceRating.employee_id.in_(ids))
        .order_by(PerformanceRating.employee_id, PerformanceRating.year),
    )
    penalties = _grouped(
        connection,
        select(
            Penalty.employee_id,
            Penalty.start_date,
            Penalty.id,
            Penalty.level,
            Penalty.type,
            Penalty.end_date,
        )
        .where(Penalty.employee_id.in_(ids))
        .order_by(Penalty.employee_id, Penalty.start_date, Penalty.id),
    )
    assessments = _grouped(
        connection,
        select(
            Assessment.employee_id,
            Assessment.assessed_on,
            Assessment.id,
            Assessment.method,
            Assessment.jpm,
            Assessment.potential,
        )
        .where(Assessment.employee_id.in_(ids))
        .order_by(Assessment.employee_id, Assessment.assessed_on, Assessment.id),
    )
    scores: dict[int, list[tuple[str, int]]] = defaultdict(list)
    for assessment_id, competency, level in connection.execute(
        select(AssessmentScore.assessment_id, AssessmentScore.competency, AssessmentScore.level)
        .join(Assessment, Assessment.id == AssessmentScore.assessment_id)
        .where(Assessment.employee_id.in_(ids))
    ).fetchall():
        scores[assessment_id].append((competency, int(level)))

    # Equal history records are shared, not rebuilt: they are immutable, and a year's ratings,
    # a training cohort or a degree repeat across thousands of employees (a call-local cache,
    # so nothing outlives the load)
    schooling: dict[tuple[Any, ...], EducationRecord] = {}
    courses: dict[tuple[Any, ...], TrainingRecord] = {}
    ratings: dict[tuple[Any, ...], PerformanceRecord] = {}
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
        current_level,
        current_unit,
        current_position,
    ) in employees:
        profile = CandidateProfile(
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
                schooling.get((level, field_, year, institution))
                or schooling.setdefault(
                    (level, field_, year, institution),
                    EducationRecord(_EDUCATION[level], field_, year, institution),
                )
                for year, _, level, field_, institution in education[key]
            ),
            positions=tuple(
                PositionRecord(_LEVEL[level], start, end, title, unit)
                for start, _, level, end, title, unit in positions[key]
            ),
            trainings=tuple(
                courses.get((kind, completed_on))
                or courses.setdefault(
                    (kind, completed_on), TrainingRecord(_TRAINING[kind], completed_on)
                )
                for completed_on, _, kind in trainings[key]
            ),
            performance=tuple(
                ratings.get(rating) or ratings.setdefault(rating, _rating(rating))
                for rating in performance[key]
            ),
            assessments=tuple(
                AssessmentRecord(
                    assessed_on,
                    _METHOD[method],
                    _hundredths(jpm),
                    _POTENTIAL[potential] if potential else None,
                    tuple(sorted(scores[assessment_id])),
                )
                for assessed_on, assessment_id, method, jpm, potential in assessments[key]
            ),
            penalties=tuple(
                PenaltyRecord(_PENALTY_LEVEL[level], _PENALTY_TYPE[type_], start, end)
                for start, _, level, type_, end in penalties[key]
            ),
            lhkpn_year=lhkpn_year,
            health_certificate_date=health_certificate_date,
            disciplinary_case_pending=disciplinary_case_pending,
        )
        out.append(LoadedProfile(profile, key, current_level, current_unit, current_position))
    return out


def employee_among(ids: Sequence[int], postgres: bool) -> ColumnElement[bool]:
    """Return ``employee.id`` among ``ids``: one array parameter on PostgreSQL (one hashed scan
    per history table whatever the count), bound parameters elsewhere."""
    if postgres:
        return Employee.id == any_(bindparam("employee_ids", list(ids), type_=ARRAY(Integer)))
    return Employee.id.in_(ids)


def _by_ids(session: Session, ids: list[int], step: int) -> list[LoadedProfile]:
    """Return the profiles of ``ids`` sorted by NIP, loaded ``step`` employees per round."""
    out: list[LoadedProfile] = []
    for start in range(0, len(ids), step):
        out.extend(_load_rows(session, None, None, None, ids[start : start + step]))
    out.sort(key=lambda loaded: loaded.profile.nip)
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


def _grouped(connection: Connection, query: Executable) -> dict[int, list[tuple[Any, ...]]]:
    """Return the rows of ``query`` (employee id first) as tuples of the other columns.

    Each query orders its rows by employee and then by a unique key (the record's date or
    year, then its id: every column is NOT NULL), the order a profile lists its history in, so
    the lists need no sorting in Python and read the same on SQLite and PostgreSQL.
    """
    out: dict[int, list[tuple[Any, ...]]] = defaultdict(list)
    for row in connection.execute(query).fetchall():  # one fetch, not a fetchone per row
        out[row[0]].append(tuple(row[1:]))
    return out


def _rating(row: tuple[Any, ...]) -> PerformanceRecord:
    year, predicate = row
    return PerformanceRecord(year, _PREDICATE[predicate])


def _hundredths(value: Decimal | None) -> int | None:
    return None if value is None else int((value * 100).to_integral_value())
