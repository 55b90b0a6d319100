"""A vacancy's screening as a job: planned into shards, screened by workers, finished once.

:func:`start_screening_job` takes the ``start_screening`` action, plans the shards, records the
job and sends one task per shard. Each :func:`run_shard` reads its own candidates, evaluates
them with the pinned pack and stores its result once (a unique ``(job, shard)`` row inserted
with ``ON CONFLICT DO NOTHING``, so a redelivered task stores nothing twice). The worker that
stores the last shard merges them all and finishes the screening under the job's row lock,
so the screening is stored and the vacancy moved exactly once, digest for digest the screening
a single process gives.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, replace
from typing import Any

import structlog
from sqlalchemy import LargeBinary, func, select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session

from workflow import ledger, screening, vacancies
from workflow.core import (
    Actor,
    Conflict,
    Database,
    NotFound,
    WorkflowError,
    system_actor,
)
from workflow.jobs.queue import JobQueue
from workflow.jobs.state import (
    ACTIVE,
    CANCELLED,
    FAILED,
    QUEUED,
    RUNNING,
    SUCCEEDED,
    JobView,
    end_job,
    job_view,
    mark_running,
    record_end,
    recount,
    view_of,
)
from workflow.models import Job, JobShard, Tenant, Vacancy

log = structlog.get_logger(__name__)

KIND_SCREENING = "screening"


@dataclass(frozen=True, slots=True)
class Started:
    """What starting a screening gives: the action's outcome, and the job screening it."""

    outcome: vacancies.Outcome
    job: JobView | None
    finished: bool
    """Whether the screening finished before the answer (eager mode, or a replay)."""


def start_screening_job(
    queue: JobQueue,
    *,
    actor: Actor,
    vacancy_id: int,
    expected_version: int,
    idempotency_key: str,
    now: dt.datetime,
) -> Started:
    """Start screening a submitted vacancy as a job; in eager mode it finishes before returning.

    :raises NotFound, PreconditionFailed, Conflict, Refused: as ``start_screening``.
    """
    db = queue.db
    started = vacancies.start_screening(
        db,
        actor=actor,
        vacancy_id=vacancy_id,
        expected_version=expected_version,
        idempotency_key=idempotency_key,
        now=now,
    )
    if started.replayed or started.vacancy["state"] != vacancies.State.SCREENING:
        # a retry: the answer first given, with the job as it is now
        job = latest_job(db, vacancy_id=vacancy_id, now=now)
        return Started(started, job, job is None or not job.active)
    job_id, created = ensure_job(queue, vacancy_id=vacancy_id, actor=actor, now=now)
    if created:
        dispatch(queue, job_id)
    job = job_view(db, job_id, now)
    if job.state == SUCCEEDED:
        vacancy = vacancies.get_vacancy(db, actor=actor, vacancy_id=vacancy_id)
        outcome = replace(started, vacancy=vacancy, applied=[*started.applied, *job.applied])
        return Started(outcome, job, True)
    return Started(started, job, False)


def ensure_job(
    queue: JobQueue, *, vacancy_id: int, actor: Actor | None, now: dt.datetime
) -> tuple[int, bool]:
    """Return the active job screening the vacancy's round, creating (not sending) it if none.

    :raises NotFound: no such vacancy.
    :raises Conflict: the vacancy is not being screened.
    """
    db = queue.db
    with db.transaction() as session:
        vacancy = session.get(Vacancy, vacancy_id, with_for_update=True)
        if vacancy is None:
            raise NotFound(f"no vacancy {vacancy_id}")
        if vacancy.state != vacancies.State.SCREENING:
            raise Conflict(f"vacancy {vacancy_id} is {vacancy.state}, not screening")
        existing = session.scalar(
            select(Job.id).where(
                Job.vacancy_id == vacancy_id,
                Job.round == vacancy.round,
                Job.state.in_(ACTIVE),
            )
        )
        if existing is not None:
            return existing, False
        plan = screening.plan_shards(
            session,
            tenant_ids=list(vacancy.candidate_tenant_ids),
            exclude_position_id=vacancy.position_id,
            size=queue.shard_size,
        )
        if queue.narrows(sum(s.size for s in plan)):  # large pools: every shard narrowed
            plan = [replace(s, narrow=True) for s in plan]
        job = Job(
            kind=KIND_SCREENING,
            tenant_id=vacancy.tenant_id,
            vacancy_id=vacancy.id,
            round=vacancy.round,
            state=QUEUED,
            plan=[s.to_json() for s in plan],
            shards_total=len(plan),
            shards_done=0,
            candidates_total=sum(s.size for s in plan),
            candidates_done=0,
            created_by=None if actor is None else ledger.actor_ref(actor),
            created_at=now,
        )
        session.add(job)
        session.flush()
        ledger.append(
            session,
            tenant_id=vacancy.tenant_id,
            kind=ledger.LedgerKind.JOB_STARTED,
            actor=job.created_by,
            at=now,
            data={
                "job": job.id,
                "kind": KIND_SCREENING,
                "vacancy": vacancy.id,
                "round": vacancy.round,
                "pack": vacancy.pack_digest,
                "shards": job.shards_total,
                "candidates": job.candidates_total,
            },
        )
        return job.id, True


