"""What an import tells: its problems (file, row, field, message), its counts, its report.

:class:`Problems` collects problems as the phases find them; :class:`ImportReport` is what the
use case returns (or raises inside :class:`ImportRejected`), for the CLI, the API and the ledger.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any, Final, Literal

from workflow.core import InvalidInput
from workflow.registry.importing.formats import ImportFile

MAX_PROBLEMS: Final = 1000
"""Problems listed in a report; the rest are counted."""

Progress = Callable[[str, int, int], None]
"""``progress(phase, done, total)``: phase ``read`` counts bytes, ``write`` counts employees."""


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

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> ImportReport:
        """Return the report :meth:`as_dict` gave (a job stores its import's report so)."""
        return cls(
            files=tuple(
                FileReport(
                    name=str(f["name"]),
                    format=f["format"],
                    record_type=f["record_type"],
                    sha256=f["sha256"],
                    bytes=int(f["bytes"]),
                    rows=int(f["rows"]),
                )
                for f in data["files"]
            ),
            tenants=Counts(**data["tenants"]),
            positions=Counts(**data["positions"]),
            employees=Counts(**data["employees"]),
            rows_read={str(k): int(v) for k, v in data["rows_read"].items()},
            rows_written=int(data["rows_written"]),
            rejected_rows=int(data["rejected_rows"]),
            problems=tuple(
                ImportProblem(str(p["file"]), p["row"], p["field"], str(p["message"]))
                for p in data["problems"]
            ),
            problems_total=int(data["problems_total"]),
            seconds=float(data["seconds"]),
            started_at=dt.datetime.fromisoformat(str(data["started_at"])),
        )

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


class Problems:
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

    def absorb(self, found: Problems) -> None:
        """Take over the problems another reader (another process) found."""
        self._listed.extend(found._listed)
        self.total += found.total
        self.rejected_rows += found.rejected_rows

    def listed(self) -> tuple[ImportProblem, ...]:
        """Return the first ``limit`` problems in file order, then row order."""
        ordered = sorted(self._listed, key=lambda item: (item[0], item[1]))[: self._limit]
        return tuple(problem for _, _, problem in ordered)
