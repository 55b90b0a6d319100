"""Indexed narrowing: the pack's narrowable hard criteria as SQL conditions on the registry.

:func:`rules.narrowing.narrowable` says, from the compiled pack, which hard criteria a column
decides and with which thresholds; this module turns each into a boolean SQL expression over
``employee`` (and EXISTS over its history tables) that is TRUE exactly for the employees the
engine would fail on that criterion, and never NULL (a NULL column is "not excluded": the engine
decides it, as missing data when the fact is absent). :func:`classify` splits a pool, in one
query, into the plausible (loaded and evaluated by the engine) and the left-out, each with the
criterion that excluded it.

Which criterion is recorded: the first that fails in the narrowing's order, which checks the
criteria on ``employee``'s own columns (rank, employment type, age, pending case: pack order)
before those on history tables (pack order). Any recorded criterion is one the engine fails
(tests prove it); checking columns first means the history EXISTS subqueries run only for the
few a column does not exclude: nine in ten of a JPT pool fail on rank or age alone.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import ColumnElement, and_, case, exists, func, literal, not_, or_, select
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
from workflow.screening.profiles import ID_CHUNK, SQLITE_ID_CHUNK, employee_among


def narrowing_for(pack: Pack, context: VacancyContext) -> tuple[Narrowing, ...]:
    """Return the narrowable criteria of ``pack`` for the vacancy's level and reference date."""
    level = context.level
    return narrowable(pack.compiled(level), context.reference_date, pack.settings(level))


COLUMNS = (ColumnIn, BornOnOrBefore)
"""The narrowings decided by ``employee``'s own columns (no subquery)."""


def in_checking_order(narrowings: Sequence[Narrowing]) -> list[Narrowing]:
    """Return the narrowings in the order :func:`classify` checks them: column ones first."""
    return sorted(narrowings, key=lambda n: not isinstance(n, COLUMNS))


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


def _first(narrowings: Sequence[Narrowing]) -> Any:
    """Return the SQL value naming the first of ``narrowings`` that fails (NULL: none)."""
    if not narrowings:
        return literal(None)
    return case(*((excluded(n), n.criterion) for n in narrowings))


def classify(
    session: Session,
    narrowings: Sequence[Narrowing],
    *,
    tenant_ids: Sequence[int] | None = None,
    exclude_position_id: int | None = None,
    where: Sequence[ColumnElement[bool]] = (),
) -> tuple[list[int], list[tuple[str, str]]]:
    """Return the pool's plausible employee ids and its narrowed-out (NIP, the first criterion
    in :func:`in_checking_order` that excludes them), both by NIP.

    The pool is the employees of ``tenant_ids`` but the holder of ``exclude_position_id``,
    further selected by ``where`` (a shard's range). Two queries: the column criteria over
    the pool, then the history criteria over the ids no column excluded, given as one array.
    Given the ids, PostgreSQL knows how few they are and probes each history table's employee
    index for them; asked in one query, it hashed whole history tables once per shard (one
    CASE stops at its first true branch, which its estimates do not see).
    """
    ordered = in_checking_order(narrowings)
    columns = [n for n in ordered if isinstance(n, COLUMNS)]
    history = [n for n in ordered if not isinstance(n, COLUMNS)]
    query = select(Employee.id, Employee.nip, _first(columns)).where(*where)
    if tenant_ids is not None:
        query = query.where(Employee.tenant_id.in_(tenant_ids))
    if exclude_position_id is not None:
        query = query.where(
            (Employee.position_id.is_(None)) | (Employee.position_id != exclude_position_id)
        )
    plausible: list[tuple[int, str]] = []
    left_out: list[tuple[str, str]] = []
    for employee_id, nip, criterion in session.execute(query.order_by(Employee.nip)):
        if criterion is None:
            plausible.append((employee_id, nip))
        else:
            left_out.append((nip, criterion))
    if not history or not plausible:
        return [employee_id for employee_id, _ in plausible], left_out
    postgres = session.get_bind().dialect.name == "postgresql"
    step = ID_CHUNK if postgres else SQLITE_ID_CHUNK
    failing: dict[int, str] = {}
    for start in range(0, len(plausible), step):
        ids = [employee_id for employee_id, _ in plausible[start : start + step]]
        found = _first(history)
        rows = session.execute(
            select(Employee.id, found).where(employee_among(ids, postgres), found.is_not(None))
        )
        failing.update((employee_id, criterion) for employee_id, criterion in rows)
    kept = [employee_id for employee_id, _ in plausible if employee_id not in failing]
    left_out.extend(
        (nip, failing[employee_id]) for employee_id, nip in plausible if employee_id in failing
    )
    left_out.sort()
    return kept, left_out
