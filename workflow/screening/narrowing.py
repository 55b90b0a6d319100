"""Indexed narrowing: the pack's narrowable hard criteria as SQL conditions on the registry.

:func:`rules.narrowing.narrowable` says, from the compiled pack, which hard criteria a column
decides and with which thresholds; this module turns each into a boolean SQL expression over
``employee`` (and EXISTS over its history tables) that is TRUE exactly for the employees the
engine would fail on that criterion, and never NULL (a NULL column is "not excluded": the engine
decides it, as missing data when the fact is absent). :func:`load_profiles` takes them as its
``narrowing`` keyword, so every loader, sharded ones included, is narrowed the same way; and
:func:`narrowed_out` lists who was left out with the first criterion that excluded them.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import ColumnElement, and_, case, exists, func, literal, not_, or_, select, text
from sqlalchemy.orm import Session

from rules.narrowing import (
    BornOnOrBefore,
    ColumnIn,
    EducationBelow,
    Narrowing,
    NoPriorPosition,
    PenaltyEndedRecently,
    PenaltyInForce,
    PerformanceBelow,
    narrowable,
)
from rules.pack import Pack
from rules.profile import VacancyContext
from workflow.models.registry import (
    Education,
    Employee,
    Penalty,
    PerformanceRating,
    PositionHistory,
)

WORK_MEM = "256MB"
"""PostgreSQL ``work_mem`` for the narrowing query's transaction (one hash per history table)."""


def narrowing_for(pack: Pack, context: VacancyContext) -> tuple[Narrowing, ...]:
    """Return the narrowable criteria of ``pack`` for the vacancy's level and reference date."""
    level = context.level
    return narrowable(pack.compiled(level), context.reference_date, pack.settings(level))


def excluded(narrowing: Narrowing) -> ColumnElement[bool]:
    """Return the SQL condition (on ``Employee``) true exactly when the criterion fails."""
    if isinstance(narrowing, ColumnIn):
        column = getattr(Employee, narrowing.column)
        return and_(column.is_not(None), column.in_(narrowing.values))
    if isinstance(narrowing, BornOnOrBefore):
        return and_(Employee.birth_date.is_not(None), Employee.birth_date <= narrowing.cutoff)
    if isinstance(narrowing, EducationBelow):
        completed = Education.year <= narrowing.last_year
        mine = Education.employee_id == Employee.id
        some = exists().where(mine, completed)
        if not narrowing.passing:
            return some
        return and_(
            some, not_(exists().where(mine, completed, Education.level.in_(narrowing.passing)))
        )
    if isinstance(narrowing, NoPriorPosition):
        mine = PositionHistory.employee_id == Employee.id
        started = PositionHistory.start_date <= narrowing.reference_date
        return and_(
            exists().where(mine, started),
            not_(exists().where(mine, started, PositionHistory.level.in_(narrowing.levels))),
        )
    if isinstance(narrowing, PenaltyInForce):
        return exists().where(
            Penalty.employee_id == Employee.id,
            Penalty.level.in_(narrowing.levels),
            Penalty.start_date <= narrowing.reference_date,
            or_(Penalty.end_date.is_(None), Penalty.end_date >= narrowing.reference_date),
        )
    if isinstance(narrowing, PenaltyEndedRecently):
        return exists().where(
            Penalty.employee_id == Employee.id,
            Penalty.level.in_(narrowing.levels),
            Penalty.start_date <= narrowing.reference_date,
            Penalty.end_date.is_not(None),
            Penalty.end_date < narrowing.reference_date,
            Penalty.end_date >= narrowing.ended_from,
        )
    return _performance(narrowing)


def _performance(narrowing: PerformanceBelow) -> ColumnElement[bool]:
    mine = PerformanceRating.employee_id == Employee.id
    window = PerformanceRating.year.between(narrowing.first_year, narrowing.last_year)
    rated = (
        select(func.count())
        .select_from(PerformanceRating)
        .where(mine, window)
        .correlate(Employee)
        .scalar_subquery()
    )
    return and_(
        exists().where(mine, window, PerformanceRating.predicate.in_(narrowing.failing)),
        rated == narrowing.years,
    )


def plausible(narrowings: Sequence[Narrowing]) -> list[ColumnElement[bool]]:
    """Return the WHERE conditions keeping only the employees no narrowing excludes."""
    return [not_(excluded(n)) for n in narrowings]


def classify(
    session: Session,
    narrowings: Sequence[Narrowing],
    *,
    tenant_ids: Sequence[int] | None = None,
    exclude_position_id: int | None = None,
    where: Sequence[ColumnElement[bool]] = (),
) -> tuple[list[int], list[tuple[str, str]]]:
    """Return the pool's plausible employee ids and its narrowed-out (NIP, first criterion that
    excludes them, by NIP), from ONE pass of the narrowing over the pool.

    The pool is selected as :func:`~workflow.screening.profiles.load_profiles` selects it
    (``where`` carries any further selection, e.g. a shard's NIP range).
    """
    conditions = [excluded(n) for n in narrowings]
    first: Any = (
        case(*((c, n.criterion) for c, n in zip(conditions, narrowings, strict=True)))
        if conditions
        else literal(None)
    )
    query = select(Employee.id, Employee.nip, first).where(*where)
    if tenant_ids is not None:
        query = query.where(Employee.tenant_id.in_(tenant_ids))
    if exclude_position_id is not None:
        query = query.where(
            (Employee.position_id.is_(None)) | (Employee.position_id != exclude_position_id)
        )
    if session.get_bind().dialect.name == "postgresql":
        # each EXISTS inside the CASE is a hashed subplan only if its hash fits in work_mem;
        # otherwise PostgreSQL probes it once per employee (7x slower on 300,000 employees)
        session.execute(text(f"SET LOCAL work_mem = '{WORK_MEM}'"))
    kept: list[int] = []
    left_out: list[tuple[str, str]] = []
    for employee_id, nip, criterion in session.execute(query.order_by(Employee.nip)):
        if criterion is None:
            kept.append(employee_id)
        else:
            left_out.append((nip, criterion))
    return kept, left_out


def narrowed_out(
    session: Session,
    narrowings: Sequence[Narrowing],
    *,
    tenant_ids: Sequence[int] | None = None,
    exclude_position_id: int | None = None,
    where: Sequence[ColumnElement[bool]] = (),
) -> list[tuple[str, str]]:
    """Return (NIP, first criterion that excludes them) of the pool's narrowed-out, by NIP."""
    if not narrowings:
        return []
    conditions = [excluded(n) for n in narrowings]
    return classify(
        session,
        narrowings,
        tenant_ids=tenant_ids,
        exclude_position_id=exclude_position_id,
        where=[*where, or_(*conditions)],
    )[1]