def dispatch(queue: JobQueue, job_id: int) -> None:
    """Send a job's shards to the workers (a job without candidates finishes at once)."""
    with queue.db.read() as session:
        total = session.scalar(select(Job.shards_total).where(Job.id == job_id)) or 0
    if total == 0:
        mark_running(queue.db, job_id, queue.now())
        finish_job(queue, job_id=job_id)
        return
    queue.send_shards(job_id, total)


def run_shard(queue: JobQueue, *, job_id: int, shard: int, worker: str = "") -> None:
    """Screen one shard and store it once; the worker storing the last one finishes the job.

    A shard of a job that is over (finished, failed or cancelled) does nothing; a redelivered
    shard already stored is not evaluated again (only the finishing check runs).
    """
    db = queue.db
    with db.read() as session:
        job = session.get(Job, job_id)
        if job is None or job.state not in ACTIVE:
            return
        stored = session.scalar(
            select(func.count())
            .select_from(JobShard)
            .where(JobShard.job_id == job_id, JobShard.shard == shard)
        )
        plan = screening.Shard.from_json(job.plan[shard])
        vacancy = session.get(Vacancy, job.vacancy_id) if job.vacancy_id is not None else None
        if vacancy is None:
            return
        position_id, reference_date = vacancy.position_id, vacancy.reference_date
        tenant_ids = list(vacancy.candidate_tenant_ids)
        pack_digest, moved_on = (
            vacancy.pack_digest,
            (vacancy.state != vacancies.State.SCREENING or vacancy.round != job.round),
        )
    if moved_on:
        end_job(db, job_id, CANCELLED, queue.now(), error="the vacancy is no longer screening")
        return
    mark_running(db, job_id, queue.now())
    if not stored:
        try:
            pack = screening.load_published(db, digest=pack_digest)
            payload = screening.screen_shard(
                db,
                pack=pack,
                position_id=position_id,
                reference_date=reference_date,
                tenant_ids=tenant_ids,
                shard=plan,
            )
        except WorkflowError as exc:
            end_job(db, job_id, FAILED, queue.now(), error=exc.message)
            return
        if _store_shard(db, job_id, shard, payload, worker, queue.now()):
            finish_job(queue, job_id=job_id)
    elif recount(db, job_id):
        finish_job(queue, job_id=job_id)


def _store_shard(
    db: Database, job_id: int, shard: int, payload: bytes, worker: str, now: dt.datetime
) -> bool:
    """Store a shard's result (once) and the job's progress; return whether all are stored."""
    values = {
        "job_id": job_id,
        "shard": shard,
        "candidates": screening.shard_size(payload),
        "payload": payload,
        "worker": worker[:200] or None,
        "created_at": now,
    }
    insert = pg_insert if db.engine.dialect.name == "postgresql" else sqlite_insert
    with db.transaction() as session:
        session.execute(insert(JobShard).values(**values).on_conflict_do_nothing())
    return recount(db, job_id)


