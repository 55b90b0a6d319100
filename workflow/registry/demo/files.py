"""The demo data set as import files, and loaded through the import (so it is proven valid).

The same seed and reference date give byte-identical files: one ``random.Random(seed)`` is
drawn in a fixed order, the organisation first (:mod:`.organisation`), then the people
(:mod:`.people`).
"""

from __future__ import annotations

import csv
import datetime as dt
import json
import random
import tempfile
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any, Final, Literal

from sqlalchemy import func, select

from workflow.core import Database
from workflow.models import Employee
from workflow.registry.demo.organisation import Organisation
from workflow.registry.demo.people import People
from workflow.registry.importing import (
    ImportReport,
    Progress,
    RowValidator,
    collect_files,
    import_registry,
)
from workflow.registry.records import EMPLOYEE_CHILDREN, SPECS, RecordType

DemoFormat = Literal["csv", "jsonl"]

PROFILES_FILE: Final = "employees.jsonl"


@dataclass(frozen=True, slots=True)
class DemoFiles:
    """What :func:`write_demo_files` wrote."""

    directory: Path
    files: tuple[Path, ...]
    employees: int
    rows: int


def write_demo_files(
    out: Path,
    *,
    employees: int,
    seed: int,
    as_of: dt.date,
    file_format: DemoFormat = "csv",
) -> DemoFiles:
    """Write a demo data set of ``employees`` people as import files into ``out``.

    ``csv`` writes the full CSV set; ``jsonl`` writes tenants, positions and competency
    standards as CSV and the employees as one JSON profile per line (``employees.jsonl``).
    """
    if employees < 1:
        raise ValueError("a demo data set needs at least one employee")
    out.mkdir(parents=True, exist_ok=True)
    # One random.Random(seed), drawn in a fixed order: first the organisation, then the people.
    rng = random.Random(seed)  # noqa: S311 - reproducible demo data, not secrets
    organisation = Organisation(rng, employees)
    people = People(rng, as_of, organisation)
    written: list[Path] = []
    rows = 0
    for record_type, table in (
        (RecordType.TENANT, organisation.tenant_rows()),
        (RecordType.POSITION, organisation.position_rows()),
        (RecordType.POSITION_COMPETENCY, organisation.competency_rows()),
    ):
        path = out / SPECS[record_type].file_name
        rows += _write_csv(path, SPECS[record_type].columns, table)
        written.append(path)
    if file_format == "jsonl":
        path = out / PROFILES_FILE
        with path.open("w", encoding="utf-8", newline="\n") as handle:
            for profile in people.profiles():
                handle.write(
                    json.dumps(_compact(profile), ensure_ascii=False, separators=(",", ":"))
                )
                handle.write("\n")
                rows += _profile_rows(profile)
        written.append(path)
    else:
        with _CsvSet(out) as csv_set:
            for profile in people.profiles():
                rows += csv_set.write(profile)
            written.extend(csv_set.paths)
    return DemoFiles(out, tuple(written), employees, rows)


def seed_demo(
    db: Database,
    *,
    employees: int,
    seed: int,
    as_of: dt.date,
    validator: RowValidator,
    now: dt.datetime,
    only_if_empty: bool = False,
    progress: Progress | None = None,
    workers: int = 1,
    work_dir: Path | None = None,
) -> ImportReport | None:
    """Generate a demo data set and load it THROUGH the registry import (so it is proven valid).

    Returns None, writing nothing, when ``only_if_empty`` and employees are already registered.

    :raises ImportRejected: the generated data failed validation
        (a bug in the generator; nothing is written).
    """
    if only_if_empty:
        with db.read() as session:
            if session.scalar(select(func.count()).select_from(Employee)):
                return None
    with tempfile.TemporaryDirectory(prefix="meritflow-demo-", dir=work_dir) as scratch:
        demo = write_demo_files(Path(scratch), employees=employees, seed=seed, as_of=as_of)
        return import_registry(
            db,
            files=collect_files([demo.directory]),
            validator=validator,
            now=now,
            progress=progress,
            workers=workers,
            work_dir=work_dir,
            actor=None,
        )


def _write_csv(path: Path, columns: Sequence[str], rows: Iterator[Sequence[object]]) -> int:
    count = 0
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle, lineterminator="\n")
        writer.writerow(columns)
        for row in rows:
            writer.writerow([_cell(value) for value in row])
            count += 1
    return count


def _cell(value: object) -> object:
    if value is None:
        return ""
    if value is True:
        return "true"
    if value is False:
        return "false"
    return value


def _compact(profile: dict[str, Any]) -> dict[str, Any]:
    """Drop empty values and false flags (the import reads a missing key as empty)."""
    result: dict[str, Any] = {}
    for key, value in profile.items():
        if value is None or value is False or value == []:
            continue
        if isinstance(value, list):
            value = [_compact(item) for item in value]
        result[key] = value
    return result


def _profile_rows(profile: dict[str, Any]) -> int:
    rows = 1
    for spec in SPECS.values():
        if spec.json_key:
            rows += len(profile[spec.json_key])
    rows += sum(len(item["scores"]) for item in profile["assessments"])
    return rows


class _CsvSet:
    """The eight employee files of a CSV set, written side by side."""

    def __init__(self, out: Path) -> None:
        self._out = out
        self._handles: list[IO[str]] = []
        self._writers: dict[RecordType, Any] = {}
        self.paths: list[Path] = []

    def __enter__(self) -> _CsvSet:
        for record_type in (RecordType.EMPLOYEE, *EMPLOYEE_CHILDREN):
            spec = SPECS[record_type]
            path = self._out / spec.file_name
            handle = path.open("w", encoding="utf-8", newline="")
            self._handles.append(handle)
            writer = csv.writer(handle, lineterminator="\n")
            writer.writerow(spec.columns)
            self._writers[record_type] = writer
            self.paths.append(path)
        return self

    def __exit__(self, *exc: object) -> None:
        for handle in self._handles:
            handle.close()

    def write(self, profile: dict[str, Any]) -> int:
        """Write one profile's rows; return how many."""
        nip = profile["nip"]
        employee_columns = SPECS[RecordType.EMPLOYEE].columns
        self._writers[RecordType.EMPLOYEE].writerow(
            [_cell(profile.get(name)) for name in employee_columns]
        )
        rows = 1
        for record_type in EMPLOYEE_CHILDREN:
            spec = SPECS[record_type]
            if spec.json_key is None:
                continue
            writer = self._writers[record_type]
            for item in profile[spec.json_key]:
                writer.writerow([nip, *(_cell(item.get(name)) for name in spec.columns[1:])])
                rows += 1
        scores = self._writers[RecordType.ASSESSMENT_SCORE]
        for assessment in profile["assessments"]:
            for score in assessment["scores"]:
                scores.writerow(
                    [
                        nip,
                        assessment["assessed_on"],
                        assessment["method"],
                        score["competency"],
                        score["level"],
                    ]
                )
                rows += 1
        return rows
