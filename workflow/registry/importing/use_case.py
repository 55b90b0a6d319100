"""The registry import use case: CSV sets and JSON profiles in, one transaction, a report out.

Nothing is written unless every row of every file passes; no file is ever held whole:

1. *read*: stream every file, shape each row with the injected validator (marshmallow in the API
   layer), apply the domain rules of :mod:`workflow.registry.importing.row_rules`, hash each
   child row, and spool the accepted employee rows to partitions by NIP
   (:mod:`workflow.registry.importing.spool`).
   Tenants and positions (reference data) are kept in memory. The employee files may be read by
   forked worker processes meanwhile;
2. *check*: per partition, what only shows across rows: the same NIP twice, a child row without
   its employee, a year rated twice, a score without its assessment, two current positions, and
   unknown tenants or positions;
3. *write*, in ONE transaction: upsert tenants and positions, then per partition compare each
   employee's ``record_digest`` with the stored one and insert, or update and replace the child
   rows of, new and changed employees only. When pass 1 was clean, 2 and 3 run together and the
   first cross-row problem stops the writing and rolls everything back.
"""

from __future__ import annotations

import datetime as dt
import io
import multiprocessing
import operator
import tempfile
import time
import traceback
from collections import Counter
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from multiprocessing.connection import Connection as Connection_
from multiprocessing.connection import wait
from multiprocessing.process import BaseProcess
from pathlib import Path
from typing import IO, Any, Final, Literal, Protocol, cast, get_args

import structlog
from sqlalchemy import Connection, Table, select
from sqlalchemy.orm import Session

from rules.vocab import TenantLevel
from workflow import ledger
from workflow.core import Database, InvalidInput
from workflow.models import Tenant
from workflow.registry.importing import store
from workflow.registry.importing.digest import combine, profile_digest, row_hash
from workflow.registry.importing.formats import (
    FileUnreadable,
    ImportFile,
    Meter,
    RawRow,
    ReadProblem,
    read_csv,
    read_json_array,
    read_json_lines,
)
from workflow.registry.importing.row_rules import check_row
from workflow.registry.importing.spool import (
    RejectedAssessment,
    RejectedEmployee,
    RejectedRow,
    Spool,
    SpooledRow,
    SpooledValues,
    collector_paused,
    partition_count,
    read_partitions,
)
from workflow.registry.nip import format_problem
from workflow.registry.records import (
    BY_FILE_NAME,
    COMPANIONS,
    PARENT_OF,
    READ_ORDER,
    SPECS,
    AssessmentRow,
    AssessmentScoreRow,
    ChildRow,
    EducationRow,
    EmployeeRow,
    PenaltyRow,
    PerformanceRow,
    PositionCompetencyRow,
    PositionHistoryRow,
    PositionRow,
    RecordType,
    Row,
    TenantRow,
    TrainingRow,
)

log = structlog.get_logger(__name__)

MAX_PROBLEMS: Final = 1000
"""Problems listed in a report; the rest are counted."""
DEFAULTS: Final[Mapping[RecordType, Mapping[str, Any]]] = {
    RecordType.POSITION: {"is_key": False},
    RecordType.EMPLOYEE: {"disciplinary_case_pending": False},
}
"""Values an empty optional cell stands for (so "" and "false" give the same digest)."""

Progress = Callable[[str, int, int], None]
"""``progress(phase, done, total)``: phase ``read`` counts bytes, ``write`` counts employees."""

_PROGRESS_EVERY: Final = 4096
_REFERENCE_TYPES: Final = (
    RecordType.TENANT,
    RecordType.POSITION,
    RecordType.POSITION_COMPETENCY,
)
"""Read first, in this process: every other file refers to them."""
_TENANT_DEPTH: Final = {
    TenantLevel.NATIONAL: 0,
    TenantLevel.PROVINCE: 1,
    TenantLevel.REGENCY: 2,
    TenantLevel.CITY: 2,
}


class RowRejected(Exception):
    """The row validator refused a row; ``errors`` maps each field to its messages."""

    def __init__(self, errors: Mapping[str, Sequence[str]]) -> None:
        super().__init__("; ".join(f"{k}: {', '.join(v)}" for k, v in errors.items()))
        self.errors = {name: list(messages) for name, messages in errors.items()}


class RowValidator(Protocol):
    """Shapes one raw row (text or JSON scalars) into typed values, or raises RowRejected.

    The returned dict holds the record type's columns (:data:`~workflow.registry.records.SPECS`)
    as ``str``, ``int``, ``bool``, ``datetime.date``, ``decimal.Decimal``, ``list[str]`` or None.
    """

    def __call__(self, record_type: RecordType, row: Mapping[str, Any], /) -> dict[str, Any]:
        """Return the typed row.

        :raises RowRejected: a value has the wrong shape, a required one is missing, or a field
            is unknown.
        """
        ...


@dataclass(frozen=True, slots=True)
class ImportProblem:
    """One specific problem: where it is (file, row, field) and what rule it breaks."""

    file: str
    row: int | None
    field: str | None
    message: str

    def __str__(self) -> str:
        where = self.file if self.row is None else f"{self.file}:{self.row}"
        return f"{where} {self.field}: {self.message}" if self.field else f"{where}: {self.message}"

    def as_dict(self) -> dict[str, Any]:
        """Return the problem as a JSON-ready dict."""
        return {"file": self.file, "row": self.row, "field": self.field, "message": self.message}


@dataclass(frozen=True, slots=True)
class Counts:
    """How many records of one kind an import created, changed and left unchanged."""

    created: int = 0
    changed: int = 0
    unchanged: int = 0

    def as_dict(self) -> dict[str, int]:
        """Return the counts as a dict."""
        return {"created": self.created, "changed": self.changed, "unchanged": self.unchanged}


@dataclass(frozen=True, slots=True)
class FileReport:
    """One input file: its name, format, size, SHA-256 and how many rows it held."""

    name: str
    format: Literal["csv", "jsonl", "json"] | None
    record_type: str | None
    """The CSV file's record type; ``profiles`` for JSON; None for a file that was not read."""
    sha256: str | None
    bytes: int
    rows: int

    def as_dict(self) -> dict[str, Any]:
        """Return the file report as a dict."""
        return {
            "name": self.name,
            "format": self.format,
            "record_type": self.record_type,
            "sha256": self.sha256,
            "bytes": self.bytes,
            "rows": self.rows,
        }


