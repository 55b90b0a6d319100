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
from sqlalchemy import LargeBinary, func, select, update
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
from workflow.models import Job, JobShard, Tenant, Vacancy

log = structlog.get_logger(__name__)

QUEUED, RUNNING, SUCCEEDED, FAILED, CANCELLED = (
    "queued",
    "running",
    "succeeded",
    "failed",
    "cancelled",
)
ACTIVE = (QUEUED, RUNNING)
KIND_SCREENING = "screening"


@dataclass(frozen=True, slots=True)
class JobView:
    """A job as the API and the pages show it."""

    id: int
    kind: str
    vacancy_id: int | None
    round: int | None
    state: str
    shards_done: int
    shards_total: int
    candidates_done: int
    candidates_total: int
    result_digest: str | None
    applied: list[str]
    error: str | None
    created_at: dt.datetime
    started_at: dt.datetime | None
    finished_at: dt.datetime | None
    candidates_per_second: float | None
    seconds_left: float | None

    @property
    def active(self) -> bool:
        """Return whether the job is still queued or running."""
        return self.state in ACTIVE

    def as_json(self) -> dict[str, Any]:
        """Return the job as JSON data."""
        return {
            "id": self.id,
            "kind": self.kind,
            "vacancy": self.vacancy_id,
            "round": self.round,
            "state": self.state,
            "shards": {"done": self.shards_done, "total": self.shards_total},
            "candidates": {"done": self.candidates_done, "total": self.candidates_total},
            "candidates_per_second": self.candidates_per_second,
            "seconds_left": self.seconds_left,
            "result_digest": self.result_digest,
            "applied": self.applied,
            "error": self.error,
            "created_at": self.created_at,
            "started_at": self.started_at,
            "finished_at": self.finished_at,
        }


def view_of(job: Job, now: dt.datetime) -> JobView:
    """Return the view of a job row, with its rate and estimated time left measured at ``now``."""
    rate: float | None = None
    left: float | None = None
    if job.started_at is not None and job.candidates_done:
        elapsed = ((job.finished_at or now) - job.started_at).total_seconds()
        if elapsed > 0:
            rate = round(job.candidates_done / elapsed, 1)
            if job.state in ACTIVE:
                left = round((job.candidates_total - job.candidates_done) / rate, 1)
    if job.state not in ACTIVE:
        left = 0.0 if job.state == SUCCEEDED else None
    return JobView(
        id=job.id,
        kind=job.kind,
        vacancy_id=job.vacancy_id,
        round=job.round,
        state=job.state,
        shards_done=job.shards_done,
        shards_total=job.shards_total,
        candidates_done=job.candidates_done,
        candidates_total=job.candidates_total,
        result_digest=job.result_digest,
        applied=list(job.applied or []),
        error=job.error,
        created_at=job.created_at,
        started_at=job.started_at,
        finished_at=job.finished_at,
        candidates_per_second=rate,
        seconds_left=left,
    )


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
    job = _job_view(db, job_id, now)
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
        _mark_running(queue.db, job_id, queue.now())
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
        _end(db, job_id, CANCELLED, queue.now(), error="the vacancy is no longer screening")
        return
    _mark_running(db, job_id, queue.now())
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
            _end(db, job_id, FAILED, queue.now(), error=exc.message)
            return
        if _store_shard(db, job_id, shard, payload, worker, queue.now()):
            finish_job(queue, job_id=job_id)
    elif _progress(db, job_id):
        finish_job(queue, job_id=job_id)


def _mark_running(db: Database, job_id: int, now: dt.datetime) -> None:
    with db.transaction() as session:
        session.execute(
            update(Job)
            .where(Job.id == job_id, Job.state == QUEUED)
            .values(state=RUNNING, started_at=now)
        )


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
    return _progress(db, job_id)


