"""Talent-map runs as jobs: one task per agency, each agency's run stored once.

:func:`start_talent_job` (the API, the pages and the CLI) checks who may map which agencies
and the pack, records a ``talent_map`` job whose plan has one shard per agency, and sends one
task per shard; :func:`sweep_talent_jobs` (the scheduler) starts one job per agency whose
registry changed since its last run. Each :func:`run_talent_shard` maps its agency and stores
the run together with the shard's ``job_shard`` row in one transaction; the row's primary key
``(job, shard)`` makes a redelivered task (or a second worker racing it) store nothing: its
whole transaction, run included, is rolled back. The worker that stores the last shard ends
the job ``succeeded``.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import structlog
from sqlalchemy import func, or_, select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session

from workflow import ledger, screening, talent
from workflow.core import (
    Actor,
    Database,
    NotFound,
    Refused,
    WorkflowError,
    readable,
)
from workflow.jobs.queue import TALENT_TASK, JobQueue
from workflow.jobs.state import (
    ACTIVE,
    FAILED,
    QUEUED,
    RUNNING,
    SUCCEEDED,
    JobView,
    end_job,
    mark_running,
    record_end,
    recount,
    stop,
    view_of,
)
from workflow.models import Employee, Job, JobShard, Tenant

log = structlog.get_logger(__name__)

KIND_TALENT = "talent_map"
SYSTEM = "system"
"""``created_by`` of the runs the scheduler starts."""


@dataclass(frozen=True, slots=True)
class TalentStarted:
    """What starting a talent-map job gives: the job, and the runs stored so far."""

    job: JobView
    runs: list[talent.RunSummary]

    @property
    def finished(self) -> bool:
        """Whether the job ended before the answer (eager mode)."""
        return not self.job.active


def start_talent_job(
    queue: JobQueue,
    *,
    actor: Actor,
    agencies: Sequence[str] | None,
    pack: str,
    reference_date: dt.date | None,
    now: dt.datetime,
) -> TalentStarted:
    """Start mapping the agencies (default: the actor's own) as one job, one task per agency.

    In eager mode the job finishes before this returns.

    :raises NotFound: an agency the actor cannot read, or no published pack ``pack``.
    :raises Refused: the actor's roles do not allow a run.
    :raises InvalidInput: no agency named by BKN, or the pack is not in effect on the date.
    """
    db = queue.db
    targets = talent.runnable_agencies(db, actor=actor, agencies=agencies)
    published = screening.resolve(db, pack)
    reference = reference_date or now.date()
    talent.check_effective(screening.load_published(db, digest=published.digest), reference)
    job_id = _create(
        db,
        targets=targets,
        pack_digest=published.digest,
        reference_date=reference,
        trigger="demand",
        created_by=actor.username,
        actor_ref=ledger.actor_ref(actor),
        tenant_id=targets[0][0] if len(targets) == 1 else actor.tenant_id,
        now=now,
    )
    _dispatch(queue, job_id)
    return TalentStarted(_view(db, job_id, queue.now()), job_runs(db, job_id=job_id))


def sweep_talent_jobs(
    queue: JobQueue, *, now: dt.datetime, pack: str = talent.DEFAULT_PACK
) -> list[str]:
    """Start a job (one agency each) for every agency whose registry changed since its last
    run and that no active talent-map job maps already; return their codes."""
    db = queue.db
    busy = _busy_agencies(db)
    due = [(tenant, code) for tenant, code in talent.due_agencies(db) if tenant not in busy]
    if not due:
        return []
    try:
        published = screening.resolve(db, pack)
    except NotFound:
        log.warning("talent_sweep_no_pack", pack=pack)
        return []
    started = []
    for tenant_id, code in due:
        job_id = _create(
            db,
            targets=[(tenant_id, code)],
            pack_digest=published.digest,
            reference_date=now.date(),
            trigger="import",
            created_by=SYSTEM,
            actor_ref=None,
            tenant_id=tenant_id,
            now=now,
        )
        _dispatch(queue, job_id)
        started.append(code)
    return started


def _busy_agencies(db: Database) -> set[int]:
    """The agencies an active talent-map job will map."""
    with db.read() as session:
        plans = session.scalars(
            select(Job.plan).where(Job.kind == KIND_TALENT, Job.state.in_(ACTIVE))
        ).all()
    return {int(entry["tenant"]) for plan in plans for entry in plan}


def _create(
    db: Database,
    *,
    targets: Sequence[tuple[int, str]],
    pack_digest: str,
    reference_date: dt.date,
    trigger: str,
    created_by: str,
    actor_ref: str | None,
    tenant_id: int,
    now: dt.datetime,
) -> int:
    """Record a queued talent-map job (one shard per agency) and its ``job.started`` entry."""
    with db.transaction() as session:
        sizes: dict[int, int] = dict(
            session.execute(
                select(Employee.tenant_id, func.count())
                .where(Employee.tenant_id.in_([t for t, _ in targets]))
                .group_by(Employee.tenant_id)
            ).all()
        )
        plan: list[dict[str, Any]] = [
            {
                "tenant": agency_id,
                "agency": code,
                "pack": pack_digest,
                "reference_date": reference_date.isoformat(),
                "trigger": trigger,
                "by": created_by,
                "size": int(sizes.get(agency_id, 0)),
            }
            for agency_id, code in targets
        ]
        job = Job(
            kind=KIND_TALENT,
            tenant_id=tenant_id,
            vacancy_id=None,
            round=None,
            state=QUEUED,
            plan=plan,
            shards_total=len(plan),
            shards_done=0,
            candidates_total=sum(sizes.get(agency_id, 0) for agency_id, _ in targets),
            candidates_done=0,
            created_by=actor_ref,
            created_at=now,
        )
        session.add(job)
        session.flush()
        ledger.append(
            session,
            tenant_id=tenant_id,
            kind=ledger.LedgerKind.JOB_STARTED,
            actor=actor_ref,
            at=now,
            data={
                "job": job.id,
                "kind": KIND_TALENT,
                "agencies": [code for _, code in targets],
                "pack": pack_digest,
                "reference_date": reference_date.isoformat(),
                "trigger": trigger,
                "shards": job.shards_total,
                "employees": job.candidates_total,
            },
        )
        return job.id


def _dispatch(queue: JobQueue, job_id: int) -> None:
    with queue.db.read() as session:
        total = session.scalar(select(Job.shards_total).where(Job.id == job_id)) or 0
    queue.send_shards(job_id, total, task_name=TALENT_TASK)


def run_talent_shard(queue: JobQueue, *, job_id: int, shard: int, worker: str = "") -> None:
    """Map one agency of a talent-map job and store its run once; the last shard ends the job.

    A shard of a job that is over does nothing; a redelivered shard already stored is not
    mapped again (only the finishing check runs); a shard stored meanwhile by another worker
    rolls its own run back.
    """
    db = queue.db
    with db.read() as session:
        job = session.get(Job, job_id)
        if job is None or job.kind != KIND_TALENT or job.state not in ACTIVE:
            return
        if not 0 <= shard < len(job.plan):
            return
        stored = _stored(session, job_id, shard)
        entry = dict(job.plan[shard])
        ledger_actor = job.created_by
    mark_running(db, job_id, queue.now())
    if not stored:
        now = queue.now()
        try:
            pack = screening.load_published(db, digest=str(entry["pack"]))
            talent.map_agency(
                db,
                pack=pack,
                tenant_id=int(entry["tenant"]),
                reference_date=dt.date.fromisoformat(str(entry["reference_date"])),
                trigger=str(entry["trigger"]),
                created_by=str(entry["by"]),
                ledger_actor=ledger_actor,
                now=now,
                claim=lambda session, run: _claim(session, job_id, shard, run, worker, now),
            )
        except WorkflowError as exc:
            end_job(db, job_id, FAILED, queue.now(), error=f"{entry['agency']}: {exc.message}")
            return
    if recount(db, job_id):
        _finish(queue, job_id)


def _stored(session: Session, job_id: int, shard: int) -> bool:
    return bool(
        session.scalar(
            select(func.count())
            .select_from(JobShard)
            .where(JobShard.job_id == job_id, JobShard.shard == shard)
        )
    )


def _claim(
    session: Session,
    job_id: int,
    shard: int,
    run: talent.RunSummary,
    worker: str,
    now: dt.datetime,
) -> bool:
    """In the run's transaction: keep it only if the job still runs and the shard is not
    stored yet (the ``(job, shard)`` key decides between two workers)."""
    job = session.get(Job, job_id, with_for_update=True)
    if job is None or job.state not in ACTIVE:
        return False
    insert = pg_insert if session.get_bind().dialect.name == "postgresql" else sqlite_insert
    stored = session.execute(
        insert(JobShard)
        .values(
            job_id=job_id,
            shard=shard,
            candidates=run.employees,
            payload=json.dumps({"run": run.id}).encode(),
            worker=worker[:200] or None,
            created_at=now,
        )
        .on_conflict_do_nothing()
        .returning(JobShard.shard)
    ).first()
    return stored is not None


def _finish(queue: JobQueue, job_id: int) -> None:
    """End a job whose every shard is stored, once, under its row lock."""
    runs = job_runs(queue.db, job_id=job_id)
    now = queue.now()
    with queue.db.transaction() as session:
        job = session.get(Job, job_id, with_for_update=True)
        if job is None or job.state != RUNNING or len(runs) != job.shards_total:
            return
        job.applied = []
        job.result_digest = runs[0].result_digest if len(runs) == 1 else None
        record_end(session, job, SUCCEEDED, now)
    log.info("talent_job_finished", job=job_id, runs=[r.id for r in runs])


def job_runs(db: Database, *, job_id: int) -> list[talent.RunSummary]:
    """Return the runs a talent-map job stored, in shard order (unscoped: callers check)."""
    with db.read() as session:
        payloads = session.scalars(
            select(JobShard.payload).where(JobShard.job_id == job_id).order_by(JobShard.shard)
        ).all()
        ids = [int(json.loads(payload)["run"]) for payload in payloads]
    return talent.run_summaries(db, run_ids=ids)


def _view(db: Database, job_id: int, now: dt.datetime) -> JobView:
    with db.read() as session:
        job = session.get(Job, job_id)
        if job is None:
            raise NotFound(f"no job {job_id}")
        return view_of(job, now)


def is_talent_job(db: Database, job_id: int) -> bool:
    """Return whether the job exists and maps talent."""
    with db.read() as session:
        return session.scalar(select(Job.kind).where(Job.id == job_id)) == KIND_TALENT


@dataclass(frozen=True, slots=True)
class TalentJob:
    """A talent-map job as its readers see it: the job, its agencies and its stored runs."""

    job: JobView
    agencies: list[str]
    runs: list[talent.RunSummary]


def get_talent_job(db: Database, *, actor: Actor, job_id: int, now: dt.datetime) -> TalentJob:
    """Return a talent-map job to whoever may read the talent runs of every agency it maps.

    An actor without roles (the operator's command line) reads by agency scope alone.

    :raises NotFound: no such talent-map job visible to the actor.
    """
    with db.read() as session:
        job = session.get(Job, job_id)
        if job is None or job.kind != KIND_TALENT:
            raise NotFound(f"no job {job_id}")
        scope = readable(actor)
        tenants = [int(entry["tenant"]) for entry in job.plan]
        allowed = (not actor.roles or bool(actor.roles & talent.READERS)) and all(
            scope.allows(t) for t in tenants
        )
        if not allowed:
            raise NotFound(f"no job {job_id}")
        view = view_of(job, now)
        agencies = [str(entry["agency"]) for entry in job.plan]
    return TalentJob(view, agencies, job_runs(db, job_id=job_id))


def latest_talent_job(
    db: Database, *, actor: Actor, agency: str, now: dt.datetime
) -> TalentJob | None:
    """Return the newest talent-map job mapping ``agency`` that the actor may read, if any.

    A job of one agency is filed under it; a job of several is looked through (the newest 50).
    """
    with db.read() as session:
        tenant_id = session.scalar(select(Tenant.id).where(Tenant.code == agency))
        if tenant_id is None:
            return None
        rows = session.execute(
            select(Job.id, Job.plan)
            .where(
                Job.kind == KIND_TALENT,
                or_(Job.tenant_id == tenant_id, Job.shards_total > 1),
            )
            .order_by(Job.id.desc())
            .limit(50)
        ).all()
    for job_id, plan in rows:
        if any(int(entry["tenant"]) == tenant_id for entry in plan):
            try:
                return get_talent_job(db, actor=actor, job_id=job_id, now=now)
            except NotFound:
                return None
    return None


def cancel_talent_job(
    db: Database, *, actor: Actor, job_id: int, reason: str, now: dt.datetime
) -> JobView:
    """Stop a queued or running talent-map job: shards not stored yet store nothing.

    :raises NotFound: no such job visible to the actor.
    :raises Refused: the actor may not start talent-map runs.
    :raises Conflict: the job is already over.
    """
    found = get_talent_job(db, actor=actor, job_id=job_id, now=now)
    if not actor.roles & talent.RUNNERS:
        raise Refused(f"{actor.username} may not stop a talent-map run")
    stop(db, actor=actor, job=found.job, reason=reason, now=now)
    return _view(db, job_id, now)