@dataclass(frozen=True, slots=True)
class ImportReport:
    """What an import read, wrote and rejected; self-contained, for the CLI, API and ledger."""

    files: tuple[FileReport, ...]
    tenants: Counts
    positions: Counts
    employees: Counts
    rows_read: Mapping[str, int]
    """Data rows read per record type (a JSON profile counts one employee row and its children)."""
    rows_written: int
    rejected_rows: int
    """Rows (CSV) or profiles (JSON) with at least one problem."""
    problems: tuple[ImportProblem, ...]
    problems_total: int
    seconds: float
    started_at: dt.datetime

    @property
    def ok(self) -> bool:
        """Return whether the import was accepted (and written)."""
        return self.problems_total == 0

    @property
    def problems_not_listed(self) -> int:
        """Return how many problems were counted but left out of :attr:`problems`."""
        return self.problems_total - len(self.problems)

    @property
    def total_rows_read(self) -> int:
        """Return the number of data rows read across all files."""
        return sum(self.rows_read.values())

    def as_dict(self) -> dict[str, Any]:
        """Return the report as a JSON-ready dict."""
        return {
            "ok": self.ok,
            "started_at": self.started_at.isoformat(),
            "seconds": round(self.seconds, 3),
            "files": [file.as_dict() for file in self.files],
            "tenants": self.tenants.as_dict(),
            "positions": self.positions.as_dict(),
            "employees": self.employees.as_dict(),
            "rows_read": dict(self.rows_read),
            "rows_written": self.rows_written,
            "rejected_rows": self.rejected_rows,
            "problems": [problem.as_dict() for problem in self.problems],
            "problems_total": self.problems_total,
        }


class ImportRejected(InvalidInput):
    """An import had problems, so nothing was written; ``report`` says which and where."""

    def __init__(self, report: ImportReport) -> None:
        rows = report.rejected_rows
        super().__init__(
            f"import rejected: {report.problems_total} problem(s) in {rows} row(s); "
            "nothing was written",
            [problem.as_dict() for problem in report.problems],
        )
        self.details.update(
            problems_total=report.problems_total,
            rejected_rows=rows,
            files=[file.as_dict() for file in report.files],
        )
        self.report = report


def collect_files(paths: Sequence[Path]) -> list[ImportFile]:
    """Return the import files at ``paths``: files as given, directories by their (visible) files.

    :raises InvalidInput: a path does not exist.
    """
    missing = [path for path in paths if not path.exists()]
    if missing:
        raise InvalidInput(
            "no such file or directory",
            [
                {"file": str(path), "row": None, "field": None, "message": "not found"}
                for path in missing
            ],
        )
    files: list[ImportFile] = []
    for path in paths:
        if path.is_dir():
            entries = sorted(
                entry
                for entry in path.iterdir()
                if entry.is_file() and not entry.name.startswith(".")
            )
        else:
            entries = [path]
        files.extend(ImportFile.from_path(entry) for entry in entries)
    return files


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
) -> ImportReport:
    """Import a CSV set and/or JSON profiles into the registry in one transaction.

    The import is recorded (file digests and counts, no personal data) in the ledger of every
    top-level agency, in the same transaction; ``actor`` names who ran it.

    Tenants upsert by code, positions by tenant and code, employees by NIP; an employee whose
    ``record_digest`` is unchanged is not touched, a changed one has its row updated and its
    child rows replaced. Dates after ``today`` (default: ``now``'s date) are refused.
    With ``workers`` > 1 the employee files are read and validated in that many forked
    processes (the validator must survive ``fork``); the writing stays in this process.

    :raises ImportRejected: any row or file had a problem; the report lists them and nothing
        was written.
    """
    started = time.perf_counter()
    with db.read() as session:
        catalog = _Catalog(
            store.load_tenants(session.connection()), store.load_positions(session.connection())
        )
    problems = _Problems(max_problems)
    plan = _plan(files, problems)
    log.info("registry_import_started", files=len(files), workers=workers)
    with tempfile.TemporaryDirectory(prefix="meritflow-import-", dir=work_dir) as scratch:
        reading = _read_files(
            plan,
            Path(scratch),
            _ReaderFactory(validator, today or now.date(), catalog, max_problems),
            progress=progress,
            workers=workers,
        )
        for result in reading.results:
            problems.absorb(result)

        def report(
            counts: tuple[Counts, Counts, Counts] | None = None, written: int = 0
        ) -> ImportReport:
            return reading.report(problems, counts, written, started=started, now=now)

        if problems.total:
            with collector_paused():
                for rows in reading.partitions():
                    _check_groups(_group(rows), reading.names, problems, catalog)
            raise _rejected(report())
        # Cross-row checks run partition by partition as the rows are written; the first
        # problem stops the writing, and raising inside the transaction rolls all of it back.
        with db.transaction() as session, collector_paused():
            writer = _Writer(session.connection(), catalog, now, progress, reading.employees)
            tenants = writer.write_tenants()
            positions = writer.write_positions()
            for rows in reading.partitions():
                groups = _group(rows)
                _check_groups(groups, reading.names, problems, catalog)
                if not problems.total:
                    writer.write_employees(groups)
            if problems.total:
                raise _rejected(report())
            done = report((tenants, positions, writer.employees), writer.rows_written)
            _record(session, done, actor=actor, now=now)
    log.info(
        "registry_import_committed",
        seconds=round(done.seconds, 2),
        rows_read=done.total_rows_read,
        rows_written=done.rows_written,
        employees=done.employees.as_dict(),
    )
    return done


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


@dataclass(frozen=True, slots=True)
class _ReaderFactory:
    """Makes the readers of one import (this process's and the workers'), one spool each."""

    validator: RowValidator
    today: dt.date
    catalog: _Catalog
    max_problems: int

    def __call__(
        self, directory: Path, partitions: int, progress: Progress | None, total_bytes: int
    ) -> _Reader:
        directory.mkdir()
        return _Reader(
            self.validator,
            self.today,
            self.catalog,
            Spool(directory, partitions),
            self.max_problems,
            progress,
            total_bytes,
        )


