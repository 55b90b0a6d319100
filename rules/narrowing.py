"""Narrowable criteria: the hard criteria a registry can decide from its indexed columns.

For a pool of millions most candidates fail a hard criterion that a plain column decides (the
rank is too low, no position one level below was ever held, the age is over the limit …).
:func:`narrowable` reads a COMPILED pack level (never a hand-written list per pack) and returns,
for each such criterion, a :data:`Narrowing`: a description, in registry terms, of exactly the
candidates for whom the engine's outcome of that criterion is ``fail``. ``workflow.screening``
turns each into a SQL condition; the engine then only sees the others.

Being conservative is the rule. A criterion is narrowable only when

* it is hard (a hard failure makes the candidate ineligible whatever else holds: ``status_of``),
* its resolved condition is ONE comparison of ONE fact field that :mod:`rules.facts` builds from
  columns listed here, and
* the description is exact: every candidate it names gets ``fail`` from the engine (the fact is
  present and the comparison is false). Candidates whose fact would be absent (missing data:
  no rank, no education before the reference year, an incomplete performance window …) are never
  named, so ``needs_data`` stays the engine's.

Thresholds are computed by calling the engine's own helpers (:func:`rules.conditions.compare`,
:func:`rules.durations.completed_years`, :func:`rules.durations.add_months`) on every possible
value (enumerations) or by bisection over dates (monotone functions), so a SQL comparison of a
stored value matches the fact comparison by construction.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass

from rules.compiler import CompiledCriterion, CompiledLevel
from rules.conditions import Atom, compare
from rules.derive import DerivationSettings
from rules.durations import add_months, completed_years
from rules.vocab import EducationLevel, EmploymentType, PenaltyLevel, Predicate, Rank


@dataclass(frozen=True, slots=True)
class ColumnIn:
    """Fail iff the employee's ``column`` (never NULL when this applies) is one of ``values``."""

    criterion: str
    column: str
    """``employment_type``, ``rank`` or ``disciplinary_case_pending``."""
    values: tuple[str | bool, ...]
    """Stored values whose fact fails the criterion (sorted; non-empty)."""


@dataclass(frozen=True, slots=True)
class BornOnOrBefore:
    """Fail iff the birth date is on or before ``cutoff`` (``age_years`` over a maximum)."""

    criterion: str
    cutoff: dt.date


@dataclass(frozen=True, slots=True)
class EducationBelow:
    """Fail iff some education was completed by ``last_year`` and none of them is in ``passing``."""

    criterion: str
    last_year: int
    passing: tuple[str, ...]
    """Stored levels whose ordinal passes (sorted; may be empty: any education fails)."""


@dataclass(frozen=True, slots=True)
class NoPriorPosition:
    """Fail iff some position started by ``reference_date`` and none of them has a ``levels`` level.

    Then the fact ``prior_position_months`` is present and 0, and the criterion fails at 0.
    Candidates who held such a position, however briefly, are left to the engine.
    """

    criterion: str
    reference_date: dt.date
    levels: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class PenaltyInForce:
    """Fail iff a penalty of ``levels`` started by ``reference_date`` and is in force on it
    (no end date, or ending on or after it): ``penalty_active`` is the heaviest such level."""

    criterion: str
    reference_date: dt.date
    levels: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class PenaltyEndedRecently:
    """Fail iff a penalty of ``levels`` started by ``reference_date`` ended before it and on or
    after ``ended_from`` (inside the look-back): ``penalty_recent``."""

    criterion: str
    reference_date: dt.date
    ended_from: dt.date
    levels: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class PerformanceBelow:
    """Fail iff all ``years`` years of the window ``[first_year, last_year]`` are rated and one of
    the ratings is in ``failing`` (``performance_min`` is the lowest predicate of the window)."""

    criterion: str
    first_year: int
    last_year: int
    years: int
    failing: tuple[str, ...]


Narrowing = (
    ColumnIn
    | BornOnOrBefore
    | EducationBelow
    | NoPriorPosition
    | PenaltyInForce
    | PenaltyEndedRecently
    | PerformanceBelow
)
"""One narrowable criterion, described in registry terms."""

_Builder = Callable[[str, Atom, dt.date, DerivationSettings], Narrowing | None]


def narrowable(
    compiled: CompiledLevel, reference_date: dt.date, settings: DerivationSettings
) -> tuple[Narrowing, ...]:
    """Return the narrowable hard criteria of a compiled pack level, in criterion order."""
    out: list[Narrowing] = []
    for criterion in compiled.criteria:
        found = _narrowing(criterion, reference_date, settings)
        if found is not None:
            out.append(found)
    return tuple(out)


def _narrowing(
    criterion: CompiledCriterion, reference_date: dt.date, settings: DerivationSettings
) -> Narrowing | None:
    atom = criterion.condition
    if not criterion.hard or not isinstance(atom, Atom):
        return None
    builder = _BUILDERS.get(atom.field)
    return None if builder is None else builder(criterion.id, atom, reference_date, settings)


