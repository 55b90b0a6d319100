"""Verifying and exporting the ledger as jobs: one shard per chain (agency), each stored once.

:func:`start_ledger_job` (the API and the auditor's verify page) works out the chains the caller
may read, records a ``ledger_verify`` or ``ledger_export`` job whose plan has one shard per
chain, and sends one task per shard. Each :func:`run_ledger_shard` verifies (or exports) its
chain up to the chain's head as read at the shard's start — the job's own ``job.*`` entries go
into the ledger it reads, and an entry appended meanwhile is not part of the shard — and stores
the result with the shard's ``job_shard`` row: a verification's per-chain report as JSON, an
export's chain as gzip JSON Lines. The row's key ``(job, shard)`` makes a redelivered task (or
a second worker racing it) store nothing. The worker storing the last shard ends the job
``succeeded`` (a broken chain is a result, not a failure: the report names its first broken
link). ``GET /api/v1/jobs/{id}/export`` streams the shards' gzip members in chain order: one
gzip stream whose text is ``flask audit export``'s for those chains.
"""

from __future__ import annotations

import datetime as dt
import gzip
import hashlib
import io
import json
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import structlog
from sqlalchemy import func, select, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from workflow import ledger
from workflow.core import (
    Actor,
    Conflict,
    Database,
    InvalidInput,
    NotFound,
    Refused,
    WorkflowError,
    readable,
)
from workflow.jobs.queue import LEDGER_TASK, JobQueue
from workflow.jobs.state import (
    ACTIVE,
    FAILED,
    QUEUED,
    RUNNING,
    SUCCEEDED,
    JobView,
    end_job,
    mark_running,
    stop,
    view_of,
)
from workflow.models import ChainHead, Job, JobShard, Role

log = structlog.get_logger(__name__)

KIND_VERIFY = "ledger_verify"
KIND_EXPORT = "ledger_export"
KINDS = (KIND_VERIFY, KIND_EXPORT)
READERS = frozenset({Role.AUDITOR, Role.NATIONAL_REVIEWER})
"""Who verifies and exports the ledger (as ``GET /api/v1/ledger/verify``): auditors and BKN."""


@dataclass(frozen=True, slots=True)
class ChainResult:
    """What one shard stored about its chain."""

    tenant: str
    upto: int
    """The chain's head seq read at the shard's start: the shard covers entries 1..upto."""
    entries: int
    """Entries that verified (verify) or lines exported (export)."""
    report: ledger.TenantReport | None
    """The chain's verification (verify only), as the verify page shows it."""
    size: int | None
    """The chain's gzip export in bytes (export only)."""

    def as_json(self) -> dict[str, Any]:
        """Return the result as JSON data."""
        body: dict[str, Any] = {"tenant": self.tenant, "upto": self.upto, "entries": self.entries}
        if self.report is not None:
            first = self.report.first_break
            body.update(
                ok=self.report.ok,
                head=self.report.head,
                checkpoints=self.report.checkpoints,
                first_break=None if first is None else _finding_json(first),
                findings=[_finding_json(f) for f in self.report.findings],
            )
        if self.size is not None:
            body["bytes"] = self.size
        return body


@dataclass(frozen=True, slots=True)
class LedgerJob:
    """A ledger job as its readers see it: the job, its chains and the results stored so far."""

    job: JobView
    agencies: list[str]
    chains: list[ChainResult]
    problems: tuple[ledger.Finding, ...]
    """Problems with the published checkpoint keys (verify; the same for every chain)."""

    @property
    def report(self) -> ledger.VerifyReport | None:
        """The verification of every chain once all are stored (verify only), else None."""
        reports = [c.report for c in self.chains if c.report is not None]
        if self.job.kind != KIND_VERIFY or len(reports) != self.job.shards_total:
            return None
        return ledger.VerifyReport(tenants=tuple(reports), problems=self.problems)

    def as_json(self) -> dict[str, Any]:
        """The job's view with its agencies and per-chain results (the API's job body)."""
        body = self.job.as_json()
        body["agencies"] = self.agencies
        body["chains"] = [c.as_json() for c in self.chains]
        if self.job.kind == KIND_VERIFY:
            report = self.report
            body["ok"] = None if report is None else report.ok
            body["problems"] = [_finding_json(f) for f in self.problems]
        return body


