"""Reading stored talent-map runs: the list, one run's distributions, a box's people, a replay.

Only the people of a box are personal data: they are recorded in the access log (through the
caller's :class:`~workflow.identity.AccessRecorder`) before they are returned. Distributions
are counts and name no one.
"""

from __future__ import annotations

import gzip
import json
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from rules.errors import ProfileInvalid
from rules.talent import from_snapshot, map_talent
from workflow import screening
from workflow.core import (
    Actor,
    Database,
    InvalidInput,
    NotFound,
    Page,
    PageRequest,
    ensure_readable,
    fetch_page,
    readable,
)
from workflow.identity import AccessRecorder
from workflow.models import Employee, TalentPlacement, TalentRun, Tenant
from workflow.talent.runs import RunSummary, summary

UNMAPPED = "unmapped"
"""The distributions' key for employees without a box (no rated last year or no assessment)."""


def _box_key(box: int | None) -> str:
    return UNMAPPED if box is None else str(box)


def list_runs(
    db: Database, *, actor: Actor, agency: str | None = None, page: PageRequest
) -> Page[RunSummary]:
    """Return the runs of the agencies the actor reads (or of ``agency``), newest first."""
    with db.read() as session:
        query = (
            select(TalentRun, Tenant.code)
            .join(Tenant, Tenant.id == TalentRun.tenant_id)
            .where(readable(actor).clause(TalentRun.tenant_id))
            .order_by(TalentRun.created_at.desc(), TalentRun.id.desc())
        )
        if agency is not None:
            query = query.where(Tenant.code == agency)
        total = session.scalar(select(func.count()).select_from(query.order_by(None).subquery()))
        rows = session.execute(query.limit(page.per_page).offset(page.offset)).all()
        items = [summary(run, code) for run, code in rows]
    return Page(items=items, total=total or 0, page=page.page, per_page=page.per_page)


def _run(session: Session, actor: Actor, run_id: int) -> tuple[TalentRun, str]:
    row = session.execute(
        select(TalentRun, Tenant.code)
        .join(Tenant, Tenant.id == TalentRun.tenant_id)
        .where(TalentRun.id == run_id)
    ).one_or_none()
    if row is None:
        raise NotFound(f"no talent-map run {run_id}")
    run, code = row
    ensure_readable(actor, run.tenant_id, f"talent-map run {run_id}")
    return run, code


@dataclass(frozen=True, slots=True)
class RunDetail:
    """A run with its distributions by box, by level and by unit (counts only)."""

    run: RunSummary
    pool_boxes: list[int]
    by_box: dict[str, int]
    """Box number (or ``unmapped``) → employees."""
    by_level: dict[str, dict[str, int]]
    """Current level (``none``: no position) → box → employees."""
    by_unit: dict[str, dict[str, int]]
    """Unit (``none``: no position) → box → employees."""


def run_detail(db: Database, *, actor: Actor, run_id: int) -> RunDetail:
    """Return a run and its distributions.

    :raises NotFound: no such run visible to the actor.
    """
    with db.read() as session:
        run, code = _run(session, actor, run_id)
        by_box: dict[str, int] = {str(b): 0 for b in range(1, 10)}
        by_level: dict[str, dict[str, int]] = defaultdict(dict)
        by_unit: dict[str, dict[str, int]] = defaultdict(dict)
        pool_boxes: set[int] = set()
        grouped = session.execute(
            select(
                TalentPlacement.level,
                TalentPlacement.unit,
                TalentPlacement.box,
                TalentPlacement.in_pool,
                func.count(),
            )
            .where(TalentPlacement.run_id == run_id)
            .group_by(
                TalentPlacement.level,
                TalentPlacement.unit,
                TalentPlacement.box,
                TalentPlacement.in_pool,
            )
        ).all()
        for level, unit, box, in_pool, count in grouped:
            key = _box_key(box)
            by_box[key] = by_box.get(key, 0) + count
            level_key, unit_key = level or "none", unit or "none"
            by_level[level_key][key] = by_level[level_key].get(key, 0) + count
            by_unit[unit_key][key] = by_unit[unit_key].get(key, 0) + count
            if in_pool and box is not None:
                pool_boxes.add(box)
        return RunDetail(
            run=summary(run, code),
            pool_boxes=sorted(pool_boxes),
            by_box=by_box,
            by_level={k: by_level[k] for k in sorted(by_level)},
            by_unit={k: by_unit[k] for k in sorted(by_unit)},
        )


@dataclass(frozen=True, slots=True)
class PlacedPerson:
    """One employee of a box (personal data: recorded before it is returned)."""

    employee_id: int
    nip: str
    name: str
    level: str | None
    unit: str | None
    target: str
    box: int | None
    performance_axis: str | None
    potential_axis: str | None
    in_pool: bool


