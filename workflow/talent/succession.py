"""Successors of a key position: the agency's employees ranked by the same rules engine and
ranking as a vacancy's screening, kept when they are ready now or within the pack's readiness
horizon (the pack's readiness scale: *Siap Sekarang*, 1-2 years, 2-3 years), each with what
they still lack (the criteria they fail or lack data for, with the pack's hints).

Reads only; the people returned are written to the access log first.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select

from rules.errors import PackInvalid, PackNotEffective
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
    if not 1 <= limit <= MAX_SUCCESSORS:
        raise InvalidInput(
            f"limit {limit} is outside 1..{MAX_SUCCESSORS}",
            [{"field": "limit", "message": f"1 to {MAX_SUCCESSORS}"}],
        )
    with db.read() as session:
        row = session.execute(
            select(Position.tenant_id, Position.code, Position.is_key, Tenant.code)
            .join(Tenant, Tenant.id == Position.tenant_id)
            .where(Position.id == position_id)
        ).one_or_none()
        if row is None:
            raise NotFound(f"no position {position_id}")
        tenant_id, code, is_key, agency = row
        ensure_readable(recorder.actor, tenant_id, f"position {position_id}")
    if not is_key:
        raise InvalidInput(
            f"position {code} is not a key position",
            [{"field": "position_id", "message": "succession is planned for key positions"}],
        )
    published = screening.resolve(db, pack)
    loaded = screening.load_published(db, digest=published.digest)
    try:
        result = screening.screen_position(
            db,
            pack=loaded,
            position_id=position_id,
            reference_date=reference_date,
            tenant_ids=[tenant_id],
        )
    except (PackInvalid, PackNotEffective) as exc:
        raise InvalidInput(exc.message, [p.as_dict() for p in exc.problems]) from exc
    labels = [r.label for r in loaded.ranking.readiness]
    within = [(i, d) for i, d in enumerate(result.decisions) if d.readiness >= 0]
    ready_now = sum(1 for _, d in within if d.readiness == 0)
    shown = within[:limit]
    nips = [d.nip for _, d in shown]
    with db.read() as session:
        employees = {
            e.nip: e for e in session.scalars(select(Employee).where(Employee.nip.in_(nips)))
        }
    recorder.record(db, employees.values())
    out = []
    for position, decision in shown:
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
        pack_digest=loaded.digest,
        reference_date=reference_date,
        candidates=len(result.decisions),
        within_horizon=len(within),
        ready_now=ready_now,
        successors=out,
    )