def _progress(db: Database, job_id: int) -> bool:
    """Update a job's shard and candidate counts from its stored shards; return if all are."""
    with db.transaction() as session:
        done, candidates = session.execute(
            select(func.count(), func.coalesce(func.sum(JobShard.candidates), 0)).where(
                JobShard.job_id == job_id
            )
        ).one()
        session.execute(
            update(Job).where(Job.id == job_id).values(shards_done=done, candidates_done=candidates)
        )
        total = session.scalar(select(Job.shards_total).where(Job.id == job_id))
    return bool(done == total)


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
        _end(db, job_id, FAILED, queue.now(), error=exc.message)
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
            _record_end(session, job, CANCELLED, now, error=exc.message)
            return
        job.applied = list(finished.applied)
        job.result_digest = outcome.result_digest
        _record_end(session, job, SUCCEEDED, now)
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


def _end(db: Database, job_id: int, state: str, now: dt.datetime, *, error: str) -> None:
    with db.transaction() as session:
        job = session.get(Job, job_id, with_for_update=True)
        if job is not None and job.state in ACTIVE:
            _record_end(session, job, state, now, error=error)


def _record_end(
    session: Session,
    job: Job,
    state: str,
    now: dt.datetime,
    *,
    error: str | None = None,
    actor: str | None = None,
) -> None:
    """End a job (in the caller's transaction) and write its outcome into the ledger."""
    job.state, job.finished_at, job.error = state, now, error
    data: dict[str, Any] = {
        "job": job.id,
        "kind": job.kind,
        "vacancy": job.vacancy_id,
        "round": job.round,
        "state": state,
        "shards": job.shards_done,
        "candidates": job.candidates_done,
    }
    if job.result_digest is not None:
        data["result_digest"] = job.result_digest
    if error is not None:
        data["error"] = error[:500]
    ledger.append(
        session,
        tenant_id=job.tenant_id,
        kind=ledger.LedgerKind.JOB_FINISHED,
        actor=actor,
        at=now,
        data=data,
    )


def _job_view(db: Database, job_id: int, now: dt.datetime) -> JobView:
    with db.read() as session:
        job = session.get(Job, job_id)
        if job is None:
            raise NotFound(f"no job {job_id}")
        return view_of(job, now)


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
    return _job_view(db, job_id, now)


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
            _record_end(
                session, row, CANCELLED, now, error="cancelled", actor=ledger.actor_ref(actor)
            )
    return _job_view(db, job_id, now)


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


@dataclass(frozen=True, slots=True)
class JobStats:
    """Counts for the metrics endpoint, read from the job tables (workers keep no state)."""

    by_state: dict[str, int]
    shards_waiting: int
    """Shards of queued or running jobs not stored yet (the work still in the queue)."""
    shards_stored: int
    finished: int
    """Jobs that ended (succeeded, failed or cancelled) after starting."""
    seconds_total: float
    """Their total duration, started to finished."""


def job_stats(db: Database) -> JobStats:
    """Return the job counts the metrics show."""
    with db.read() as session:
        by_state: dict[str, int] = {
            state: int(count)
            for state, count in session.execute(select(Job.state, func.count()).group_by(Job.state))
        }
        waiting = session.scalar(
            select(func.coalesce(func.sum(Job.shards_total - Job.shards_done), 0)).where(
                Job.state.in_(ACTIVE)
            )
        )
        stored = session.scalar(select(func.count()).select_from(JobShard))
        ended = session.execute(
            select(Job.started_at, Job.finished_at).where(
                Job.started_at.is_not(None), Job.finished_at.is_not(None)
            )
        ).all()
    seconds = sum(
        (end - start).total_seconds()
        for start, end in ended
        if start is not None and end is not None
    )
    return JobStats(
        by_state={
            state: by_state.get(state, 0) for state in (*ACTIVE, SUCCEEDED, FAILED, CANCELLED)
        },
        shards_waiting=int(waiting or 0),
        shards_stored=int(stored or 0),
        finished=len(ended),
        seconds_total=seconds,
    )
