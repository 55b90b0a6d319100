"""Successors of a key position: the agency's employees ranked by the same rules engine and
ranking as a vacancy's screening, kept when they are ready now or within the pack's readiness
horizon (the pack's readiness scale: *Siap Sekarang*, 1-2 years, 2-3 years), each with what
they still lack (the criteria they fail or lack data for, with the pack's hints).

Reads only; the people returned are written to the access log first.

:func:`successor_lists` does many key positions of one agency at once: the agency's profiles
are loaded (and digested) once and screened per position, instead of reloaded per position.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select

from rules.errors import PackInvalid, PackNotEffective
from rules.pack import Pack
from rules.screening import ScreeningResult, profile_digest, screen
from workflow import screening
from workflow.core import Database, InvalidInput, NotFound, ensure_readable
from workflow.identity import AccessRecorder
from workflow.models import Employee, Position, Tenant

MAX_SUCCESSORS = 100


@dataclass(frozen=True, slots=True)
class Successor:
    """One ranked successor (personal data: recorded before it is returned)."""

    employee_id: int
    nip: str
    name: str
    rank: int
    """Rank in the screening of the agency's pool for the position (1 = first)."""
    status: str
    box: int | None
    readiness: dict[str, str]
    """The readiness label in both languages (``{"id", "en"}``)."""
    lacks: list[dict[str, Any]]
    """Each criterion failed or lacking data: ``{"criterion", "outcome", "hard", "hint"}``."""
    readiness_index: int = 0
    """The readiness label's place on the pack's scale (0: ready now)."""


@dataclass(frozen=True, slots=True)
class SuccessorList:
    """A key position's ranked successors under one pack on one date."""

    position_id: int
    position_code: str
    agency: str
    pack_digest: str
    reference_date: dt.date
    candidates: int
    """The whole pool screened."""
    within_horizon: int
    """Successors ready now or within the horizon (the list holds the first ``limit``)."""
    ready_now: int
    successors: list[Successor]


def successors(
    db: Database,
    *,
    recorder: AccessRecorder,
    position_id: int,
    pack: str,
    reference_date: dt.date,
    limit: int = 20,
) -> SuccessorList:
    """Return the ranked successors of a key position of an agency the caller reads.

    :raises NotFound: no such position visible to the caller, or no published pack ``pack``.
    :raises InvalidInput: the position is not a key position, or the pack cannot decide its
        level or date.
    """
    (found,) = successor_lists(
        db,
        recorder=recorder,
        position_ids=[position_id],
        pack=pack,
        reference_date=reference_date,
        limit=limit,
    )
    return found


