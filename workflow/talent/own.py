"""Each employee's own view (role ``employee``): their profile, their box and what it means,
their eligibility for the next level with what would make them eligible, their development
plan, and the key positions whose successors they are among.

The subject is always the actor's own linked record (``app_user.employee_id``): nothing here
takes an employee reference, so no argument can point it at somebody else. Every read is in
the access log (purpose ``own_view``).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select

from rules.errors import PackInvalid, PackNotEffective
from rules.explain import explain
from rules.pack import Pack
from rules.profile import CandidateProfile, VacancyContext
from rules.talent import target_level
from rules.vocab import PositionLevel
from workflow import screening
from workflow.core import Actor, Database, NotFound
from workflow.identity import AccessRecorder
from workflow.models import Employee, Position, TalentPlacement, TalentRun
from workflow.talent.development import DEFAULT_PLAN_PACK, DevelopmentPlan, plan_of
from workflow.talent.groups import memberships


@dataclass(frozen=True, slots=True)
class OwnView:
    """What an employee sees about themself (personal data: their own, recorded)."""

    employee_id: int
    nip: str
    name: str
    agency: str
    rank: str | None
    position: dict[str, Any] | None
    """``{"code", "title", "level", "unit"}`` of the position held now."""
    target: str
    """The level they would be promoted into next (what eligibility is measured against)."""
    talent_map: dict[str, Any] | None
    """Their placement in the agency's latest talent-map run: run id, date, box, axes, pool."""
    box: dict[str, Any] | None
    """The box measured now, with the pack's recommended action (its meaning)."""
    eligibility: dict[str, Any]
    """``status`` for the target level and each criterion not passed with its hint."""
    succession: list[dict[str, Any]]
    """Key positions whose successor list they are in, with readiness."""
    plan: DevelopmentPlan


def own_employee_id(actor: Actor) -> int:
    """Return the actor's own employee id.

    :raises NotFound: the account is not linked to an employee record.
    """
    if actor.employee_id is None:
        raise NotFound(f"the account {actor.username} is not linked to an employee record")
    return actor.employee_id


def own_plan(db: Database, *, recorder: AccessRecorder, reference_date: dt.date) -> DevelopmentPlan:
    """Return the signed-in employee's own development plan (recorded in the access log)."""
    employee_id = own_employee_id(recorder.actor)
    return plan_of(db, recorder=recorder, employee_id=employee_id, reference_date=reference_date)


def own_view(
    db: Database,
    *,
    recorder: AccessRecorder,
    reference_date: dt.date,
    pack: str = DEFAULT_PLAN_PACK,
) -> OwnView:
    """Return the signed-in employee's own view, recording the disclosure first.

    :raises NotFound: the account is not linked to an employee record, or no pack ``pack``.
    """
    employee_id = own_employee_id(recorder.actor)
    loaded = screening.load_published(db, digest=screening.resolve(db, pack).digest)
    plan = plan_of(
        db, recorder=recorder, employee_id=employee_id, reference_date=reference_date, pack=pack
    )
    with db.read() as session:
        employee = session.get(Employee, employee_id)
        if employee is None:
            raise NotFound("no employee record")
        position = employee.position
        profile = screening.load_profile(session, nip=employee.nip)
        placement = session.execute(
            select(TalentPlacement, TalentRun.reference_date)
            .join(TalentRun, TalentRun.id == TalentPlacement.run_id)
            .where(
                TalentPlacement.employee_id == employee_id,
                TalentRun.tenant_id == employee.tenant_id,
            )
            .order_by(TalentRun.created_at.desc(), TalentRun.id.desc())
            .limit(1)
        ).one_or_none()
        held = (
            {
                "code": position.code,
                "title": position.title,
                "level": position.level,
                "unit": position.unit,
            }
            if position is not None
            else None
        )
        name, nip, rank, agency, tenant_id = (
            employee.name,
            employee.nip,
            employee.rank,
            employee.tenant.code,
            employee.tenant_id,
        )
    target = target_level(loaded, PositionLevel(held["level"]) if held else None)
    talent_map = None
    if placement is not None:
        row, run_date = placement
        talent_map = {
            "run_id": row.run_id,
            "reference_date": run_date.isoformat(),
            "box": row.box,
            "performance_axis": row.performance_axis,
            "potential_axis": row.potential_axis,
            "in_pool": row.in_pool,
        }
    return OwnView(
        employee_id=employee_id,
        nip=nip,
        name=name,
        agency=agency,
        rank=rank,
        position=held,
        target=target.value,
        talent_map=talent_map,
        box=_box(loaded, target, plan),
        eligibility=_eligibility(loaded, VacancyContext(target, reference_date), profile),
        succession=_succession_memberships(
            db,
            pack=loaded,
            tenant_id=tenant_id,
            employee_id=employee_id,
            profile=profile,
            reference_date=reference_date,
        ),
        plan=plan,
    )