def _finding_json(finding: ledger.Finding) -> dict[str, Any]:
    return {
        "seq": finding.seq,
        "reason": finding.reason,
        "checkpoint": finding.checkpoint.name if finding.checkpoint else None,
    }


def _finding(data: dict[str, Any], tenant: str) -> ledger.Finding:
    checkpoint = data.get("checkpoint")
    return ledger.Finding(
        tenant, data.get("seq"), str(data["reason"]), Path(checkpoint) if checkpoint else None
    )


def is_ledger_job(db: Database, job_id: int) -> bool:
    """Return whether the job exists and verifies or exports the ledger."""
    with db.read() as session:
        return session.scalar(select(Job.kind).where(Job.id == job_id)) in KINDS


def start_ledger_job(
    queue: JobQueue, *, actor: Actor, kind: str, tenant_code: str | None, now: dt.datetime
) -> LedgerJob:
    """Start verifying or exporting the chains the actor may read (or one agency's) as a job.

    In eager mode the job finishes before this returns. The job is filed under the one agency
    it covers, or the actor's own: its ``job.*`` entries go into that chain.

    :raises InvalidInput: ``kind`` is neither ``ledger_verify`` nor ``ledger_export``.
    :raises Refused: the actor is neither an auditor nor BKN's reviewer.
    :raises NotFound: ``tenant_code`` is no agency the actor may read.
    """
    if kind not in KINDS:
        raise InvalidInput(f"no ledger job kind {kind!r}", [{"field": "kind", "message": kind}])
    if not actor.roles & READERS:
        raise Refused(f"{actor.username} may not verify or export the ledger")
    db = queue.db
    own = actor.tenant_id if tenant_code is None and actor.is_national else None
    targets = ledger.readable_chains(db, actor=actor, tenant_code=tenant_code, include=own)
    tenant_id = targets[0][0] if len(targets) == 1 else actor.tenant_id
    actor_ref = ledger.actor_ref(actor)
    with db.transaction() as session:
        job = Job(
            kind=kind,
            tenant_id=tenant_id,
            vacancy_id=None,
            round=None,
            state=QUEUED,
            plan=[{"tenant": t, "agency": code} for t, code in targets],
            shards_total=len(targets),
            shards_done=0,
            candidates_total=0,
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
                "kind": kind,
                "agencies": [code for _, code in targets],
                "shards": job.shards_total,
            },
        )
        # the entries the job will cover, its own job.started included (read after the append)
        job.candidates_total = int(
            session.scalar(
                select(func.coalesce(func.sum(ChainHead.seq), 0)).where(
                    ChainHead.tenant_id.in_([t for t, _ in targets])
                )
            )
            or 0
        )
        job_id = job.id
    queue.send_shards(job_id, len(targets), task_name=LEDGER_TASK)
    return get_ledger_job(db, actor=actor, job_id=job_id, now=queue.now())


def run_ledger_shard(queue: JobQueue, *, job_id: int, shard: int, worker: str = "") -> None:
    """Verify or export one chain of a ledger job and store the result once; the last shard
    stored ends the job.

    A shard of a job that is over does nothing; a redelivered shard already stored is not
    computed again (only the finishing check runs); a result computed while another worker
    stored the same shard, or after the job was stopped, is dropped.
    """
    db = queue.db
    with db.read() as session:
        job = session.get(Job, job_id)
        if job is None or job.kind not in KINDS or job.state not in ACTIVE:
            return
        if not 0 <= shard < len(job.plan):
            return
        kind = job.kind
        code = str(job.plan[shard]["agency"])
        stored = _stored(session, job_id, shard)
    mark_running(db, job_id, queue.now())
    if not stored:
        try:
            entries, payload = (
                _verify(queue, code) if kind == KIND_VERIFY else _export(queue.db, code)
            )
        except WorkflowError as exc:
            end_job(db, job_id, FAILED, queue.now(), error=f"{code}: {exc.message}")
            return
        _store(db, job_id, shard, entries, payload, worker, queue.now())
    if _recount(db, job_id):
        _finish(queue, job_id)


