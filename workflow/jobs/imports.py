"""A registry upload as a job: the files go into the database, a worker imports them once.

:func:`start_import_job` (the API and the import page) stores the uploaded files in
``job_file`` rows, so that a worker on any host reads them, records a ``registry_import`` job
of one shard and sends its task. :func:`run_import` runs the upload's import (the same
all-or-nothing :func:`workflow.registry.upload_for_agency`: the uploader's own agency only,
row-level problems naming file, row and field) and, in the import's **one transaction**, stores
the outcome in the job's ``job_shard`` row, ends the job ``succeeded``, deletes the files and
writes ``job.finished``. A rejected import ends the job ``failed`` with the same report, its
problems included, and writes nothing else. The row's key ``(job, 0)`` and the job's row lock
make a redelivered task (or a second worker) import nothing twice.

Who sees and stops the job: whoever may import into its agency (HR of that agency).
"""

from __future__ import annotations

import datetime as dt
import gzip
import io
import json
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import IO, Any

import structlog
from sqlalchemy import delete, func, select, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session

from workflow import ledger, registry
from workflow.core import Actor, Database, NotFound, Refused, WorkflowError, readable
from workflow.jobs.queue import IMPORT_TASK, JobQueue
from workflow.jobs.state import (
    ACTIVE,
    FAILED,
    QUEUED,
    SUCCEEDED,
    JobView,
    mark_running,
    record_end,
    stop,
    view_of,
)
from workflow.models import Job, JobFile, JobShard, Role, Tenant

log = structlog.get_logger(__name__)

KIND_IMPORT = "registry_import"
IMPORTERS = frozenset({Role.HR.value})
"""Who may upload an agency's records (and so see and stop its import jobs)."""
PIECE = 4 * 1024 * 1024
"""An uploaded file is stored in pieces of this many bytes (``job_file`` rows)."""
PROGRESS_EVERY_SECONDS = 1.0
"""How often a running import writes how many bytes it has read into its job row."""


@dataclass(frozen=True, slots=True)
class ImportJob:
    """A registry-import job as its readers see it: the job, its agency and files, and the
    import's report once it ended (``report.ok``: written; otherwise its problems)."""

    job: JobView
    agency: str
    files: list[dict[str, Any]]
    report: registry.ImportReport | None

    @property
    def finished(self) -> bool:
        """Whether the job ended (in eager mode: before the answer)."""
        return not self.job.active


def start_import_job(
    queue: JobQueue,
    *,
    actor: Actor,
    files: Sequence[registry.ImportFile],
    now: dt.datetime,
) -> ImportJob:
    """Store the uploaded ``files`` and queue their import into the actor's own agency.

    In eager mode the import runs before this returns (the answer carries its report).

    :raises Refused: the actor may not upload registry records.
    """
    if not actor.roles & IMPORTERS:
        raise Refused(f"{actor.username} may not upload registry records")
    return _start(
        queue,
        tenant_id=actor.tenant_id,
        agency=actor.tenant_code,
        actor_ref=ledger.actor_ref(actor),
        files=files,
        now=now,
    )


def start_operator_import_job(
    queue: JobQueue, *, files: Sequence[registry.ImportFile], now: dt.datetime
) -> ImportJob:
    """Queue the command line's import (``flask registry import --queue``): records of any
    agency, by the system, filed under the national (root) agency; only the operator's
    command line sees it (``flask jobs show``).

    :raises NotFound: the registry has no agency yet to file the job under.
    """
    with queue.db.read() as session:
        root = session.scalar(
            select(Tenant.id).where(Tenant.parent_id.is_(None)).order_by(Tenant.id).limit(1)
        )
    if root is None:
        raise NotFound("no agency in the registry yet: import the first one without --queue")
    return _start(queue, tenant_id=root, agency=None, actor_ref=None, files=files, now=now)