def box_people(
    db: Database,
    *,
    recorder: AccessRecorder,
    run_id: int,
    box: int | None,
    pool: bool = False,
    page: PageRequest,
) -> Page[PlacedPerson]:
    """Return a page of the people of one box of a run (``box`` None: the unmapped; ``pool``:
    the whole talent pool), by NIP; each one is written to the access log first.

    :raises NotFound: no such run visible to the recorder's actor.
    :raises InvalidInput: a box outside 1-9.
    """
    if box is not None and not 1 <= box <= 9:
        raise InvalidInput(
            f"box {box} does not exist", [{"field": "box", "message": "a box is 1 to 9"}]
        )
    with db.read() as session:
        _run(session, recorder.actor, run_id)
        query = (
            select(TalentPlacement)
            .join(Employee, Employee.id == TalentPlacement.employee_id)
            .where(TalentPlacement.run_id == run_id)
            .order_by(Employee.nip)
        )
        if pool:
            query = query.where(TalentPlacement.in_pool.is_(True))
        elif box is None:
            query = query.where(TalentPlacement.box.is_(None))
        else:
            query = query.where(TalentPlacement.box == box)
        found = fetch_page(session, query, page)
        ids = [p.employee_id for p in found.items]
        employees = {e.id: e for e in session.scalars(select(Employee).where(Employee.id.in_(ids)))}
        placements = list(found.items)
    recorder.record(db, employees.values())
    items = [
        PlacedPerson(
            employee_id=p.employee_id,
            nip=employees[p.employee_id].nip,
            name=employees[p.employee_id].name,
            level=p.level,
            unit=p.unit,
            target=p.target,
            box=p.box,
            performance_axis=p.performance_axis,
            potential_axis=p.potential_axis,
            in_pool=p.in_pool,
        )
        for p in placements
    ]
    return Page(items=items, total=found.total, page=found.page, per_page=found.per_page)


@dataclass(frozen=True, slots=True)
class TalentReplay:
    """A stored run recomputed from its snapshot with its pack."""

    run_id: int
    pack_digest: str
    recorded_input_digest: str
    replayed_input_digest: str
    recorded_result_digest: str
    replayed_result_digest: str
    employees: int
    changes: list[dict[str, Any]] = field(default_factory=list)
    """Employees (by id) whose stored placement differs from the replayed one."""

    @property
    def reproduced(self) -> bool:
        """Return whether the replay gave the recorded digests, bit for bit."""
        return (
            self.replayed_input_digest == self.recorded_input_digest
            and self.replayed_result_digest == self.recorded_result_digest
        )

    def as_dict(self) -> dict[str, Any]:
        """Return the report as JSON data."""
        return {
            "run_id": self.run_id,
            "pack_digest": self.pack_digest,
            "recorded_input_digest": self.recorded_input_digest,
            "replayed_input_digest": self.replayed_input_digest,
            "recorded_result_digest": self.recorded_result_digest,
            "replayed_result_digest": self.replayed_result_digest,
            "employees": self.employees,
            "changes": self.changes,
            "reproduced": self.reproduced,
        }


def replay_run(
    db: Database, *, actor: Actor | None, run_id: int, processes: int = 1
) -> TalentReplay:
    """Recompute a stored run from its input snapshot with its pack and compare digests.

    ``actor`` scopes the read to their agency; None is the service operator (the CLI). Reads
    only: nothing is stored.

    :raises NotFound: no such run visible to the actor, or its pack is no longer published.
    :raises InvalidInput: the stored snapshot does not read back.
    """
    with db.read() as session:
        if actor is None:
            run = session.get(TalentRun, run_id)
            if run is None:
                raise NotFound(f"no talent-map run {run_id}")
        else:
            run, _ = _run(session, actor, run_id)
        data = json.loads(gzip.decompress(run.snapshot))
        facts = (run.pack_digest, run.input_digest, run.result_digest)
        stored = {
            (e.nip): (p.employee_id, p.box, p.in_pool)
            for p, e in session.execute(
                select(TalentPlacement, Employee)
                .join(Employee, Employee.id == TalentPlacement.employee_id)
                .where(TalentPlacement.run_id == run_id)
            )
        }
    pack_digest, input_digest, result_digest = facts
    try:
        reference, subjects = from_snapshot(data)
    except ProfileInvalid as exc:
        raise InvalidInput(exc.message, [p.as_dict() for p in exc.problems]) from exc
    pack = screening.load_published(db, digest=pack_digest)
    result = map_talent(pack, reference, subjects, processes=processes)
    changes = []
    for p in result.placements:
        employee_id, box, in_pool = stored.get(p.nip, (None, None, False))
        if box != p.box or in_pool != p.in_pool:
            changes.append({"employee_id": employee_id, "stored_box": box, "replayed_box": p.box})
    return TalentReplay(
        run_id=run_id,
        pack_digest=pack_digest,
        recorded_input_digest=input_digest,
        replayed_input_digest=result.input_digest,
        recorded_result_digest=result_digest,
        replayed_result_digest=result.result_digest,
        employees=len(result.placements),
        changes=changes,
    )