@dataclass(frozen=True, slots=True)
class _Reading:
    """What pass 1 left behind: every reader's findings and the spool partitions to go through."""

    plan: Sequence[_Planned]
    results: list[_ReadResult]
    partition_count: int

    @property
    def names(self) -> list[str]:
        """Return the file names, indexed by a spooled row's file position."""
        return [item.file.name for item in self.plan]

    @property
    def employees(self) -> int:
        """Return how many employee rows were spooled."""
        return sum(result.employees for result in self.results)

    def partitions(self) -> Iterator[list[SpooledRow[SpooledValues]]]:
        """Yield each partition's rows from every reader's spool."""
        directories = [result.directory for result in self.results]
        return read_partitions(directories, self.partition_count)

    def report(
        self,
        problems: _Problems,
        counts: tuple[Counts, Counts, Counts] | None,
        written: int,
        *,
        started: float,
        now: dt.datetime,
    ) -> ImportReport:
        """Return the import's report (all counts zero when nothing was written)."""
        tenants, positions, employees = counts or (Counts(), Counts(), Counts())
        files = sorted((item for r in self.results for item in r.file_reports), key=lambda f: f[0])
        rows: Counter[RecordType] = Counter()
        for result in self.results:
            rows.update(result.rows_by_type)
        return ImportReport(
            files=tuple(file for _, file in files) + tuple(problems.unread_files),
            tenants=tenants,
            positions=positions,
            employees=employees,
            rows_read={str(kind): rows[kind] for kind in RecordType if rows[kind]},
            rows_written=written,
            rejected_rows=problems.rejected_rows,
            problems=problems.listed(),
            problems_total=problems.total,
            seconds=time.perf_counter() - started,
            started_at=now,
        )


def _read_files(
    plan: Sequence[_Planned],
    scratch: Path,
    new_reader: _ReaderFactory,
    *,
    progress: Progress | None,
    workers: int,
) -> _Reading:
    """Pass 1: read every planned file, in worker processes where that pays off."""
    total_bytes = sum(item.file.size or 0 for item in plan)
    known = all(item.file.size is not None for item in plan)
    partitions = partition_count(total_bytes if known else None)

    def reader(name: str, report: Progress | None) -> _Reader:
        return new_reader(scratch / name, partitions, report, total_bytes)

    reference = [item for item in plan if item.record_type in _REFERENCE_TYPES]
    people = [item for item in plan if item.record_type not in _REFERENCE_TYPES]
    # Employee files never look at tenants or positions while they are read (references are
    # resolved in the cross-row pass), so workers start at once and this process reads the
    # reference files meanwhile.
    pool = _Workers(people, workers, reader) if workers > 1 and len(people) > 1 else None

    def report_read(phase: str, done: int, total: int) -> None:
        if progress is not None:
            progress(phase, done + (pool.done_bytes() if pool else 0), total)

    main = reader("main", report_read)
    try:
        for item in reference:
            main.read(item)
        if pool is not None:
            results = pool.collect(lambda: report_read("read", main.done_bytes, total_bytes))
        else:
            for item in people:
                main.read(item)
            results = []
    finally:
        main.close()
        if pool is not None:
            pool.stop()
    return _Reading(plan, [main.result(), *results], partitions)


class _Workers:
    """Reads files in forked worker processes while this process goes on with other work."""

    def __init__(
        self,
        items: Sequence[_Planned],
        workers: int,
        new_reader: Callable[[str, Progress | None], _Reader],
    ) -> None:
        context = multiprocessing.get_context("fork")
        groups = _balance(items, workers)
        self._counters = [context.Value("q", 0, lock=False) for _ in groups]
        self._running: list[tuple[BaseProcess, Connection_]] = []
        for index, (group, counter) in enumerate(zip(groups, self._counters, strict=True)):
            receiver, sender = context.Pipe(duplex=False)
            process: BaseProcess = context.Process(
                target=_work,
                args=(new_reader, f"worker-{index}", group, counter, sender),
                name=f"meritflow-import-{index}",
                daemon=True,
            )
            process.start()
            sender.close()
            self._running.append((process, receiver))

    def done_bytes(self) -> int:
        """Return how many bytes the workers have read so far."""
        return sum(int(counter.value) for counter in self._counters)

    def collect(self, tick: Callable[[], None]) -> list[_ReadResult]:
        """Wait for every worker, calling ``tick`` now and then; return what each one found.

        :raises RuntimeError: a worker failed or died (the import then writes nothing).
        """
        results: list[_ReadResult] = []
        waiting = {receiver: process for process, receiver in self._running}
        while waiting:
            for ready in wait(list(waiting), timeout=0.25):
                assert isinstance(ready, Connection_)
                process = waiting.pop(ready)
                try:
                    status, payload = ready.recv()
                except EOFError:
                    process.join()
                    raise RuntimeError(
                        f"import worker {process.name} died (exit code {process.exitcode})"
                    ) from None
                if status != "ok":
                    raise RuntimeError(f"import worker {process.name} failed:\n{payload}")
                results.append(payload)
            tick()
        return sorted(results, key=lambda result: result.directory.name)

    def stop(self) -> None:
        """Make sure no worker outlives the import."""
        for process, receiver in self._running:
            receiver.close()
            if process.is_alive():
                process.terminate()
            process.join()


def _work(
    new_reader: Callable[[str, Progress | None], _Reader],
    name: str,
    items: Sequence[_Planned],
    counter: Any,
    sender: Connection_,
) -> None:
    """Run in a worker process: read ``items`` and send back a :class:`_ReadResult`."""
    try:

        def report(_phase: str, done: int, _total: int) -> None:
            counter.value = done

        reader = new_reader(name, report)
        try:
            for item in items:
                reader.read(item)
        finally:
            reader.close()
        sender.send(("ok", reader.result()))
    except BaseException as error:  # every failure, even KeyboardInterrupt, must reach the parent
        sender.send(("error", "".join(traceback.format_exception(error))))
    finally:
        sender.close()


def _balance(items: Sequence[_Planned], workers: int) -> list[list[_Planned]]:
    """Split ``items`` into at most ``workers`` groups of similar total size."""
    groups: list[list[_Planned]] = [[] for _ in range(min(workers, len(items)))]
    loads = [0] * len(groups)
    for item in sorted(items, key=lambda i: -(i.file.size or 0)):
        lightest = loads.index(min(loads))
        groups[lightest].append(item)
        loads[lightest] += item.file.size or 0
    return [group for group in groups if group]