def _box(pack: Pack, target: PositionLevel, plan: DevelopmentPlan) -> dict[str, Any] | None:
    if plan.box is None:
        return None
    settings = pack.settings(target)
    return {
        "number": plan.box,
        "talent_pool": plan.in_talent_pool,
        "action": plan.box_action,
        "pool_boxes": sorted(settings.talent_pool_boxes),
    }


def _eligibility(pack: Pack, context: VacancyContext, profile: CandidateProfile) -> dict[str, Any]:
    """The explanation machinery's verdict for the target level, keeping what is not passed."""
    try:
        explanation = explain(pack, context, profile)
    except (PackInvalid, PackNotEffective) as exc:
        return {
            "level": context.level.value,
            "status": "undecided",
            "reason": exc.message,
            "criteria": [],
            "readiness": None,
        }
    shown = explanation.to_dict()
    return {
        "level": context.level.value,
        "status": explanation.status,
        "reason": None,
        "readiness": shown["succession"]["readiness"],
        "criteria": [
            {
                "criterion": c["id"],
                "outcome": c["outcome"],
                "hard": c["hard"],
                "message": c["message"],
                "expected": c["expected"],
                "actual": c["actual"],
                "hint": c["hint"],
            }
            for c in shown["criteria"]
            if c["outcome"] in ("fail", "missing_data")
        ],
    }


def _succession_memberships(
    db: Database,
    *,
    pack: Pack,
    tenant_id: int,
    employee_id: int,
    profile: CandidateProfile,
    reference_date: dt.date,
) -> list[dict[str, Any]]:
    """Return the key positions whose succession the employee is in: first the current
    *approved* succession groups (PP 11/2017 Art. 199, set by the PPK; ``source`` "approved",
    with the year and their rank in the group), then the other key positions of their agency
    whose computed successor list they are in (ready now or within the pack's readiness
    horizon; ``source`` "computed"), evaluated for the employee alone exactly as
    ``workflow.talent.successors`` screens its pool (no rank: that needs the whole pool).
    """
    approved = [
        {
            "position_id": m.position_id,
            "position_code": m.position_code,
            "title": m.position_title,
            "level": None,
            "readiness": m.readiness,
            "source": "approved",
            "year": m.year,
            "rank": m.rank,
        }
        for m in memberships(db, employee_id)
    ]
    return approved + [
        entry
        for entry in _computed_memberships(
            db,
            pack=pack,
            tenant_id=tenant_id,
            employee_id=employee_id,
            profile=profile,
            reference_date=reference_date,
        )
        if entry["position_id"] not in {a["position_id"] for a in approved}
    ]


def _computed_memberships(
    db: Database,
    *,
    pack: Pack,
    tenant_id: int,
    employee_id: int,
    profile: CandidateProfile,
    reference_date: dt.date,
) -> list[dict[str, Any]]:
    with db.read() as session:
        positions = session.scalars(
            select(Position)
            .where(Position.tenant_id == tenant_id, Position.is_key)
            .order_by(Position.code)
        ).all()
        held = session.scalar(select(Employee.position_id).where(Employee.id == employee_id))
        contexts = [
            (p, screening.vacancy_context(session, position_id=p.id, reference_date=reference_date))
            for p in positions
            if p.id != held
        ]
    out = []
    for position, context in contexts:
        try:
            explanation = explain(pack, context, profile)
        except (PackInvalid, PackNotEffective):
            continue
        if explanation.readiness == pack.ranking.otherwise:
            continue
        out.append(
            {
                "position_id": position.id,
                "position_code": position.code,
                "title": position.title,
                "level": position.level,
                "readiness": explanation.readiness.to_data(),
                "source": "computed",
            }
        )
    return out
