"""The registry import use case: CSV sets and JSON profiles in, one transaction, a report out.

Nothing is written unless every row of every file passes, and no file is ever held whole. The
import runs in three passes, one module each:

1. :mod:`.read`: stream every file (:mod:`.formats`), shape each row with the injected validator,
   apply a row's own rules (:mod:`.row_rules`), keep tenants and positions in memory and spool
   employee and child rows to disk partitions by NIP (:mod:`.spool`);
2. :mod:`.check`: the rules across rows, one partition at a time;
3. :mod:`.write`: in ONE transaction, upsert tenants and positions, then per partition insert,
   or update and replace the child rows of, new and changed employees (by ``record_digest``,
   :mod:`.digest`) with bulk statements (:mod:`.store`). When pass 1 was clean, 2 and 3 run
   together and the first cross-row problem stops the writing and rolls everything back.

What an import reports (problems, counts, files) is in :mod:`.report`.
"""

from __future__ import annotations

import datetime as dt
import tempfile
import time
from collections.abc import Callable, Sequence
from pathlib import Path

import structlog
from sqlalchemy import select
from sqlalchemy.orm import Session

from workflow import ledger
from workflow.core import Database
from workflow.models import Tenant
from workflow.registry.importing import store
from workflow.registry.importing.check import Catalog, check_groups, group_rows
from workflow.registry.importing.formats import ImportFile
from workflow.registry.importing.read import ReaderFactory, RowValidator, plan_files, read_files
from workflow.registry.importing.report import (
    MAX_PROBLEMS,
    Counts,
    ImportRejected,
    ImportReport,
    Problems,
    Progress,
)
from workflow.registry.importing.spool import collector_paused
from workflow.registry.importing.write import Writer

log = structlog.get_logger(__name__)


def import_registry(
    db: Database,
    *,
    files: Sequence[ImportFile],
    validator: RowValidator,
    now: dt.datetime,
    today: dt.date | None = None,
    progress: Progress | None = None,
    max_problems: int = MAX_PROBLEMS,
    workers: int = 1,
    work_dir: Path | None = None,
    actor: str | None = None,
    claim: Callable[[Session, ImportReport], bool] | None = None,
) -> ImportReport:
    """Import a CSV set and/or JSON profiles into the registry in one transaction.

    The import is recorded (file digests and counts, no personal data) in the ledger of every
    top-level agency, in the same transaction; ``actor`` is ``user:<id>`` of the user who ran
    it, or None (the system: a command line, the demo seed).

    Tenants upsert by code, positions by tenant and code, employees by NIP; an employee whose
    ``record_digest`` is unchanged is not touched, a changed one has its row updated and its
    child rows replaced. Dates after ``today`` (default: ``now``'s date) are refused.
    With ``workers`` > 1 the employee files are read and validated in that many forked
    processes (the validator must survive ``fork``); the writing stays in this process.

    ``claim(session, report)``, if given, is called in the import's transaction before it
    commits (a job records its outcome there); when it returns False everything is rolled back
    and :class:`ImportNotClaimed` is raised.

    :raises ImportRejected: any row or file had a problem; the report lists them and nothing
        was written.
    :raises ImportNotClaimed: ``claim`` refused the import; nothing was written.
    """
    started = time.perf_counter()
    with db.read() as session:
        conn = session.connection()
        catalog = Catalog(store.load_tenants(conn), store.load_positions(conn))
    problems = Problems(max_problems)
    plan = plan_files(files, problems)
    log.info("registry_import_started", files=len(files), workers=workers)
    with tempfile.TemporaryDirectory(prefix="meritflow-import-", dir=work_dir) as scratch:
        # 1. read
        new_reader = ReaderFactory(validator, today or now.date(), catalog, max_problems)
        reading = read_files(plan, Path(scratch), new_reader, progress=progress, workers=workers)
        for result in reading.results:
            problems.absorb(result.problems)

        def report(
            counts: tuple[Counts, Counts, Counts] | None = None, written: int = 0
        ) -> ImportReport:
            return reading.report(problems, counts, written, started=started, now=now)

        # 2. check: after problems in pass 1, only to find the rest of them
        if problems.total:
            with collector_paused():
                for rows in reading.partitions():
                    check_groups(group_rows(rows), reading.names, problems, catalog)
            raise _rejected(report())
        # 2 and 3. check and write, partition by partition; the first cross-row problem stops
        # the writing, and raising inside the transaction rolls all of it back.
        with db.transaction() as session, collector_paused():
            writer = Writer(session.connection(), catalog, now, progress, reading.employees)
            tenants = writer.write_tenants()
            positions = writer.write_positions()
            for rows in reading.partitions():
                groups = group_rows(rows)
                check_groups(groups, reading.names, problems, catalog)
                if not problems.total:
                    writer.write_employees(groups)
            if problems.total:
                raise _rejected(report())
            done = report((tenants, positions, writer.employees), writer.rows_written)
            _record(session, done, actor=actor, now=now)
            if claim is not None and not claim(session, done):
                raise ImportNotClaimed("the import was not claimed; nothing was written")
    log.info(
        "registry_import_committed",
        seconds=round(done.seconds, 2),
        rows_read=done.total_rows_read,
        rows_written=done.rows_written,
        employees=done.employees.as_dict(),
    )
    return done


class ImportNotClaimed(Exception):
    """The import's ``claim`` refused it (its job is over, or stored by another worker)."""


def _record(session: Session, report: ImportReport, *, actor: str | None, now: dt.datetime) -> None:
    """Append the import to the ledger of each top-level agency (ascending id: no deadlocks)."""
    roots = session.scalars(
        select(Tenant.id).where(Tenant.parent_id.is_(None)).order_by(Tenant.id)
    ).all()
    data = {
        "files": [
            {"name": f.name, "sha256": f.sha256, "rows": f.rows}
            for f in report.files
            if f.sha256 is not None
        ],
        "tenants": report.tenants.as_dict(),
        "positions": report.positions.as_dict(),
        "employees": report.employees.as_dict(),
        "rows_written": report.rows_written,
    }
    for tenant_id in roots:
        ledger.append(
            session,
            tenant_id=tenant_id,
            kind=ledger.LedgerKind.REGISTRY_IMPORT,
            actor=actor,
            data=data,
            at=now,
        )


def _rejected(report: ImportReport) -> ImportRejected:
    log.warning(
        "registry_import_rejected",
        problems=report.problems_total,
        rejected_rows=report.rejected_rows,
    )
    return ImportRejected(report)