@dataclass(frozen=True, slots=True)
class _Planned:
    file: ImportFile
    position: int
    format: Literal["csv", "jsonl", "json"]
    record_type: RecordType | None


class _Problems:
    """Problems found so far: the first ``limit`` listed, all of them counted."""

    def __init__(self, limit: int) -> None:
        self._limit = limit
        self._listed: list[tuple[int, int, ImportProblem]] = []
        self.total = 0
        self.rejected_rows = 0
        self._last_row: tuple[int, int] | None = None
        self.unread_files: list[FileReport] = []

    def add(
        self,
        order: int,
        file: str,
        row: int | None,
        field: str | None,
        message: str,
        *,
        rows_seen: set[tuple[int, int]] | None = None,
    ) -> None:
        """Record a problem; a row counts once as rejected, however many problems it has.

        Rows are told apart by the previous problem's row (reading is sequential) or, when
        ``rows_seen`` is given, by that set.
        """
        self.total += 1
        if len(self._listed) < self._limit:
            self._listed.append((order, row or 0, ImportProblem(file, row, field, message)))
        if row is None:
            return
        key = (order, row)
        if rows_seen is not None:
            if key not in rows_seen:
                rows_seen.add(key)
                self.rejected_rows += 1
        elif key != self._last_row:
            self._last_row = key
            self.rejected_rows += 1

    def add_unread(self, file: ImportFile, message: str) -> None:
        """Record a file that is not read at all."""
        self.add(-1, file.name, None, None, message)
        self.unread_files.append(FileReport(file.name, None, None, None, file.size or 0, 0))

    def absorb(self, result: _ReadResult) -> None:
        """Take over the problems one reader found."""
        self._listed.extend(result.listed)
        self.total += result.total
        self.rejected_rows += result.rejected_rows

    def raw(self) -> list[tuple[int, int, ImportProblem]]:
        """Return the listed problems with their sort keys."""
        return list(self._listed)

    def listed(self) -> tuple[ImportProblem, ...]:
        """Return the first ``limit`` problems in file order, then row order."""
        ordered = sorted(self._listed, key=lambda item: (item[0], item[1]))[: self._limit]
        return tuple(problem for _, _, problem in ordered)


def _plan(files: Sequence[ImportFile], problems: _Problems) -> list[_Planned]:
    """Return the readable files in reading order; report unknown, doubled and lonely files."""
    csv_files: dict[RecordType, ImportFile] = {}
    profiles: list[tuple[ImportFile, Literal["jsonl", "json"]]] = []
    seen_names: set[str] = set()
    for file in files:
        name = file.name.lower()
        if name in seen_names:
            problems.add_unread(file, f"a second file named {file.name} in one import")
            continue
        seen_names.add(name)
        spec = BY_FILE_NAME.get(name)
        if spec is not None:
            csv_files[spec.type] = file
        elif name.endswith(".jsonl"):
            profiles.append((file, "jsonl"))
        elif name.endswith(".json"):
            profiles.append((file, "json"))
        else:
            problems.add_unread(
                file,
                "unknown file name: a CSV set uses "
                + ", ".join(spec.file_name for spec in SPECS.values())
                + "; JSON profiles end in .jsonl (one per line) or .json (an array)",
            )
    if not files:
        problems.add(-1, "(import)", None, None, "nothing to import: no files were given")
    for parent, children in COMPANIONS.items():
        if parent in csv_files:
            missing = [SPECS[kid].file_name for kid in children if kid not in csv_files]
            if missing:
                problems.add(
                    -1,
                    csv_files[parent].name,
                    None,
                    None,
                    f"{SPECS[parent].file_name} must come with {', '.join(missing)} "
                    "(an import replaces whole records; a file with only its header means none)",
                )
    for child, parent in PARENT_OF.items():
        if child in csv_files and parent not in csv_files:
            problems.add(
                -1,
                csv_files[child].name,
                None,
                None,
                f"{SPECS[child].file_name} needs {SPECS[parent].file_name} in the same import "
                "(child records are imported with the record they belong to)",
            )
    planned: list[_Planned] = []
    for record_type in READ_ORDER:
        if record_type in csv_files:
            planned.append(_Planned(csv_files[record_type], len(planned), "csv", record_type))
        if record_type is RecordType.EMPLOYEE:
            for file, fmt in profiles:
                planned.append(_Planned(file, len(planned), fmt, None))
    return planned


class _Catalog:
    """Tenants and positions: those stored, and those this import brings (held whole)."""

    def __init__(
        self,
        tenants: dict[str, store.StoredTenant],
        positions: dict[tuple[str, str], store.StoredPosition],
    ) -> None:
        self.stored_tenants = tenants
        self.stored_positions = positions
        self.tenants: dict[str, tuple[TenantRow, int]] = {}
        """Imported tenants: code -> (values, row in tenants.csv)."""
        self.positions: dict[tuple[str, str], tuple[PositionRow, int]] = {}
        self.competencies: dict[tuple[str, str], dict[str, tuple[int, int]]] = {}
        """Imported standards: position key -> competency -> (level, row)."""
        self.rejected_tenants: set[str] = set()
        self.rejected_positions: set[tuple[str, str]] = set()

    def tenant_known(self, code: str) -> bool | None:
        """Return True if the tenant exists, None if its row was rejected, else False."""
        if code in self.rejected_tenants:
            return None
        return code in self.tenants or code in self.stored_tenants

    def position_known(self, key: tuple[str, str]) -> bool | None:
        """Return True if the position exists, None if its row was rejected, else False."""
        if key in self.rejected_positions or key[0] in self.rejected_tenants:
            return None
        return key in self.positions or key in self.stored_positions

    def tenant_level(self, code: str) -> str | None:
        """Return the level of a tenant of this import or the database."""
        if code in self.tenants:
            tenant, _row = self.tenants[code]
            return tenant.level
        stored = self.stored_tenants.get(code)
        return stored.level if stored else None


