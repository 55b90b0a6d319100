"""Development plans: what an employee should develop, and what HR recorded they did.

The plan is computed on each read, never stored: the recommended development of the employee's
9-box box (the pack's ``box_actions``, PermenPANRB 3/2020's actions per box) and of each
competency below the standard of the level they would be promoted into next (the same target
the talent map measures against: ``rules.talent.target_level``), by how many levels, in both
languages. HR records development activities (a training completed, an assignment, mentoring;
date, hours, the competency addressed); a completed leadership training also becomes a
``training`` row of the registry, so the profile the rules read, and the next talent map, reflect
it. Progress is the gaps closed: competencies below the standard in the assessment before the
first activity that meet it in the latest one.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from rules.derive import gap_rows, latest_assessment, measure
from rules.pack import Pack
from rules.profile import CandidateProfile, VacancyContext
from rules.talent import target_level
from rules.vocab import PositionLevel, Training
from workflow import ledger, screening
from workflow.core import Actor, Database, InvalidInput, NotFound, ensure_readable, ensure_writable
from workflow.identity import AccessRecorder
from workflow.models import (
    ActivityKind,
    DevelopmentActivity,
    Employee,
    Position,
    TrainingRecord,
)

DEFAULT_PLAN_PACK = "bkn-national"
MAX_TITLE = 200
MAX_HOURS = 2000
LEADERSHIP_TRAININGS = ("PKP", "PKA", "PKN II", "PKN I")
"""The current leadership trainings HR may record as completed (PerLAN 15/2019)."""


@dataclass(frozen=True, slots=True)
class Activity:
    """One recorded development activity (no personal data beyond its employee's id)."""

    id: int
    employee_id: int
    kind: str
    title: str
    occurred_on: dt.date
    hours: int | None
    competency: str | None
    training_kind: str | None
    recorded_by: str
    recorded_at: dt.datetime


@dataclass(frozen=True, slots=True)
class Gap:
    """One competency of the target standard: required, assessed, short by, and its progress."""

    competency: str
    required: int
    actual: int | None
    short_by: int | None
    """Levels below the standard now (0: meets it; None: not assessed)."""
    baseline: int | None
    """The level assessed before the first activity (the plan's starting point)."""
    closed: bool
    """Below the standard at the baseline and meeting it now."""
    activities: int
    """Activities recorded against this competency."""


@dataclass(frozen=True, slots=True)
class DevelopmentPlan:
    """An employee's development plan on one date under one pack (personal data)."""

    employee_id: int
    nip: str
    name: str
    agency: str
    level: str | None
    unit: str | None
    target: str
    pack_digest: str
    reference_date: dt.date
    box: int | None
    in_talent_pool: bool
    box_action: dict[str, str] | None
    """The pack's recommended action for the box (``{"id", "en"}``); None without a box."""
    recommendations: list[dict[str, str]]
    """What to develop, in both languages: the box's action, then each competency short."""
    gaps: list[Gap]
    activities: list[Activity]
    progress: dict[str, int] = field(default_factory=dict)
    """``gaps`` (below the standard at the baseline), ``closed``, ``open`` (below now),
    ``addressed`` (open with an activity), ``activities``, ``hours``."""


def find_employee(session: Session, reference: str) -> Employee:
    """Return the employee a reference names: an 18-digit NIP, or an internal id.

    :raises NotFound: no such employee.
    """
    employee: Employee | None = None
    if reference.isdigit() and len(reference) == 18:
        employee = session.scalar(select(Employee).where(Employee.nip == reference))
    elif reference.isdigit() and len(reference) <= 12:
        employee = session.get(Employee, int(reference))
    if employee is None:
        raise NotFound(f"no employee {reference}")
    return employee


def development_plan(
    db: Database,
    *,
    recorder: AccessRecorder,
    employee: str,
    reference_date: dt.date,
    pack: str = DEFAULT_PLAN_PACK,
) -> DevelopmentPlan:
    """Return the development plan of an employee of an agency the caller reads.

    :raises NotFound: no such employee visible to the caller, or no published pack ``pack``.
    """
    with db.read() as session:
        found = find_employee(session, employee)
        ensure_readable(recorder.actor, found.tenant_id, f"employee {employee}")
        employee_id = found.id
    return plan_of(
        db, recorder=recorder, employee_id=employee_id, reference_date=reference_date, pack=pack
    )


def plan_of(
    db: Database,
    *,
    recorder: AccessRecorder,
    employee_id: int,
    reference_date: dt.date,
    pack: str = DEFAULT_PLAN_PACK,
) -> DevelopmentPlan:
    """Return the plan of the employee with ``employee_id`` (the caller's scope already checked),
    recording the disclosure first."""
    loaded = screening.load_published(db, digest=screening.resolve(db, pack).digest)
    with db.read() as session:
        row = session.execute(
            select(Employee, Position.level, Position.unit)
            .outerjoin(Position, Position.id == Employee.position_id)
            .where(Employee.id == employee_id)
        ).one()
        employee, level, unit = row
        agency = employee.tenant.code
        profile = screening.load_profile(session, nip=employee.nip)
        activities = [
            _activity(a)
            for a in session.scalars(
                select(DevelopmentActivity)
                .where(DevelopmentActivity.employee_id == employee_id)
                .order_by(DevelopmentActivity.occurred_on, DevelopmentActivity.id)
            )
        ]
        recorder.record(db, [employee])
        return _plan(loaded, employee, agency, level, unit, profile, activities, reference_date)


def _plan(
    pack: Pack,
    employee: Employee,
    agency: str,
    level: str | None,
    unit: str | None,
    profile: CandidateProfile,
    activities: list[Activity],
    reference_date: dt.date,
) -> DevelopmentPlan:
    target = target_level(pack, PositionLevel(level) if level else None)
    settings = pack.settings(target)
    context = VacancyContext(target, reference_date)
    measures = measure(profile, context, settings)
    first = activities[0].occurred_on if activities else reference_date
    before = latest_assessment(profile, first)
    baseline = dict(before.scores) if before else {}
    gaps = []
    for row in gap_rows(profile, context, settings):
        start = baseline.get(row.competency, row.actual)
        was_short = start is not None and start < row.required
        meets = row.actual is not None and row.actual >= row.required
        gaps.append(
            Gap(
                competency=row.competency,
                required=row.required,
                actual=row.actual,
                short_by=None if row.actual is None else max(0, row.required - row.actual),
                baseline=start,
                closed=was_short and meets,
                activities=sum(1 for a in activities if a.competency == row.competency),
            )
        )
    box_action = None
    recommendations = []
    if measures.box is not None:
        action_id, action_en = settings.box_actions[measures.box]
        box_action = {"id": action_id, "en": action_en}
        recommendations.append(
            {
                "id": f"Kotak {measures.box}: {action_id}",
                "en": f"Box {measures.box}: {action_en}",
            }
        )
    else:
        recommendations.append(
            {
                "id": "Lengkapi penilaian kinerja tahun terakhir dan asesmen kompetensi "
                "agar dapat dipetakan pada 9 kotak",
                "en": "Complete the last year's performance rating and a competency assessment "
                "to be placed on the 9-box",
            }
        )
    for gap in gaps:
        if gap.short_by:
            recommendations.append(
                {
                    "id": f"Kembangkan kompetensi {gap.competency}: naik {gap.short_by} level "
                    f"(dari {gap.actual} ke {gap.required}, standar {target.value})",
                    "en": f"Develop {gap.competency}: {gap.short_by} level(s) up "
                    f"(from {gap.actual} to {gap.required}, the {target.value} standard)",
                }
            )
    if all(g.actual is None for g in gaps):
        recommendations.append(
            {
                "id": "Ikuti asesmen kompetensi untuk mengukur kesenjangan terhadap standar",
                "en": "Take a competency assessment to measure the gaps against the standard",
            }
        )
    open_gaps = [g for g in gaps if g.short_by]
    return DevelopmentPlan(
        employee_id=employee.id,
        nip=employee.nip,
        name=employee.name,
        agency=agency,
        level=level,
        unit=unit,
        target=target.value,
        pack_digest=pack.digest,
        reference_date=reference_date,
        box=measures.box,
        in_talent_pool=measures.box is not None and measures.box in settings.talent_pool_boxes,
        box_action=box_action,
        recommendations=recommendations,
        gaps=gaps,
        activities=activities,
        progress={
            "gaps": sum(1 for g in gaps if g.baseline is not None and g.baseline < g.required),
            "closed": sum(1 for g in gaps if g.closed),
            "open": len(open_gaps),
            "addressed": sum(1 for g in open_gaps if g.activities),
            "activities": len(activities),
            "hours": sum(a.hours or 0 for a in activities),
        },
    )


def _activity(row: DevelopmentActivity) -> Activity:
    return Activity(
        id=row.id,
        employee_id=row.employee_id,
        kind=row.kind,
        title=row.title,
        occurred_on=row.occurred_on,
        hours=row.hours,
        competency=row.competency,
        training_kind=row.training_kind,
        recorded_by=row.recorded_by,
        recorded_at=row.recorded_at,
    )


def known_competencies(pack: Pack) -> frozenset[str]:
    """Return every competency name of the pack's standards (what an activity may address)."""
    return frozenset(
        name for level in pack.levels for name, _ in pack.settings(level).competency_standard
    )


def _problems(
    pack: Pack,
    *,
    kind: str,
    title: str,
    occurred_on: dt.date,
    hours: int | None,
    competency: str | None,
    training_kind: str | None,
    today: dt.date,
) -> list[dict[str, Any]]:
    problems: list[dict[str, Any]] = []
    if kind not in {k.value for k in ActivityKind}:
        kinds = ", ".join(k.value for k in ActivityKind)
        problems.append({"field": "kind", "message": f"one of {kinds}"})
    if not title.strip() or len(title) > MAX_TITLE:
        problems.append({"field": "title", "message": f"1-{MAX_TITLE} characters"})
    if occurred_on > today:
        problems.append({"field": "occurred_on", "message": "is in the future"})
    if hours is not None and not 0 <= hours <= MAX_HOURS:
        problems.append({"field": "hours", "message": f"0 to {MAX_HOURS}"})
    if competency is not None and competency not in known_competencies(pack):
        problems.append(
            {"field": "competency", "message": f"{competency!r} is not in the pack's standard"}
        )
    if training_kind is not None:
        if kind != ActivityKind.TRAINING.value:
            problems.append(
                {"field": "training_kind", "message": "only a training completes a training"}
            )
        if training_kind not in LEADERSHIP_TRAININGS:
            problems.append(
                {"field": "training_kind", "message": f"one of {', '.join(LEADERSHIP_TRAININGS)}"}
            )
    return problems


def record_activity(
    db: Database,
    *,
    actor: Actor,
    employee: str,
    kind: str,
    title: str,
    occurred_on: dt.date,
    hours: int | None = None,
    competency: str | None = None,
    training_kind: str | None = None,
    now: dt.datetime,
    request_key: str | None = None,
    pack: str = DEFAULT_PLAN_PACK,
) -> Activity:
    """Record a development activity of an employee of the actor's own agency.

    A completed leadership training (``training_kind``) also adds the registry's ``training``
    row and marks the employee changed, so the rules and the talent sweep read it. The ledger
    gets a ``talent.development`` entry (ids, kind, date, hours, competency; no title). A
    ``request_key`` already used for this employee returns the activity it recorded, unchanged.

    :raises NotFound: no such employee visible to the actor.
    :raises Refused: a national user (reads but does not change an agency's data).
    :raises InvalidInput: a field is out of range (each problem names it); nothing changes.
    """
    loaded = screening.load_published(db, digest=screening.resolve(db, pack).digest)
    problems = _problems(
        loaded,
        kind=kind,
        title=title,
        occurred_on=occurred_on,
        hours=hours,
        competency=competency,
        training_kind=training_kind,
        today=now.date(),
    )
    with db.transaction() as session:
        found = find_employee(session, employee)
        ensure_writable(actor, found.tenant_id, f"employee {employee}")
        if request_key is not None:
            done = session.scalar(
                select(DevelopmentActivity).where(
                    DevelopmentActivity.employee_id == found.id,
                    DevelopmentActivity.request_key == request_key,
                )
            )
            if done is not None:
                return _activity(done)
        if problems:
            raise InvalidInput("cannot record the development activity", problems)
        training_id = None
        if training_kind is not None:
            training = TrainingRecord(
                employee_id=found.id, kind=Training(training_kind).value, completed_on=occurred_on
            )
            session.add(training)
            session.flush()
            training_id = training.id
            found.updated_at = now
        row = DevelopmentActivity(
            tenant_id=found.tenant_id,
            employee_id=found.id,
            kind=kind,
            title=title.strip(),
            occurred_on=occurred_on,
            hours=hours,
            competency=competency,
            training_kind=training_kind,
            training_id=training_id,
            recorded_by=actor.username,
            recorded_at=now,
            request_key=request_key,
        )
        session.add(row)
        session.flush()
        ledger.append(
            session,
            tenant_id=found.tenant_id,
            kind=ledger.LedgerKind.TALENT_DEVELOPMENT,
            actor=ledger.actor_ref(actor),
            at=now,
            data={
                "activity": row.id,
                "employee": found.id,
                "kind": kind,
                "occurred_on": occurred_on.isoformat(),
                "hours": hours,
                "competency": competency,
                "training": training_kind,
            },
        )
        return _activity(row)