def _start(
    queue: JobQueue,
    *,
    tenant_id: int,
    agency: str | None,
    actor_ref: str | None,
    files: Sequence[registry.ImportFile],
    now: dt.datetime,
) -> ImportJob:
    """Record the job with its files (in pieces) and ``job.started``, then send its task.

    ``agency`` None: the operator's import of any agency's records (no own-agency rule).
    """
    db = queue.db
    with db.transaction() as session:
        job = Job(
            kind=KIND_IMPORT,
            tenant_id=tenant_id,
            vacancy_id=None,
            round=None,
            state=QUEUED,
            plan=[],
            shards_total=1,
            shards_done=0,
            candidates_total=0,
            candidates_done=0,
            created_by=actor_ref,
            created_at=now,
        )
        session.add(job)
        session.flush()
        job_id = job.id
        listed: list[dict[str, Any]] = []
        for position, file in enumerate(files):
            listed.append(_store_file(session, job_id, position, file))
        total = sum(f["bytes"] for f in listed)
        job = session.get_one(Job, job_id)
        job.plan = [{"tenant": tenant_id, "agency": agency, "by": actor_ref, "files": listed}]
        job.candidates_total = total
        ledger.append(
            session,
            tenant_id=tenant_id,
            kind=ledger.LedgerKind.JOB_STARTED,
            actor=actor_ref,
            at=now,
            data={
                "job": job_id,
                "kind": KIND_IMPORT,
                "agency": agency,
                "files": listed,
                "bytes": total,
            },
        )
    queue.send_shards(job_id, 1, task_name=IMPORT_TASK)
    return _import_job(db, job_id, queue.now())


def _store_file(
    session: Session, job_id: int, position: int, file: registry.ImportFile
) -> dict[str, Any]:
    """Copy one file into ``job_file`` rows, a piece at a time; return its name and size."""
    name = file.name[:255]
    size = 0
    with file.opener() as stream:
        piece = 0
        while True:
            content = stream.read(PIECE)
            if content or piece == 0:  # an empty file is one empty piece
                session.add(
                    JobFile(
                        job_id=job_id, position=position, piece=piece, name=name, content=content
                    )
                )
                session.flush()
                session.expunge_all()  # the bytes are written: do not keep them
                size += len(content)
                piece += 1
            if not content:
                break
    return {"name": name, "bytes": size}


def run_import(queue: JobQueue, *, job_id: int, shard: int = 0, worker: str = "") -> None:
    """Import a queued upload's files, once; the job ends with the import's outcome.

    A task of a job that is over (finished, cancelled, or imported by another delivery) does
    nothing.
    """
    db = queue.db
    with db.read() as session:
        job = session.get(Job, job_id)
        if job is None or job.kind != KIND_IMPORT or job.state not in ACTIVE or shard != 0:
            return
        entry = dict(job.plan[0])
        listed = [(i, str(f["name"]), int(f["bytes"])) for i, f in enumerate(entry["files"])]
    mark_running(db, job_id, queue.now())
    if queue.import_validator is None:
        _fail(db, job_id, queue.now(), "this worker has no registry row validator configured")
        return
    files = [
        registry.ImportFile(name=name, opener=_stored_file(db, job_id, position), size=size)
        for position, name, size in listed
    ]
    now = queue.now()

    def claim(session: Session, report: registry.ImportReport) -> bool:
        return _claim(session, job_id, report, SUCCEEDED, worker, queue.now())

    try:
        if entry.get("agency") is None:  # the operator's: any agency's records
            registry.import_registry(
                db,
                files=files,
                validator=queue.import_validator(),
                now=now,
                progress=_Progress(db, job_id),
                actor=None,
                claim=claim,
            )
        else:
            registry.upload_for_agency(
                db,
                tenant_id=int(entry["tenant"]),
                tenant_code=str(entry["agency"]),
                actor_ref=entry.get("by"),
                files=files,
                validator=queue.import_validator(),
                now=now,
                progress=_Progress(db, job_id),
                claim=claim,
            )
    except registry.ImportRejected as rejected:
        with db.transaction() as session:
            claimed = _claim(session, job_id, rejected.report, FAILED, worker, queue.now())
        if claimed:
            log.info("import_job_rejected", job=job_id, problems=rejected.report.problems_total)
        return
    except registry.ImportNotClaimed:
        log.info("import_job_not_claimed", job=job_id)
        return
    except WorkflowError as exc:
        _fail(db, job_id, queue.now(), exc.message)
        return
    except Exception:
        # the import's transaction rolled back: end the job (and drop its files) rather than
        # leave it running with nobody to finish it, then let the task fail loudly
        log.exception("import_job_crashed", job=job_id)
        try:
            _fail(db, job_id, queue.now(), "the import stopped on an error; nothing was written")
        except Exception:
            log.exception("import_job_not_ended", job=job_id)
        raise
    log.info("import_job_finished", job=job_id)