def _verify(queue: JobQueue, code: str) -> tuple[int, bytes]:
    store = ledger.CheckpointStore(queue.checkpoint_dir) if queue.checkpoint_dir else None
    report, upto = ledger.verify_chain(queue.db, tenant_code=code, checkpoints=store)
    (chain,) = report.tenants
    result = ChainResult(code, upto, chain.entries, chain, None).as_json()
    result["problems"] = [_finding_json(f) for f in report.problems]
    return upto, json.dumps(result, separators=(",", ":")).encode("utf-8")


def _export(db: Database, code: str) -> tuple[int, bytes]:
    buffer = io.BytesIO()
    with gzip.GzipFile(fileobj=buffer, mode="wb", mtime=0) as out:
        count, _upto_seq = ledger.export_chain(db, out, tenant_code=code)
    return count, buffer.getvalue()


def _stored(session: Any, job_id: int, shard: int) -> bool:
    return bool(
        session.scalar(
            select(func.count())
            .select_from(JobShard)
            .where(JobShard.job_id == job_id, JobShard.shard == shard)
        )
    )


def _store(
    db: Database,
    job_id: int,
    shard: int,
    entries: int,
    payload: bytes,
    worker: str,
    now: dt.datetime,
) -> bool:
    """Store a shard's result if the job still runs and the shard is not stored yet."""
    insert = pg_insert if db.engine.dialect.name == "postgresql" else sqlite_insert
    with db.transaction() as session:
        job = session.get(Job, job_id, with_for_update=True)
        if job is None or job.state not in ACTIVE:
            return False
        stored = session.execute(
            insert(JobShard)
            .values(
                job_id=job_id,
                shard=shard,
                candidates=entries,
                payload=payload,
                worker=worker[:200] or None,
                created_at=now,
            )
            .on_conflict_do_nothing()
            .returning(JobShard.shard)
        ).first()
    return stored is not None


def _recount(db: Database, job_id: int) -> bool:
    """Recount a job's shards and entries from its stored shards; return whether all are.

    A chain may have grown between planning and its shard's start (the job's own entries), so
    the total grows with what the shards covered."""
    with db.transaction() as session:
        done, entries = session.execute(
            select(func.count(), func.coalesce(func.sum(JobShard.candidates), 0)).where(
                JobShard.job_id == job_id
            )
        ).one()
        session.execute(
            update(Job)
            .where(Job.id == job_id)
            .values(
                shards_done=done,
                candidates_done=entries,
                candidates_total=func.max(Job.candidates_total, entries)
                if db.is_sqlite
                else func.greatest(Job.candidates_total, entries),
            )
        )
        total = session.scalar(select(Job.shards_total).where(Job.id == job_id))
    return bool(done == total)


def _finish(queue: JobQueue, job_id: int) -> None:
    """End a job whose every shard is stored, once, under its row lock; its ``job.finished``
    entry says whether every chain verified (verify) or the export's SHA-256 (export)."""
    db = queue.db
    with db.read() as session:
        kind = session.scalar(select(Job.kind).where(Job.id == job_id))
    summary: dict[str, Any] = {}
    digest: str | None = None
    if kind == KIND_EXPORT:
        hasher = hashlib.sha256()
        for chunk in _decompressed(_payloads(db, job_id)):
            hasher.update(chunk)
        digest = hasher.hexdigest()
    else:
        results = [json.loads(p) for p in _payloads(db, job_id)]
        broken = [r["tenant"] for r in results if not r["ok"]]
        summary = {"ok": not broken and not any(r["problems"] for r in results), "broken": broken}
    now = queue.now()
    with db.transaction() as session:
        job = session.get(Job, job_id, with_for_update=True)
        if job is None or job.state != RUNNING or job.shards_done != job.shards_total:
            return
        job.applied = []
        job.result_digest = digest
        job.state, job.finished_at, job.error = SUCCEEDED, now, None
        data: dict[str, Any] = {
            "job": job.id,
            "kind": job.kind,
            "state": SUCCEEDED,
            "shards": job.shards_done,
            "entries": job.candidates_done,
            **summary,
        }
        if digest is not None:
            data["export_sha256"] = digest
        ledger.append(
            session,
            tenant_id=job.tenant_id,
            kind=ledger.LedgerKind.JOB_FINISHED,
            actor=None,
            at=now,
            data=data,
        )
    log.info("ledger_job_finished", job=job_id, kind=kind)


