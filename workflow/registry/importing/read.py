"""Pass 1 of the import, *read*: stream every file, shape and check each row, spool it by NIP.

Files are planned first (:func:`plan_files`: which record type each holds, in which order, and
whether the set is whole). Then each file is streamed by :mod:`.formats`; each row is shaped by
the injected :class:`RowValidator` (marshmallow in the API layer) and checked against the row
rules of :mod:`.row_rules`. Tenants, positions and their standards are kept in the
:class:`~.check.Catalog` (checked across rows at once); employee and child rows go to a disk
spool partitioned by NIP (:mod:`.spool`), child rows with their hash for the digest.

The reference files are read in this process; the employee files, which never look at them
while read, in forked worker processes meanwhile when ``workers`` > 1. Each reader has its own
spool directory and problem list, merged afterwards.
"""

from __future__ import annotations

import datetime as dt
import io
import multiprocessing
import time
from collections import Counter
from collections.abc import Iterator, Mapping, Sequence
from concurrent.futures import FIRST_EXCEPTION, ProcessPoolExecutor, wait
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any, Final, Literal, Protocol

from workflow.registry.importing.check import Catalog
from workflow.registry.importing.digest import row_hash
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
from workflow.registry.importing.report import (
    Counts,
    FileReport,
    ImportReport,
    Problems,
    Progress,
)
from workflow.registry.importing.row_rules import check_row
from workflow.registry.importing.spool import (
    RejectedAssessment,
    RejectedEmployee,
    RejectedRow,
    Spool,
    SpooledRow,
    SpooledValues,
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
    EmployeeRow,
    PositionCompetencyRow,
    PositionRow,
    RecordType,
    Row,
    TenantRow,
)

DEFAULTS: Final[Mapping[RecordType, Mapping[str, Any]]] = {
    RecordType.POSITION: {"is_key": False},
    RecordType.EMPLOYEE: {"disciplinary_case_pending": False},
}
"""Values an empty optional cell stands for (so "" and "false" give the same digest)."""

_PROGRESS_EVERY: Final = 4096
_REFERENCE_TYPES: Final = (
    RecordType.TENANT,
    RecordType.POSITION,
    RecordType.POSITION_COMPETENCY,
)
"""Read first, in this process: every other file refers to them."""


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
class Planned:
    """A file to read: its place in the reading order, its format and its record type."""

    file: ImportFile
    position: int
    """Its position in the reading order (a spooled row's ``file``)."""
    format: Literal["csv", "jsonl", "json"]
    record_type: RecordType | None
    """The CSV file's record type; None for JSON profiles."""


def plan_files(files: Sequence[ImportFile], problems: Problems) -> list[Planned]:
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
    planned: list[Planned] = []
    for record_type in READ_ORDER:
        if record_type in csv_files:
            planned.append(Planned(csv_files[record_type], len(planned), "csv", record_type))
        if record_type is RecordType.EMPLOYEE:
            for file, fmt in profiles:
                planned.append(Planned(file, len(planned), fmt, None))
    return planned


@dataclass(frozen=True, slots=True)
class Reading:
    """What pass 1 left behind: every reader's findings and the spool partitions to go through."""

    plan: Sequence[Planned]
    results: list[ReadResult]
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
        problems: Problems,
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


def read_files(
    plan: Sequence[Planned],
    scratch: Path,
    new_reader: ReaderFactory,
    *,
    progress: Progress | None,
    workers: int,
) -> Reading:
    """Read every planned file, the employee files in worker processes where that pays off."""
    total_bytes = sum(item.file.size or 0 for item in plan)
    known = all(item.file.size is not None for item in plan)
    partitions = partition_count(total_bytes if known else None)
    reference = [item for item in plan if item.record_type in _REFERENCE_TYPES]
    people = [item for item in plan if item.record_type not in _REFERENCE_TYPES]
    groups = _balance(people, workers) if workers > 1 and len(people) > 1 else []
    counters = [_FORK.Value("q", 0, lock=False) for _ in groups]  # bytes read, in shared memory

    def report_read(phase: str, done: int, total: int) -> None:
        if progress is not None:
            progress(phase, done + sum(int(counter.value) for counter in counters), total)

    def read_here(items: Sequence[Planned]) -> Reader:
        reader = new_reader(scratch / "main", partitions, report_read, total_bytes)
        try:
            for item in items:
                reader.read(item)
        finally:
            reader.close()
        return reader

    if not groups:
        return Reading(plan, [read_here([*reference, *people]).result()], partitions)
    # Employee files never look at tenants or positions while they are read (references are
    # resolved in the cross-row pass), so the workers start at once and this process reads
    # the reference files meanwhile. Forked, they inherit the workload (files cannot be
    # pickled: they open themselves); each sends back what it found.
    workload = _Workload(new_reader, scratch, partitions, total_bytes, groups, counters)
    with ProcessPoolExecutor(
        max_workers=len(groups),
        mp_context=_FORK,
        initializer=_inherit,
        initargs=(workload,),
    ) as pool:
        # The first submit forks every worker, before this process opens its own spool files.
        futures = [pool.submit(_read_group, index) for index in range(len(groups))]
        main = read_here(reference)
        waiting = set(futures)
        while waiting:
            done, waiting = wait(waiting, timeout=0.25, return_when=FIRST_EXCEPTION)
            report_read("read", main.done_bytes, total_bytes)
            for future in done:
                future.result()  # raises a worker's exception here, its traceback attached
        results = [future.result() for future in futures]
    return Reading(plan, [main.result(), *results], partitions)