def _fails(atom: Atom, value: object) -> bool:
    try:
        return not compare(atom, value)  # type: ignore[arg-type]
    except TypeError:  # a value of another type than the condition's: leave it to the engine
        return False


def _column(column: str, values: dict[str | bool, object]) -> _Builder:
    def build(cid: str, atom: Atom, ref: dt.date, s: DerivationSettings) -> Narrowing | None:
        failing = tuple(sorted((v for v, fact in values.items() if _fails(atom, fact)), key=str))
        return ColumnIn(cid, column, failing) if failing else None

    return build


def _age(cid: str, atom: Atom, ref: dt.date, s: DerivationSettings) -> Narrowing | None:
    if atom.op not in ("<", "<="):
        return None  # only a maximum age makes "born on or before" exact

    def fails(day: int) -> bool:
        return _fails(atom, completed_years(dt.date.fromordinal(day), ref))

    low = ref.replace(year=ref.year - 150).toordinal() if ref.year > 151 else 1
    if not fails(low):
        return None
    high = ref.toordinal()
    if fails(high):
        return None  # even a newborn fails: a pack nobody passes, left to the engine
    while high - low > 1:  # fails(low) and not fails(high)
        middle = (low + high) // 2
        if fails(middle):
            low = middle
        else:
            high = middle
    return BornOnOrBefore(cid, dt.date.fromordinal(low))


def _education(cid: str, atom: Atom, ref: dt.date, s: DerivationSettings) -> Narrowing | None:
    if atom.op not in (">", ">="):
        return None  # the fact is a maximum: only a minimum is decided by "none passes"
    passing = tuple(sorted(e.value for e in EducationLevel if not _fails(atom, e.ordinal)))
    if len(passing) == len(EducationLevel):
        return None
    return EducationBelow(cid, ref.year, passing)


def _prior(cid: str, atom: Atom, ref: dt.date, s: DerivationSettings) -> Narrowing | None:
    if not _fails(atom, 0):
        return None
    return NoPriorPosition(cid, ref, tuple(sorted(s.prior_position_levels)))


def _penalty_levels(atom: Atom) -> tuple[str, ...] | None:
    """Return the levels one penalty of which makes the heaviest fail; None if not exact."""
    if atom.op not in ("<", "<=") or _fails(atom, 0):
        return None  # a maximum that holds with no penalty at all (the fact is then 0)
    levels = tuple(sorted(p.value for p in PenaltyLevel if _fails(atom, p.ordinal)))
    return levels or None


def _active(cid: str, atom: Atom, ref: dt.date, s: DerivationSettings) -> Narrowing | None:
    levels = _penalty_levels(atom)
    return None if levels is None else PenaltyInForce(cid, ref, levels)


def _recent(cid: str, atom: Atom, ref: dt.date, s: DerivationSettings) -> Narrowing | None:
    levels = _penalty_levels(atom)
    if levels is None:
        return None
    lookback = s.penalty_lookback_months
    # the earliest end date e with add_months(e, lookback) >= ref (monotone in e)
    low = ref.toordinal() - 31 * (lookback + 2)
    if low < 1:
        return None
    high = ref.toordinal()

    def inside(day: int) -> bool:
        return add_months(dt.date.fromordinal(day), lookback) >= ref

    if inside(low) or not inside(high):
        return None
    while high - low > 1:  # not inside(low) and inside(high)
        middle = (low + high) // 2
        if inside(middle):
            high = middle
        else:
            low = middle
    return PenaltyEndedRecently(cid, ref, dt.date.fromordinal(high), levels)


def _performance(cid: str, atom: Atom, ref: dt.date, s: DerivationSettings) -> Narrowing | None:
    if atom.op not in (">", ">=") or s.performance_window_years < 1:
        return None  # the fact is a minimum: one failing rating decides only a lower bound
    failing = tuple(sorted(p.value for p in Predicate if _fails(atom, p.ordinal)))
    if not failing:
        return None
    first = ref.year - s.performance_window_years
    return PerformanceBelow(cid, first, ref.year - 1, s.performance_window_years, failing)


_BUILDERS: dict[str, _Builder] = {
    "employment_type": _column("employment_type", {e.value: e.value for e in EmploymentType}),
    "rank": _column("rank", {r.value: r.ordinal for r in Rank}),
    "disciplinary_case_pending": _column("disciplinary_case_pending", {True: True, False: False}),
    "age_years": _age,
    "education": _education,
    "prior_position_months": _prior,
    "penalty_active": _active,
    "penalty_recent": _recent,
    "performance_min": _performance,
}
"""Fact field → how a comparison of it becomes a narrowing (fields not here are never narrowed)."""