def successor_lists(
    db: Database,
    *,
    recorder: AccessRecorder,
    position_ids: Sequence[int],
    pack: str,
    reference_date: dt.date,
    limit: int = 20,
) -> list[SuccessorList]:
    """Return the ranked successors of each key position, in the order given.

    Each list is the one :func:`successors` gives for its position alone; the positions'
    agencies are each read once (one read transaction for the positions, their contexts and
    every profile) and each profile digested once, then screened per position.

    :raises NotFound: a position not visible to the caller, or no published pack ``pack``.
    :raises InvalidInput: ``limit`` out of range, a position that is not a key position, or a
        pack that cannot decide a position's level or date.
    """
    if not 1 <= limit <= MAX_SUCCESSORS:
        raise InvalidInput(
            f"limit {limit} is outside 1..{MAX_SUCCESSORS}",
            [{"field": "limit", "message": f"1 to {MAX_SUCCESSORS}"}],
        )
    with db.read() as session:
        rows = {
            row[0]: row[1:]
            for row in session.execute(
                select(Position.id, Position.tenant_id, Position.code, Position.is_key, Tenant.code)
                .join(Tenant, Tenant.id == Position.tenant_id)
                .where(Position.id.in_(position_ids))
            )
        }
        for position_id in position_ids:
            row = rows.get(position_id)
            if row is None:
                raise NotFound(f"no position {position_id}")
            ensure_readable(recorder.actor, row[0], f"position {position_id}")
    for position_id in position_ids:
        _, code, is_key, _ = rows[position_id]
        if not is_key:
            raise InvalidInput(
                f"position {code} is not a key position",
                [{"field": "position_id", "message": "succession is planned for key positions"}],
            )
    published = screening.resolve(db, pack)
    loaded = screening.load_published(db, digest=published.digest)
    agencies = sorted({rows[p][0] for p in position_ids})
    with db.read() as session:
        contexts = {
            p: screening.vacancy_context(session, position_id=p, reference_date=reference_date)
            for p in position_ids
        }
        pools = {t: screening.load_profile_rows(session, tenant_ids=[t]) for t in agencies}
    digests = {
        t: {r.profile.nip: profile_digest(r.profile) for r in pool} for t, pool in pools.items()
    }
    screened = []
    for position_id in position_ids:
        tenant_id = rows[position_id][0]
        candidates = [r.profile for r in pools[tenant_id] if r.position_id != position_id]
        try:
            result = screen(loaded, contexts[position_id], candidates, digests=digests[tenant_id])
        except (PackInvalid, PackNotEffective) as exc:
            raise InvalidInput(exc.message, [p.as_dict() for p in exc.problems]) from exc
        screened.append((position_id, result))
    employees = _disclosed(db, recorder, pools, [r for _, r in screened], limit)
    return [
        _successor_list(loaded, position_id, rows[position_id], result, employees, limit)
        for position_id, result in screened
    ]


def _within(result: ScreeningResult) -> list[int]:
    """Return the positions in the ranking of those within the readiness horizon."""
    return [i for i, d in enumerate(result.decisions) if d.readiness >= 0]


def _disclosed(
    db: Database,
    recorder: AccessRecorder,
    pools: dict[int, list[screening.LoadedProfile]],
    results: Sequence[ScreeningResult],
    limit: int,
) -> dict[str, Employee]:
    """Record (before anything is returned) and return the employees the lists will show."""
    ids = {r.profile.nip: r.employee_id for pool in pools.values() for r in pool}
    shown = {ids[result.decisions[i].nip] for result in results for i in _within(result)[:limit]}
    with db.read() as session:
        employees = {
            e.nip: e for e in session.scalars(select(Employee).where(Employee.id.in_(shown)))
        }
    recorder.record(db, employees.values())
    return employees


def _successor_list(
    pack: Pack,
    position_id: int,
    row: tuple[int, str, bool, str],
    result: ScreeningResult,
    employees: dict[str, Employee],
    limit: int,
) -> SuccessorList:
    _, code, _, agency = row
    labels = [r.label for r in pack.ranking.readiness]
    within = _within(result)
    ready_now = sum(1 for i in within if result.decisions[i].readiness == 0)
    out = []
    for position in within[:limit]:
        decision = result.decisions[position]
        explanation = result.explanation(position)
        lacks = [
            {
                "criterion": c.id,
                "outcome": c.outcome,
                "hard": c.hard,
                "hint": c.hint.to_data() if c.hint else None,
            }
            for c in explanation.criteria
            if c.outcome in ("fail", "missing_data")
        ]
        employee = employees[decision.nip]
        out.append(
            Successor(
                employee_id=employee.id,
                nip=decision.nip,
                name=employee.name,
                rank=position + 1,
                status=decision.status,
                box=decision.box,
                readiness=dict(labels[decision.readiness].to_data()),
                lacks=lacks,
                readiness_index=decision.readiness,
            )
        )
    return SuccessorList(
        position_id=position_id,
        position_code=code,
        agency=agency,
        pack_digest=pack.digest,
        reference_date=result.context.reference_date,
        candidates=len(result.decisions),
        within_horizon=len(within),
        ready_now=ready_now,
        successors=out,
    )