def finish_job(queue: JobQueue, *, job_id: int) -> None:
    """Merge a job's stored shards and finish the screening, once, under the job's row lock.

    Two workers may both see the last shard stored: each merges, but only the first to lock
    the job while it is still running stores the screening; the other finds it finished.
    """
    db = queue.db
    with db.read() as session:
        job = session.get(Job, job_id)
        if job is None or job.state != RUNNING or job.vacancy_id is None:
            return
        vacancy = session.get(Vacancy, job.vacancy_id)
        assert vacancy is not None  # a foreign key
        stored = session.scalar(
            select(func.count()).select_from(JobShard).where(JobShard.job_id == job_id)
        )
        if stored != job.shards_total:
            return
        vacancy_id, position_id, total = vacancy.id, vacancy.position_id, job.shards_total
        reference_date, pack_digest = vacancy.reference_date, vacancy.pack_digest
    try:
        pack = screening.load_published(db, digest=pack_digest)
        with db.read() as session:  # the stored shards, read a slice at a time
            outcome = screening.assemble_outcome(
                db,
                pack=pack,
                position_id=position_id,
                reference_date=reference_date,
                shards=[_StoredShard(session, job_id, shard) for shard in range(total)],
            )
    except WorkflowError as exc:
        end_job(db, job_id, FAILED, queue.now(), error=exc.message)
        return
    now = queue.now()
    with db.transaction() as session:
        job = session.get(Job, job_id, with_for_update=True)
        if job is None or job.state != RUNNING:
            return  # another worker finished it, or it was cancelled meanwhile
        try:
            finished = vacancies.finish_screening_in(
                session, vacancy_id=vacancy_id, outcome=outcome, now=now
            )
        except Conflict as exc:
            record_end(session, job, CANCELLED, now, error=exc.message)
            return
        job.applied = list(finished.applied)
        job.result_digest = outcome.result_digest
        record_end(session, job, SUCCEEDED, now)
    log.info("job_finished", job=job_id, vacancy=vacancy_id, result_digest=outcome.result_digest)


@dataclass(frozen=True, slots=True)
class _StoredShard:
    """A stored shard read from its row a slice at a time (``substr`` of the payload), so the
    worker assembling a job never holds the shards' results, only one slice of each."""

    session: Session
    job_id: int
    shard: int

    def read(self, offset: int, size: int) -> bytes:
        data = self.session.scalar(
            select(func.substr(JobShard.payload, offset + 1, size, type_=LargeBinary)).where(
                JobShard.job_id == self.job_id, JobShard.shard == self.shard
            )
        )
        return bytes(data or b"")


def latest_job(db: Database, *, vacancy_id: int, now: dt.datetime) -> JobView | None:
    """Return the newest job of a vacancy (unscoped: callers have read the vacancy)."""
    with db.read() as session:
        job = session.scalar(
            select(Job).where(Job.vacancy_id == vacancy_id).order_by(Job.id.desc()).limit(1)
        )
        return None if job is None else view_of(job, now)


def get_job(db: Database, *, actor: Actor, job_id: int, now: dt.datetime) -> JobView:
    """Return a job the actor may see (whoever may read its vacancy).

    :raises NotFound: no such job, or its vacancy is not one the actor may read.
    """
    with db.read() as session:
        vacancy_id = session.scalar(select(Job.vacancy_id).where(Job.id == job_id))
    if vacancy_id is None:
        raise NotFound(f"no job {job_id}")
    try:
        vacancies.get_vacancy(db, actor=actor, vacancy_id=vacancy_id)
    except NotFound:
        raise NotFound(f"no job {job_id}") from None
    return job_view(db, job_id, now)


def cancel_job(
    db: Database, *, actor: Actor, job_id: int, reason: str, now: dt.datetime
) -> JobView:
    """Cancel a queued or running screening: the vacancy is cancelled, as the workflow allows.

    The workflow's only way out of ``screening`` by a user is ``cancel`` (HR or the authority),
    so cancelling the job is that action with the caller's reason; shards still queued then
    find the job over and do nothing.

    :raises NotFound: no such job visible to the actor.
    :raises Conflict: the job is already over.
    :raises Refused: the actor may not cancel the vacancy (recorded).
    """
    job = get_job(db, actor=actor, job_id=job_id, now=now)
    if not job.active or job.vacancy_id is None:
        raise Conflict(f"job {job_id} is {job.state}; only a queued or running one can be stopped")
    vacancy = vacancies.get_vacancy(db, actor=actor, vacancy_id=job.vacancy_id)
    vacancies.cancel(
        db,
        actor=actor,
        vacancy_id=job.vacancy_id,
        expected_version=int(vacancy["version"]),
        idempotency_key=f"job:{job_id}:cancel",
        reason=reason,
        now=now,
    )
    with db.transaction() as session:
        row = session.get(Job, job_id, with_for_update=True)
        if row is not None and row.state in ACTIVE:
            record_end(
                session, row, CANCELLED, now, error="cancelled", actor=ledger.actor_ref(actor)
            )
    return job_view(db, job_id, now)


