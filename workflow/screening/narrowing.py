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
from dataclasses import dataclass
from typing import Any, Protocol

from sqlalchemy import (
    ARRAY,
    ColumnElement,
    String,
    and_,
    any_,
    bindparam,
    case,
    exists,
    func,
    literal,
    not_,
    or_,
    select,
)
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

NARROWING_MIN_POOL = 50_000
"""Pools at least this large are narrowed by default (``SCREENING_NARROWING_MIN_POOL``)."""


class NarrowingSettings(Protocol):
    """When a screening narrows: :class:`config.Settings` has both, :class:`NarrowingPolicy`
    carries them where no settings are at hand (a job queue, the inline screening)."""

    @property
    def screening_narrowing(self) -> bool:
        """Narrow every pool, whatever its size (``SCREENING_NARROWING``)."""
        ...

    @property
    def screening_narrowing_min_pool(self) -> int:
        """Narrow pools of at least this many candidates (0: only ``screening_narrowing``)."""
        ...


@dataclass(frozen=True, slots=True)
class NarrowingPolicy:
    """The two narrowing settings as plain values (their defaults are the service's)."""

    screening_narrowing: bool = False
    screening_narrowing_min_pool: int = NARROWING_MIN_POOL


DEFAULT_NARROWING = NarrowingPolicy()
"""The service's defaults: pools of at least :data:`NARROWING_MIN_POOL` are narrowed."""


def should_narrow(pool_size: int, settings: NarrowingSettings) -> bool:
    """Return whether a screening of ``pool_size`` candidates is narrowed in the database.

    Every pool when ``screening_narrowing``; otherwise pools of at least
    ``screening_narrowing_min_pool`` candidates (0 turns the size rule off). Smaller pools are
    screened whole, so their stored runs and digests are what they always were.
    """
    if settings.screening_narrowing:
        return True
    least = settings.screening_narrowing_min_pool
    return least > 0 and pool_size >= least


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


def nip_among(nips: Sequence[str], postgres: bool) -> ColumnElement[bool]:
    """Return ``employee.nip`` among ``nips``: one array parameter on PostgreSQL, bound
    parameters elsewhere (callers keep SQLite's chunks under its 999-parameter limit)."""
    if postgres:
        return Employee.nip == any_(bindparam("nips", list(nips), type_=ARRAY(String)))
    return Employee.nip.in_(nips)