@dataclass(frozen=True, slots=True)
class _ReadResult:
    """What one reader (this process or a worker) found; sent back from workers by pickle."""

    listed: list[tuple[int, int, ImportProblem]]
    total: int
    rejected_rows: int
    rows_by_type: Counter[RecordType]
    file_reports: list[tuple[int, FileReport]]
    employees: int
    directory: Path


class _Reader:
    """Pass 1: reads files, validates each row, and spools the accepted employee rows."""

    def __init__(
        self,
        validator: RowValidator,
        today: dt.date,
        catalog: _Catalog,
        spool: Spool,
        max_problems: int,
        progress: Progress | None,
        total_bytes: int,
    ) -> None:
        self._validate = validator
        self._today = today
        self._catalog = catalog
        self._spool = spool
        self._problems = _Problems(max_problems)
        self._progress = progress
        self._total_bytes = total_bytes
        self.done_bytes = 0
        self.rows_by_type: Counter[RecordType] = Counter()
        self.file_reports: list[tuple[int, FileReport]] = []
        self.employees = 0
        self._order = 0
        self._name = ""

    def read(self, item: _Planned) -> None:
        """Read one file to the end (or to its first fatal problem)."""
        self._order, self._name = item.position, item.file.name
        rows = 0
        with item.file.opener() as raw:
            meter = Meter(raw)
            stream: IO[bytes] = io.BufferedReader(meter, 1 << 16)
            try:
                for entry in self._rows(item, stream):
                    if isinstance(entry, ReadProblem):
                        self._problem(entry.row, entry.field, entry.message)
                        continue
                    rows += 1
                    self._accept(entry)
                    if self._progress is not None and rows % _PROGRESS_EVERY == 0:
                        self._progress(
                            "read", self.done_bytes + meter.bytes_read, self._total_bytes
                        )
            except FileUnreadable as error:
                self._problem(error.row, error.field, error.message)
            meter.drain()
        if item.record_type is RecordType.TENANT:
            self._check_tenants()
        self.done_bytes += meter.bytes_read
        if self._progress is not None:
            self._progress("read", self.done_bytes, self._total_bytes)
        kind = item.record_type.value if item.record_type else "profiles"
        report = FileReport(
            item.file.name, item.format, kind, meter.hexdigest(), meter.bytes_read, rows
        )
        self.file_reports.append((item.position, report))

    def close(self) -> None:
        """Flush the spool; nothing more can be read."""
        self._spool.close()

    def result(self) -> _ReadResult:
        """Return what this reader found."""
        problems = self._problems
        return _ReadResult(
            listed=problems.raw(),
            total=problems.total,
            rejected_rows=problems.rejected_rows,
            rows_by_type=self.rows_by_type,
            file_reports=self.file_reports,
            employees=self.employees,
            directory=self._spool.directory,
        )

    def _rows(self, item: _Planned, stream: IO[bytes]) -> Iterator[RawRow | ReadProblem]:
        if item.format == "jsonl":
            return read_json_lines(stream)
        if item.format == "json":
            return read_json_array(stream)
        assert item.record_type is not None
        return read_csv(stream, SPECS[item.record_type])

    def _problem(self, row: int | None, field: str | None, message: str) -> None:
        self._problems.add(self._order, self._name, row, field, message)

    def _accept(self, raw: RawRow) -> None:
        record_type = raw.record_type
        self.rows_by_type[record_type] += 1
        try:
            clean = self._validate(record_type, raw.data)
        except RowRejected as rejection:
            errors = [
                (name, message)
                for name, messages in rejection.errors.items()
                for message in messages
            ]
            self._reject(raw, errors)
            return
        errors = check_row(record_type, clean, today=self._today)
        if errors:
            self._reject(raw, errors)
            return
        spec = SPECS[record_type]
        values = spec.row._make([clean.get(name) for name in spec.columns])
        defaults = DEFAULTS.get(record_type)
        if defaults:
            values = _with_defaults(values, defaults)
        if isinstance(values, TenantRow):
            self._add_tenant(raw, values)
        elif isinstance(values, PositionRow):
            self._add_position(raw, values)
        elif isinstance(values, PositionCompetencyRow):
            self._add_competency(raw, values)
        elif isinstance(values, EmployeeRow):
            self._add_employee(raw, values)
        else:
            hash_ = row_hash(record_type, values)
            self._spool.add(SpooledRow(self._order, raw.row, raw.prefix, values.nip, values, hash_))

    def _reject(self, raw: RawRow, errors: Sequence[tuple[str, str]]) -> None:
        reported = False
        for name, message in errors:
            if name in raw.inherited:
                continue
            self._problem(raw.row, raw.prefix + name, message)
            reported = True
        data = raw.data
        if raw.record_type is RecordType.TENANT and isinstance(data.get("code"), str):
            self._catalog.rejected_tenants.add(data["code"])
        elif raw.record_type is RecordType.POSITION:
            self._catalog.rejected_positions.add(
                (str(data.get("tenant_code")), str(data.get("code")))
            )
        nip = data.get("nip")
        if not isinstance(nip, str) or format_problem(nip):
            return
        marker: RejectedEmployee | RejectedAssessment | None = None
        if raw.record_type is RecordType.EMPLOYEE:
            marker = RejectedEmployee(reported)
        elif raw.record_type is RecordType.ASSESSMENT:
            marker = RejectedAssessment(_as_date(data.get("assessed_on")), data.get("method"))
        if marker is not None:
            self._spool.add(SpooledRow(self._order, raw.row, raw.prefix, nip, marker))
        if reported and raw.prefix:
            self._spool.add(SpooledRow(self._order, raw.row, raw.prefix, nip, RejectedRow()))

    def _add_tenant(self, raw: RawRow, values: TenantRow) -> None:
        code = values.code
        if code in self._catalog.tenants:
            first = self._catalog.tenants[code][1]
            self._problem(raw.row, "code", f"tenant {code} appears twice (first at row {first})")
            return
        stored = self._catalog.stored_tenants.get(code)
        if stored is not None and stored.level != values.level:
            self._problem(
                raw.row,
                "level",
                f"tenant {code} is stored as {stored.level}; a tenant's level cannot change",
            )
            self._catalog.rejected_tenants.add(code)
            return
        self._catalog.tenants[code] = (values, raw.row)

    def _check_tenants(self) -> None:
        """Check every imported tenant hangs under a parent of the right level."""
        for code, (values, row) in list(self._catalog.tenants.items()):
            parent = values.parent_code
            if parent is None:
                continue
            wanted = TenantLevel(values.level).allowed_parent
            known = self._catalog.tenant_known(parent)
            if known is None:
                self._catalog.rejected_tenants.add(code)
                continue
            if not known:
                self._problem(
                    row,
                    "parent_code",
                    f"unknown parent tenant {parent!r}: not in tenants.csv nor in the database",
                )
            elif self._catalog.tenant_level(parent) != wanted:
                self._problem(
                    row,
                    "parent_code",
                    f"a {values.level} tenant hangs under a {wanted} tenant; "
                    f"{parent} is {self._catalog.tenant_level(parent)}",
                )
            else:
                continue
            self._catalog.rejected_tenants.add(code)

    def _add_position(self, raw: RawRow, values: PositionRow) -> None:
        key = (values.tenant_code, values.code)
        if not self._tenant_known(raw, "tenant_code", key[0]):
            self._catalog.rejected_positions.add(key)
            return
        if key in self._catalog.positions:
            first = self._catalog.positions[key][1]
            self._problem(
                raw.row,
                "code",
                f"position {key[1]} of {key[0]} appears twice (first at row {first})",
            )
            return
        self._catalog.positions[key] = (values, raw.row)
        self._catalog.competencies[key] = {}

    def _add_competency(self, raw: RawRow, values: PositionCompetencyRow) -> None:
        key = (values.tenant_code, values.position_code)
        standard = self._catalog.competencies.get(key)
        if standard is None:
            if self._catalog.position_known(key) is not None:
                self._problem(
                    raw.row,
                    "position_code",
                    f"position {key[1]} of {key[0]} is not in positions.csv of this import "
                    "(a position's competency standard is imported with the position)",
                )
            return
        competency = values.competency
        if competency in standard:
            first = standard[competency][1]
            self._problem(
                raw.row,
                "competency",
                f"{competency} is given twice for this position (first at row {first})",
            )
            return
        standard[competency] = (values.required_level, raw.row)

    def _add_employee(self, raw: RawRow, values: EmployeeRow) -> None:
        self.employees += 1
        self._spool.add(SpooledRow(self._order, raw.row, raw.prefix, values.nip, values))

    def _tenant_known(self, raw: RawRow, field: str, code: str) -> bool | None:
        """Return whether tenant ``code`` exists (None: its row was rejected); report if not."""
        known = self._catalog.tenant_known(code)
        if known is False:
            self._problem(
                raw.row,
                raw.prefix + field,
                f"unknown tenant {code!r}: not in tenants.csv nor in the database",
            )
        return known