def _payloads(db: Database, job_id: int) -> Iterator[bytes]:
    """Yield the stored shards' payloads in shard order, one read each (one held at a time)."""
    with db.read() as session:
        shards = list(
            session.scalars(
                select(JobShard.shard).where(JobShard.job_id == job_id).order_by(JobShard.shard)
            )
        )
    for shard in shards:
        with db.read() as session:
            payload = session.scalar(
                select(JobShard.payload).where(JobShard.job_id == job_id, JobShard.shard == shard)
            )
        if payload is not None:
            yield bytes(payload)


def _decompressed(members: Iterator[bytes]) -> Iterator[bytes]:
    for member in members:
        with gzip.GzipFile(fileobj=io.BytesIO(member), mode="rb") as reader:
            while chunk := reader.read(64 * 1024):
                yield chunk


def get_ledger_job(db: Database, *, actor: Actor, job_id: int, now: dt.datetime) -> LedgerJob:
    """Return a ledger job to whoever may read every chain it covers (auditors and BKN).

    An actor without roles (the operator's command line) reads by agency scope alone.

    :raises NotFound: no such ledger job visible to the actor.
    """
    with db.read() as session:
        job = session.get(Job, job_id)
        if job is None or job.kind not in KINDS:
            raise NotFound(f"no job {job_id}")
        scope = readable(actor)
        allowed = (not actor.roles or bool(actor.roles & READERS)) and all(
            scope.allows(int(entry["tenant"])) for entry in job.plan
        )
        if not allowed:
            raise NotFound(f"no job {job_id}")
        view = view_of(job, now)
        agencies = [str(entry["agency"]) for entry in job.plan]
        rows = session.execute(
            select(JobShard.shard, JobShard.candidates, func.length(JobShard.payload))
            .where(JobShard.job_id == job_id)
            .order_by(JobShard.shard)
        ).all()
        verify_payloads = (
            dict(
                session.execute(
                    select(JobShard.shard, JobShard.payload).where(JobShard.job_id == job_id)
                ).all()
            )
            if job.kind == KIND_VERIFY
            else {}
        )
    chains: list[ChainResult] = []
    problems: tuple[ledger.Finding, ...] = ()
    for shard, entries, size in rows:
        code = agencies[shard]
        if job.kind == KIND_VERIFY:
            data = json.loads(verify_payloads[shard])
            findings = tuple(_finding(f, code) for f in data["findings"])
            report = ledger.TenantReport(
                tenant=code,
                entries=int(data["entries"]),
                head=str(data["head"]),
                checkpoints=int(data["checkpoints"]),
                findings=findings,
            )
            problems = problems or tuple(_finding(f, "(keys)") for f in data["problems"])
            chains.append(ChainResult(code, int(data["upto"]), report.entries, report, None))
        else:
            chains.append(ChainResult(code, int(entries), int(entries), None, int(size or 0)))
    return LedgerJob(view, agencies, chains, problems)


def export_stream(db: Database, *, actor: Actor, job_id: int) -> Iterator[bytes]:
    """Return a succeeded export job's result: the chains' gzip members in chain order (one
    gzip stream; its text is ``flask audit export``'s for those chains at the shards' heads).

    Checked now; the shards are then read one at a time as the stream is consumed.

    :raises NotFound: no such export job visible to the actor.
    :raises Conflict: the job has not succeeded (still running, failed or stopped).
    """
    found = get_ledger_job(db, actor=actor, job_id=job_id, now=dt.datetime.now(dt.UTC))
    if found.job.kind != KIND_EXPORT:
        raise NotFound(f"job {job_id} exports nothing")
    if found.job.state != SUCCEEDED:
        raise Conflict(f"job {job_id} is {found.job.state}; its export is there once it succeeds")
    return _payloads(db, job_id)


def cancel_ledger_job(
    db: Database, *, actor: Actor, job_id: int, reason: str, now: dt.datetime
) -> JobView:
    """Stop a queued or running ledger job: shards not stored yet store nothing.

    :raises NotFound: no such job visible to the actor.
    :raises Refused: the actor may not verify or export the ledger.
    :raises Conflict: the job is already over.
    """
    found = get_ledger_job(db, actor=actor, job_id=job_id, now=now)
    if not actor.roles & READERS:
        raise Refused(f"{actor.username} may not stop a ledger job")
    stop(db, actor=actor, job=found.job, reason=reason, now=now)
    return get_ledger_job(db, actor=actor, job_id=job_id, now=now).job