def _stored_file(db: Database, job_id: int, position: int) -> Callable[[], IO[bytes]]:
    def open_file() -> IO[bytes]:
        return io.BufferedReader(_Pieces(db, job_id, position), buffer_size=64 * 1024)

    return open_file


class _Pieces(io.RawIOBase):
    """A stored file read piece by piece: one piece in memory at a time."""

    def __init__(self, db: Database, job_id: int, position: int) -> None:
        super().__init__()
        self._db = db
        self._job_id = job_id
        self._position = position
        self._next = 0
        self._buffer = memoryview(b"")
        self._done = False

    def readable(self) -> bool:
        """Return True: this stream is for reading."""
        return True

    def readinto(self, buffer: Any) -> int:
        """Fill ``buffer`` from the current piece, fetching the next one when it is used up."""
        while not self._buffer and not self._done:
            with self._db.read() as session:
                content = session.scalar(
                    select(JobFile.content).where(
                        JobFile.job_id == self._job_id,
                        JobFile.position == self._position,
                        JobFile.piece == self._next,
                    )
                )
            if content is None:
                self._done = True
            else:
                self._buffer = memoryview(content)
                self._next += 1
        view = memoryview(buffer).cast("B")
        size = min(len(view), len(self._buffer))
        view[:size] = self._buffer[:size]
        self._buffer = self._buffer[size:]
        return size


class _Progress:
    """The import's ``progress(phase, done, total)``: bytes read, into the job row now and
    then (only while reading: the writing holds the import's transaction)."""

    def __init__(self, db: Database, job_id: int) -> None:
        self._db = db
        self._job_id = job_id
        self._last = 0.0

    def __call__(self, phase: str, done: int, total: int) -> None:
        """Record ``done`` bytes read, at most every :data:`PROGRESS_EVERY_SECONDS`."""
        if phase != "read" or time.monotonic() - self._last < PROGRESS_EVERY_SECONDS:
            return
        self._last = time.monotonic()
        with self._db.transaction() as session:
            session.execute(
                update(Job)
                .where(Job.id == self._job_id, Job.state.in_(ACTIVE))
                .values(candidates_done=min(done, total))
            )


def _claim(
    session: Session,
    job_id: int,
    report: registry.ImportReport,
    state: str,
    worker: str,
    now: dt.datetime,
) -> bool:
    """In the caller's transaction: if the job is still active and its outcome not stored yet,
    store the report, end the job in ``state``, delete its files; return whether it did."""
    job = session.get(Job, job_id, with_for_update=True)
    if job is None or job.state not in ACTIVE:
        return False
    insert = pg_insert if session.get_bind().dialect.name == "postgresql" else sqlite_insert
    stored = session.execute(
        insert(JobShard)
        .values(
            job_id=job_id,
            shard=0,
            candidates=report.total_rows_read,
            payload=gzip.compress(json.dumps(report.as_dict()).encode(), mtime=0),
            worker=worker[:200] or None,
            created_at=now,
        )
        .on_conflict_do_nothing()
        .returning(JobShard.shard)
    ).first()
    if stored is None:
        return False
    job.shards_done = 1
    job.candidates_done = job.candidates_total
    job.applied = []
    session.execute(delete(JobFile).where(JobFile.job_id == job_id))
    error = None
    if state != SUCCEEDED:
        error = (
            f"import rejected: {report.problems_total} problem(s) in {report.rejected_rows} "
            "row(s); nothing was written"
        )
    record_end(session, job, state, now, error=error)
    return True