def _with_defaults(values: Row, defaults: Mapping[str, Any]) -> Row:
    """Return ``values`` with each empty one that has a default set to it."""
    empty = {name: value for name, value in defaults.items() if getattr(values, name) is None}
    return values._replace(**empty) if empty else values


def _as_date(value: object) -> str | None:
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, str):
        try:
            return dt.date.fromisoformat(value).isoformat()
        except ValueError:
            return None
    return None


@dataclass(slots=True)
class _Group:
    """All spooled rows of one NIP within a partition."""

    employees: list[SpooledRow[EmployeeRow]] = field(default_factory=list)
    rejected_employees: list[SpooledRow[RejectedEmployee]] = field(default_factory=list)
    children: list[SpooledRow[ChildRow]] = field(default_factory=list)
    rejected_assessments: set[RejectedAssessment] = field(default_factory=set)
    rejected_rows: set[tuple[int, int]] = field(default_factory=set)
    """JSON rows (file, row) that already have a problem (one JSON row holds a whole profile)."""

    @property
    def employee(self) -> SpooledRow[EmployeeRow] | None:
        """Return the (first) accepted employee row."""
        return self.employees[0] if self.employees else None


def _group(rows: list[SpooledRow[SpooledValues]]) -> dict[str, _Group]:
    groups: dict[str, _Group] = {}
    for row in rows:
        group = groups.get(row.nip)
        if group is None:
            group = groups[row.nip] = _Group()
        kind = type(row.values)
        # The casts only tell the type checker what the test of the type has just found.
        if kind in _CHILD_TYPES:
            group.children.append(cast("SpooledRow[ChildRow]", row))
        elif kind is EmployeeRow:
            group.employees.append(cast("SpooledRow[EmployeeRow]", row))
        elif kind is RejectedEmployee:
            group.rejected_employees.append(cast("SpooledRow[RejectedEmployee]", row))
        elif kind is RejectedAssessment:
            group.rejected_assessments.add(cast("RejectedAssessment", row.values))
        else:
            group.rejected_rows.add((row.file, row.row))
    return groups


_CHILD_TYPES: Final = frozenset(get_args(ChildRow))