_FORK: Final = multiprocessing.get_context("fork")
"""Worker processes are forked: the validator and the files need not be picklable."""


@dataclass(frozen=True, slots=True)
class _Workload:
    """What the reader processes inherit when they are forked: who reads which files, how."""

    new_reader: ReaderFactory
    scratch: Path
    partitions: int
    total_bytes: int
    groups: list[list[Planned]]
    """The files of each worker (the spool ``worker-<index>`` in ``scratch``)."""
    counters: list[Any]
    """A shared ``multiprocessing.Value`` per worker: the bytes it has read."""


_inherited: _Workload | None = None
"""The workload, in a worker process (set by :func:`_inherit` when it starts)."""


def _inherit(workload: _Workload) -> None:
    """Run when a worker process starts: keep the workload it was forked with."""
    global _inherited
    _inherited = workload


def _read_group(index: int) -> ReadResult:
    """Run in a worker process: read the files of group ``index`` into its own spool."""
    assert _inherited is not None, "runs only in a worker process"
    workload = _inherited
    counter = workload.counters[index]

    def report(_phase: str, done: int, _total: int) -> None:
        counter.value = done

    directory = workload.scratch / f"worker-{index}"
    reader = workload.new_reader(directory, workload.partitions, report, workload.total_bytes)
    try:
        for item in workload.groups[index]:
            reader.read(item)
    finally:
        reader.close()
    return reader.result()


def _balance(items: Sequence[Planned], workers: int) -> list[list[Planned]]:
    """Split ``items`` into at most ``workers`` groups of similar total size."""
    groups: list[list[Planned]] = [[] for _ in range(min(workers, len(items)))]
    loads = [0] * len(groups)
    for item in sorted(items, key=lambda i: -(i.file.size or 0)):
        lightest = loads.index(min(loads))
        groups[lightest].append(item)
        loads[lightest] += item.file.size or 0
    return [group for group in groups if group]


@dataclass(frozen=True, slots=True)
class ReaderFactory:
    """Makes the readers of one import (this process's and the workers'), one spool each."""

    validator: RowValidator
    today: dt.date
    catalog: Catalog
    max_problems: int

    def __call__(
        self, directory: Path, partitions: int, progress: Progress | None, total_bytes: int
    ) -> Reader:
        directory.mkdir()
        return Reader(
            self.validator,
            self.today,
            self.catalog,
            Spool(directory, partitions),
            self.max_problems,
            progress,
            total_bytes,
        )


@dataclass(frozen=True, slots=True)
class ReadResult:
    """What one reader (this process or a worker) found; sent back from workers by pickle."""

    problems: Problems
    rows_by_type: Counter[RecordType]
    file_reports: list[tuple[int, FileReport]]
    employees: int
    directory: Path


class Reader:
    """Reads files, shapes and checks each row, and spools the accepted employee rows."""

    def __init__(
        self,
        validator: RowValidator,
        today: dt.date,
        catalog: Catalog,
        spool: Spool,
        max_problems: int,
        progress: Progress | None,
        total_bytes: int,
    ) -> None:
        self._validate = validator
        self._today = today
        self._catalog = catalog
        self._spool = spool
        self._problems = Problems(max_problems)
        self._progress = progress
        self._total_bytes = total_bytes
        self.done_bytes = 0
        self.rows_by_type: Counter[RecordType] = Counter()
        self.file_reports: list[tuple[int, FileReport]] = []
        self.employees = 0
        self._order = 0
        self._name = ""

    def read(self, item: Planned) -> None:
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
            for row, name, message in self._catalog.check_parents():
                self._problem(row, name, message)
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

    def result(self) -> ReadResult:
        """Return what this reader found."""
        return ReadResult(
            problems=self._problems,
            rows_by_type=self.rows_by_type,
            file_reports=self.file_reports,
            employees=self.employees,
            directory=self._spool.directory,
        )

    def _rows(self, item: Planned, stream: IO[bytes]) -> Iterator[RawRow | ReadProblem]:
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
        # Reference data stays in memory, checked across rows at once; the rest is spooled.
        if isinstance(values, TenantRow):
            problems = self._catalog.add_tenant(values, raw.row)
        elif isinstance(values, PositionRow):
            problems = self._catalog.add_position(values, raw.row)
        elif isinstance(values, PositionCompetencyRow):
            problems = self._catalog.add_competency(values, raw.row)
        elif isinstance(values, EmployeeRow):
            self.employees += 1
            self._spool.add(SpooledRow(self._order, raw.row, raw.prefix, values.nip, values))
            return
        else:
            hash_ = row_hash(record_type, values)
            self._spool.add(SpooledRow(self._order, raw.row, raw.prefix, values.nip, values, hash_))
            return
        for name, message in problems:
            self._problem(raw.row, name, message)

    def _reject(self, raw: RawRow, errors: Sequence[tuple[str, str]]) -> None:
        reported = False
        for name, message in errors:
            if name in raw.inherited:
                continue
            self._problem(raw.row, raw.prefix + name, message)
            reported = True
        data = raw.data
        self._catalog.refuse(raw.record_type, data)
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