def _fail(db: Database, job_id: int, now: dt.datetime, error: str) -> None:
    with db.transaction() as session:
        job = session.get(Job, job_id, with_for_update=True)
        if job is not None and job.state in ACTIVE:
            session.execute(delete(JobFile).where(JobFile.job_id == job_id))
            record_end(session, job, FAILED, now, error=error)


def import_report(db: Database, *, job_id: int) -> registry.ImportReport | None:
    """Return the report an import job stored when it ended, or None (unscoped: callers check)."""
    with db.read() as session:
        payload = session.scalar(
            select(JobShard.payload).where(JobShard.job_id == job_id, JobShard.shard == 0)
        )
    if payload is None:
        return None
    return registry.ImportReport.from_dict(json.loads(gzip.decompress(payload)))


def is_import_job(db: Database, job_id: int) -> bool:
    """Return whether the job exists and imports registry files."""
    with db.read() as session:
        return session.scalar(select(Job.kind).where(Job.id == job_id)) == KIND_IMPORT


def _import_job(db: Database, job_id: int, now: dt.datetime) -> ImportJob:
    with db.read() as session:
        job = session.get(Job, job_id)
        if job is None or job.kind != KIND_IMPORT:
            raise NotFound(f"no job {job_id}")
        view = view_of(job, now)
        entry = dict(job.plan[0]) if job.plan else {}
    return ImportJob(
        view,
        str(entry.get("agency") or ""),
        list(entry.get("files", [])),
        import_report(db, job_id=job_id),
    )


def get_import_job(db: Database, *, actor: Actor, job_id: int, now: dt.datetime) -> ImportJob:
    """Return a registry-import job to whoever may import into its agency (HR of it).

    An actor without roles (the operator's command line) reads by agency scope alone; the
    operator's own imports (any agency's records) are the operator's only.

    :raises NotFound: no such import job visible to the actor.
    """
    with db.read() as session:
        found = session.execute(
            select(Job.tenant_id, Job.plan).where(Job.id == job_id, Job.kind == KIND_IMPORT)
        ).first()
    if found is None:
        raise NotFound(f"no job {job_id}")
    tenant_id, plan = found
    operators = bool(plan) and plan[0].get("agency") is None
    if actor.roles:
        allowed = not operators and bool(actor.roles & IMPORTERS) and actor.tenant_id == tenant_id
    else:
        allowed = readable(actor).allows(tenant_id)
    if not allowed:
        raise NotFound(f"no job {job_id}")
    return _import_job(db, job_id, now)


def cancel_import_job(
    db: Database, *, actor: Actor, job_id: int, reason: str, now: dt.datetime
) -> JobView:
    """Stop a queued or running import: nothing is written and its files are deleted.

    :raises NotFound: no such job visible to the actor.
    :raises Refused: the actor may not upload (the operator's command line reads only).
    :raises Conflict: the job is already over.
    """
    found = get_import_job(db, actor=actor, job_id=job_id, now=now)
    if not actor.roles & IMPORTERS:
        raise Refused(f"{actor.username} may not stop a registry import")
    stop(
        db,
        actor=actor,
        job=found.job,
        reason=reason,
        now=now,
        also=lambda session: session.execute(delete(JobFile).where(JobFile.job_id == job_id)),
    )
    return _import_job(db, job_id, now).job


def stored_files(db: Database, *, job_id: int) -> int:
    """Return how many pieces of uploaded files a job still keeps (none once it ended)."""
    with db.read() as session:
        return int(
            session.scalar(
                select(func.count()).select_from(JobFile).where(JobFile.job_id == job_id)
            )
            or 0
        )