def _check_groups(
    groups: dict[str, _Group], names: Sequence[str], problems: _Problems, catalog: _Catalog
) -> None:
    """Pass 2: report what only shows across the rows of one NIP, and unknown references."""
    for nip, group in groups.items():
        counted = group.rejected_rows | {
            (row.file, row.row) for row in group.rejected_employees if row.values.reported
        }

        def report(
            row: SpooledRow[Any], name: str, message: str, counted: set[tuple[int, int]] = counted
        ) -> None:
            file = names[row.file]
            problems.add(row.file, file, row.row, row.prefix + name, message, rows_seen=counted)

        def where(row: SpooledRow[Any]) -> str:
            inside = f" {row.prefix.rstrip('.')}" if row.prefix else ""
            return f"{names[row.file]}:{row.row}{inside}"

        for employee in group.employees:
            tenant_code = employee.values.tenant_code
            position_code = employee.values.position_code
            known = catalog.tenant_known(tenant_code)
            if known is False:
                report(
                    employee,
                    "tenant_code",
                    f"unknown tenant {tenant_code!r}: not in tenants.csv nor in the database",
                )
            elif (
                known
                and position_code is not None
                and catalog.position_known((tenant_code, position_code)) is False
            ):
                report(
                    employee,
                    "position_code",
                    f"unknown position {position_code!r} of tenant {tenant_code}: "
                    "not in positions.csv nor in the database",
                )
        occurrences: list[SpooledRow[Any]] = sorted(
            [*group.employees, *group.rejected_employees], key=_in_file_order
        )
        for again in occurrences[1:]:
            report(
                again,
                "nip",
                f"NIP {nip} appears more than once in this import "
                f"(first at {where(occurrences[0])})",
            )
        if group.employee is None:
            if not group.rejected_employees:
                for child in group.children:
                    report(
                        child,
                        "nip",
                        f"no employee with NIP {nip} in this import; child records are imported "
                        "with their employee (employees.csv or a JSON profile)",
                    )
            continue
        seen: dict[tuple[object, ...], SpooledRow[ChildRow]] = {}
        assessments = {
            (child.values.assessed_on, child.values.method)
            for child in group.children
            if isinstance(child.values, AssessmentRow)
        }
        open_position: SpooledRow[ChildRow] | None = None
        for child in group.children:
            values = child.values
            if isinstance(values, PerformanceRow):
                key: tuple[object, ...] = (PerformanceRow, values.year)
                message = f"a second predicate for {values.year}"
                name = "year"
            elif isinstance(values, AssessmentRow):
                key = (AssessmentRow, values.assessed_on, values.method)
                message = f"a second {values.method} assessment on {values.assessed_on.isoformat()}"
                name = "assessed_on"
            elif isinstance(values, AssessmentScoreRow):
                day, method = values.assessed_on, values.method
                if (day, method) not in assessments:
                    refused = RejectedAssessment(day.isoformat(), method)
                    if refused not in group.rejected_assessments:
                        report(
                            child,
                            "assessed_on",
                            f"no {method} assessment on {day.isoformat()} for NIP {nip} "
                            "in this import",
                        )
                    continue
                key = (AssessmentScoreRow, day, method, values.competency)
                message = f"a second level for {values.competency} in this assessment"
                name = "competency"
            elif isinstance(values, PositionHistoryRow) and values.end_date is None:
                if open_position is not None:
                    report(
                        child,
                        "end_date",
                        f"a second current position (no end_date; first at {where(open_position)})",
                    )
                open_position = open_position or child
                continue
            else:
                continue
            if key in seen:
                report(child, name, f"{message} (first at {where(seen[key])})")
            else:
                seen[key] = child


_in_file_order: Final = operator.attrgetter("file", "row")