def pending_jobs(queue: JobQueue, *, now: dt.datetime, stale_after: dt.timedelta) -> list[int]:
    """Enqueue screenings of submitted vacancies, and of stuck ones; return the vacancies.

    The scheduler's sweep: every ``submitted`` vacancy is started by the system (as a job), and
    a vacancy in ``screening`` without an active job for longer than ``stale_after`` gets one.
    Queued or running jobs are the workers' (a broker redelivers a dead worker's shard).
    """
    db = queue.db
    with db.read() as session:
        waiting = session.execute(
            select(Vacancy.id, Vacancy.version, Vacancy.tenant_id)
            .where(Vacancy.state == vacancies.State.SUBMITTED)
            .order_by(Vacancy.id)
        ).all()
        active = select(Job.vacancy_id).where(Job.state.in_(ACTIVE), Job.vacancy_id.is_not(None))
        stuck = session.scalars(
            select(Vacancy.id)
            .where(
                Vacancy.state == vacancies.State.SCREENING,
                Vacancy.state_entered_at <= now - stale_after,
                Vacancy.id.not_in(active),
            )
            .order_by(Vacancy.id)
        ).all()
    done: list[int] = []
    for vacancy_id, version, tenant_id in waiting:
        try:
            start_screening_job(
                queue,
                actor=_system(db, tenant_id),
                vacancy_id=vacancy_id,
                expected_version=version,
                idempotency_key=f"system:screen:{vacancy_id}:{version}",
                now=now,
            )
        except WorkflowError as exc:
            log.warning("screening_skipped", vacancy_id=vacancy_id, reason=exc.message)
            continue
        done.append(vacancy_id)
    for vacancy_id in stuck:
        try:
            job_id, created = ensure_job(queue, vacancy_id=vacancy_id, actor=None, now=now)
        except WorkflowError as exc:
            log.warning("screening_skipped", vacancy_id=vacancy_id, reason=exc.message)
            continue
        if created:
            dispatch(queue, job_id)
        done.append(vacancy_id)
    return done


def _system(db: Database, tenant_id: int) -> Actor:
    with db.read() as session:
        tenant = session.get(Tenant, tenant_id)
        assert tenant is not None  # a foreign key
        return system_actor(tenant.id, tenant.code, tenant.level)


def take_action(
    queue: JobQueue,
    *,
    actor: Actor,
    vacancy_id: int,
    action: str,
    expected_version: int,
    idempotency_key: str,
    payload: dict[str, Any],
    on_behalf_of: str | None,
    now: dt.datetime,
) -> Started:
    """Take a workflow action; ``start_screening`` screens as a job (finished when eager).

    :raises InvalidInput: as :func:`workflow.vacancies.take_action`.
    :raises NotFound, PreconditionFailed, Conflict, Refused, GuardFailed, IdempotencyMismatch:
        as :func:`workflow.vacancies.perform`.
    """
    if action != vacancies.ActionName.START_SCREENING:
        outcome = vacancies.take_action(
            queue.db,
            actor=actor,
            vacancy_id=vacancy_id,
            action=action,
            expected_version=expected_version,
            idempotency_key=idempotency_key,
            payload=payload,
            on_behalf_of=on_behalf_of,
            now=now,
        )
        return Started(outcome, None, True)
    vacancies.refuse_screening_payload(payload, on_behalf_of)
    return start_screening_job(
        queue,
        actor=actor,
        vacancy_id=vacancy_id,
        expected_version=expected_version,
        idempotency_key=idempotency_key,
        now=now,
    )
