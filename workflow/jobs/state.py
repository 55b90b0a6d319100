"""A job's state, whatever its kind: the states, the view the API and pages show, progress
counted from the stored shards, and ending a job with its ``job.finished`` ledger entry.

Every kind (screening, talent map, registry import, ledger verification and export) moves
through the same states and stores its shards' results in ``job_shard`` rows; these are the
steps they share.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from workflow import ledger
from workflow.core import Actor, Conflict, Database, NotFound
from workflow.models import Job, JobShard

QUEUED, RUNNING, SUCCEEDED, FAILED, CANCELLED = (
    "queued",
    "running",
    "succeeded",
    "failed",
    "cancelled",
)
ACTIVE = (QUEUED, RUNNING)


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


def mark_running(db: Database, job_id: int, now: dt.datetime) -> None:
    """Mark a queued job running (its first shard has started)."""
    with db.transaction() as session:
        session.execute(
            update(Job)
            .where(Job.id == job_id, Job.state == QUEUED)
            .values(state=RUNNING, started_at=now)
        )


def recount(db: Database, job_id: int) -> bool:
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


def end_job(db: Database, job_id: int, state: str, now: dt.datetime, *, error: str) -> None:
    """End a job that is still active, with ``error`` (in its own transaction)."""
    with db.transaction() as session:
        job = session.get(Job, job_id, with_for_update=True)
        if job is not None and job.state in ACTIVE:
            record_end(session, job, state, now, error=error)


def record_end(
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


def stop(
    db: Database,
    *,
    actor: Actor,
    job: JobView,
    reason: str,
    now: dt.datetime,
    also: Callable[[Session], object] | None = None,
) -> None:
    """Cancel an active job as ``actor`` (who the caller has checked may), with ``reason``;
    ``also`` runs in the same transaction (an import deletes its files). Shards not stored yet
    then find the job over and store nothing.

    :raises Conflict: the job is already over.
    """
    if not job.active:
        raise Conflict(f"job {job.id} is {job.state}; only a queued or running one can be stopped")
    with db.transaction() as session:
        row = session.get(Job, job.id, with_for_update=True)
        if row is not None and row.state in ACTIVE:
            if also is not None:
                also(session)
            record_end(
                session,
                row,
                CANCELLED,
                now,
                error=f"cancelled: {reason}"[:500],
                actor=ledger.actor_ref(actor),
            )


def job_view(db: Database, job_id: int, now: dt.datetime) -> JobView:
    """Return a job's view (unscoped: callers have checked the reader).

    :raises NotFound: no such job.
    """
    with db.read() as session:
        job = session.get(Job, job_id)
        if job is None:
            raise NotFound(f"no job {job_id}")
        return view_of(job, now)


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