class _Writer:
    """Pass 3: writes tenants, positions and new or changed employees in the open transaction."""

    def __init__(
        self,
        conn: Connection,
        catalog: _Catalog,
        now: dt.datetime,
        progress: Progress | None,
        employees_total: int,
    ) -> None:
        self._conn = conn
        self._catalog = catalog
        self._now = now
        self._progress = progress
        self._total = employees_total
        self._done = 0
        self.rows_written = 0
        self._created = self._changed = self._unchanged = 0
        self._tenant_ids = {code: tenant.id for code, tenant in catalog.stored_tenants.items()}
        self._position_ids = {
            key: position.id for key, position in catalog.stored_positions.items()
        }

    @property
    def employees(self) -> Counts:
        """Return the employee counts so far."""
        return Counts(self._created, self._changed, self._unchanged)

    def write_tenants(self) -> Counts:
        """Insert new tenants (parents first) and update changed ones."""
        created = changed = unchanged = 0
        by_depth: dict[int, list[TenantRow]] = {}
        for tenant, _row in self._catalog.tenants.values():
            by_depth.setdefault(_TENANT_DEPTH[TenantLevel(tenant.level)], []).append(tenant)
        for depth in sorted(by_depth):
            inserts: list[tuple[str, dict[str, Any]]] = []
            updates: list[dict[str, Any]] = []
            for tenant in by_depth[depth]:
                code, parent = tenant.code, tenant.parent_code
                row = {
                    "code": code,
                    "name": tenant.name,
                    "level": tenant.level,
                    "parent_id": self._tenant_ids[parent] if parent else None,
                }
                stored = self._catalog.stored_tenants.get(code)
                if stored is None:
                    inserts.append((code, row | {"created_at": self._now}))
                elif (stored.name, stored.level, stored.parent_code) == (
                    tenant.name,
                    tenant.level,
                    parent,
                ):
                    unchanged += 1
                else:
                    updates.append({"row_id": stored.id} | row)
            ids = store.insert_returning_ids(self._conn, store.TENANT, [row for _, row in inserts])
            self._tenant_ids.update(
                {code: id_ for (code, _), id_ in zip(inserts, ids, strict=True)}
            )
            store.update_by_id(self._conn, store.TENANT, updates)
            created += len(inserts)
            changed += len(updates)
        self.rows_written += created + changed
        return Counts(created, changed, unchanged)

    def write_positions(self) -> Counts:
        """Insert new positions, update changed ones, and replace changed competency standards."""
        catalog = self._catalog
        existing_ids = [
            catalog.stored_positions[key].id
            for key in catalog.positions
            if key in catalog.stored_positions
        ]
        stored_standards = store.load_competencies(self._conn, existing_ids)
        inserts: list[tuple[tuple[str, str], dict[str, Any]]] = []
        updates: list[dict[str, Any]] = []
        replaced: list[tuple[int, tuple[str, str]]] = []
        unchanged = 0
        for key, (position, _row) in catalog.positions.items():
            fields = position.required_education_fields
            row = {
                "tenant_id": self._tenant_ids[position.tenant_code],
                "code": position.code,
                "title": position.title,
                "level": position.level,
                "unit": position.unit,
                "is_key": position.is_key,
                "required_education_fields": list(fields) if fields else None,
            }
            standard = {name: level for name, (level, _) in catalog.competencies[key].items()}
            stored = catalog.stored_positions.get(key)
            if stored is None:
                inserts.append((key, row))
                continue
            same_row = (stored.title, stored.level, stored.unit, stored.is_key) == (
                position.title,
                position.level,
                position.unit,
                position.is_key,
            ) and stored.required_education_fields == (tuple(fields) if fields else None)
            same_standard = stored_standards.get(stored.id, {}) == standard
            if same_row and same_standard:
                unchanged += 1
                continue
            updates.append({"row_id": stored.id} | row)
            if not same_standard:
                replaced.append((stored.id, key))
        ids = store.insert_returning_ids(self._conn, store.POSITION, [row for _, row in inserts])
        new_ids = {key: id_ for (key, _), id_ in zip(inserts, ids, strict=True)}
        self._position_ids.update(new_ids)
        store.update_by_id(self._conn, store.POSITION, updates)
        store.delete_competencies(self._conn, [position_id for position_id, _ in replaced])
        competencies = [
            {"position_id": position_id, "competency": name, "required_level": level}
            for position_id, key in [*replaced, *((id_, key) for key, id_ in new_ids.items())]
            for name, (level, _) in catalog.competencies[key].items()
        ]
        store.insert_rows(self._conn, store.POSITION_COMPETENCY, competencies)
        self.rows_written += len(inserts) + len(updates) + len(competencies)
        return Counts(len(inserts), len(updates), unchanged)

    def write_employees(self, groups: dict[str, _Group]) -> None:
        """Upsert the employees of one partition, skipping those whose digest is unchanged."""
        existing = store.existing_employees(self._conn, list(groups))
        inserted: list[tuple[EmployeeRow, str, _Group]] = []
        updates: list[dict[str, Any]] = []
        updated: list[tuple[int, _Group]] = []
        for nip, group in groups.items():
            assert group.employee is not None
            values = group.employee.values
            digest = profile_digest(values, combine(child.hash for child in group.children))
            found = existing.get(nip)
            if found is None:
                inserted.append((values, digest, group))
            elif found[1] == digest:
                self._unchanged += 1
            else:
                row = dict(
                    zip(_EMPLOYEE_COLUMNS, self._employee_values(values, digest), strict=True)
                )
                updates.append({"row_id": found[0], **row})
                updated.append((found[0], group))
        ids = store.allocate_ids(self._conn, store.EMPLOYEE, len(inserted))
        store.bulk_insert(
            self._conn,
            store.EMPLOYEE,
            ("id", *_EMPLOYEE_COLUMNS, "created_at"),
            [
                (employee_id, *self._employee_values(values, digest), self._now)
                for employee_id, (values, digest, _) in zip(ids, inserted, strict=True)
            ],
        )
        store.delete_employee_children(self._conn, [employee_id for employee_id, _ in updated])
        store.update_by_id(self._conn, store.EMPLOYEE, updates)
        new = [
            (employee_id, group) for employee_id, (_, _, group) in zip(ids, inserted, strict=True)
        ]
        self._write_children([*new, *updated])
        self._created += len(inserted)
        self._changed += len(updates)
        self.rows_written += len(inserted) + len(updates)
        self._done += len(groups)
        if self._progress is not None:
            self._progress("write", self._done, self._total)

    def _employee_values(self, employee: EmployeeRow, digest: str) -> tuple[Any, ...]:
        """Return the stored columns (:data:`_EMPLOYEE_COLUMNS`) of an imported employee row."""
        position_code = employee.position_code
        position_id = (
            self._position_ids[(employee.tenant_code, position_code)] if position_code else None
        )
        return (
            employee.nip,
            employee.name,
            employee.birth_date,
            employee.gender,
            self._tenant_ids[employee.tenant_code],
            employee.employment_type,
            employee.rank,
            employee.rank_tmt,
            position_id,
            employee.lhkpn_year,
            employee.health_certificate_date,
            employee.disciplinary_case_pending,
            digest,
            self._now,
        )

    def _write_children(self, employees: list[tuple[int, _Group]]) -> None:
        """Insert the child rows of ``employees`` (employee id, rows), assessments with scores."""
        # A child table row is its employee's id, then the record's values after the NIP.
        tables: dict[type[ChildRow], list[tuple[Any, ...]]] = {kind: [] for kind in _CHILD_TABLE}
        assessments: list[tuple[int, AssessmentRow]] = []
        scores: list[tuple[int, AssessmentScoreRow]] = []
        for employee_id, group in employees:
            for child in group.children:
                values = child.values
                if isinstance(values, AssessmentScoreRow):
                    scores.append((employee_id, values))
                elif isinstance(values, AssessmentRow):
                    assessments.append((employee_id, values))
                else:
                    tables[type(values)].append((employee_id, *values[1:]))
        for kind, rows in tables.items():
            store.bulk_insert(self._conn, _CHILD_TABLE[kind], _child_columns(kind), rows)
            self.rows_written += len(rows)
        ids = store.allocate_ids(self._conn, store.ASSESSMENT, len(assessments))
        store.bulk_insert(
            self._conn,
            store.ASSESSMENT,
            ("id", *_child_columns(AssessmentRow)),
            [
                (assessment_id, employee_id, *assessment[1:])
                for assessment_id, (employee_id, assessment) in zip(ids, assessments, strict=True)
            ],
        )
        assessment_ids = {
            (employee_id, assessment.assessed_on, assessment.method): assessment_id
            for assessment_id, (employee_id, assessment) in zip(ids, assessments, strict=True)
        }
        score_rows = [
            (
                assessment_ids[(employee_id, score.assessed_on, score.method)],
                score.competency,
                score.level,
            )
            for employee_id, score in scores
        ]
        store.bulk_insert(
            self._conn, store.ASSESSMENT_SCORE, ("assessment_id", "competency", "level"), score_rows
        )
        self.rows_written += len(assessments) + len(score_rows)


_CHILD_TABLE: Final[Mapping[type[ChildRow], Table]] = {
    EducationRow: store.EDUCATION,
    PositionHistoryRow: store.POSITION_HISTORY,
    TrainingRow: store.TRAINING,
    PerformanceRow: store.PERFORMANCE,
    PenaltyRow: store.PENALTY,
}
"""The table of each child record but assessments and their scores (written with their ids)."""


def _child_columns(kind: type[ChildRow]) -> tuple[str, ...]:
    """Return the stored columns of a child table: its employee, then the record's after the NIP."""
    return ("employee_id", *kind._fields[1:])


_EMPLOYEE_COLUMNS: Final = (
    "nip",
    "name",
    "birth_date",
    "gender",
    "tenant_id",
    "employment_type",
    "rank",
    "rank_tmt",
    "position_id",
    "lhkpn_year",
    "health_certificate_date",
    "disciplinary_case_pending",
    "record_digest",
    "updated_at",
)
