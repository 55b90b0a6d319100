"""Pass 2 of the import, *check*: the rules across rows (a row's own rules are in row_rules).

- Reference data (tenants, positions and their competency standards) is held whole in a
  :class:`Catalog` and checked as it is read, before any other file: a code given twice, a
  tenant whose level would change or whose parent is unknown or of the wrong level, a position
  of an unknown tenant, a standard of a position that is not in this import.
- Employees and their child rows are checked per spool partition, one NIP at a time
  (:func:`check_groups`): the same NIP twice, a child without its employee, a year rated
  twice, an assessment or a score given twice, a score without its assessment, two current
  positions, and an unknown tenant or position.

A row refused earlier is not reported again as the cause of another row's problem.
"""

from __future__ import annotations

import operator
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any, Final, cast, get_args

from rules.vocab import TenantLevel
from workflow.registry.importing.report import Problems
from workflow.registry.importing.row_rules import RowProblems
from workflow.registry.importing.spool import (
    RejectedAssessment,
    RejectedEmployee,
    SpooledRow,
    SpooledValues,
)
from workflow.registry.importing.store import StoredPosition, StoredTenant
from workflow.registry.records import (
    AssessmentRow,
    AssessmentScoreRow,
    ChildRow,
    EmployeeRow,
    PerformanceRow,
    PositionCompetencyRow,
    PositionHistoryRow,
    PositionRow,
    RecordType,
    TenantRow,
)


class Catalog:
    """Tenants and positions: those stored, and those this import brings (held whole)."""

    def __init__(
        self,
        tenants: dict[str, StoredTenant],
        positions: dict[tuple[str, str], StoredPosition],
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
        tenant_code, _code = key
        if key in self.rejected_positions or tenant_code in self.rejected_tenants:
            return None
        return key in self.positions or key in self.stored_positions

    def tenant_level(self, code: str) -> str | None:
        """Return the level of a tenant of this import or the database."""
        if code in self.tenants:
            tenant, _row = self.tenants[code]
            return tenant.level
        stored = self.stored_tenants.get(code)
        return stored.level if stored else None

    def refuse(self, record_type: RecordType, data: dict[str, Any]) -> None:
        """Note a tenant or position row the row rules refused, so what refers to it is quiet."""
        if record_type is RecordType.TENANT and isinstance(data.get("code"), str):
            self.rejected_tenants.add(data["code"])
        elif record_type is RecordType.POSITION:
            self.rejected_positions.add((str(data.get("tenant_code")), str(data.get("code"))))

    def add_tenant(self, tenant: TenantRow, row: int) -> RowProblems:
        """Take a tenant of ``tenants.csv``; return its problems (given twice, level changed)."""
        code = tenant.code
        if code in self.tenants:
            _first, first_row = self.tenants[code]
            return [("code", f"tenant {code} appears twice (first at row {first_row})")]
        stored = self.stored_tenants.get(code)
        if stored is not None and stored.level != tenant.level:
            self.rejected_tenants.add(code)
            return [
                (
                    "level",
                    f"tenant {code} is stored as {stored.level}; a tenant's level cannot change",
                )
            ]
        self.tenants[code] = (tenant, row)
        return []

    def check_parents(self) -> list[tuple[int, str, str]]:
        """Return ``(row, field, message)`` for each imported tenant without a proper parent.

        A tenant hangs under a known parent of the level its own level requires; one that does
        not is rejected, and so, in turn, are the tenants under it.
        """
        problems: list[tuple[int, str, str]] = []
        for code, (tenant, row) in list(self.tenants.items()):
            parent = tenant.parent_code
            if parent is None:
                continue
            wanted = TenantLevel(tenant.level).allowed_parent
            known = self.tenant_known(parent)
            if known is None:
                self.rejected_tenants.add(code)
                continue
            if not known:
                message = (
                    f"unknown parent tenant {parent!r}: not in tenants.csv nor in the database"
                )
            elif self.tenant_level(parent) != wanted:
                message = (
                    f"a {tenant.level} tenant hangs under a {wanted} tenant; "
                    f"{parent} is {self.tenant_level(parent)}"
                )
            else:
                continue
            problems.append((row, "parent_code", message))
            self.rejected_tenants.add(code)
        return problems

    def add_position(self, position: PositionRow, row: int) -> RowProblems:
        """Take a position of ``positions.csv``; return its problems (unknown tenant, twice)."""
        tenant_code, code = position.tenant_code, position.code
        key = (tenant_code, code)
        known = self.tenant_known(tenant_code)
        if not known:
            self.rejected_positions.add(key)
            if known is None:
                return []
            return [
                (
                    "tenant_code",
                    f"unknown tenant {tenant_code!r}: not in tenants.csv nor in the database",
                )
            ]
        if key in self.positions:
            _first, first_row = self.positions[key]
            return [
                (
                    "code",
                    f"position {code} of {tenant_code} appears twice (first at row {first_row})",
                )
            ]
        self.positions[key] = (position, row)
        self.competencies[key] = {}
        return []

    def add_competency(self, competency: PositionCompetencyRow, row: int) -> RowProblems:
        """Take one competency of a position's standard; return its problems."""
        tenant_code, code = competency.tenant_code, competency.position_code
        standard = self.competencies.get((tenant_code, code))
        if standard is None:
            if self.position_known((tenant_code, code)) is None:
                return []
            return [
                (
                    "position_code",
                    f"position {code} of {tenant_code} is not in positions.csv of this import "
                    "(a position's competency standard is imported with the position)",
                )
            ]
        name = competency.competency
        if name in standard:
            _level, first_row = standard[name]
            return [
                (
                    "competency",
                    f"{name} is given twice for this position (first at row {first_row})",
                )
            ]
        standard[name] = (competency.required_level, row)
        return []


@dataclass(slots=True)
class Group:
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


def group_rows(rows: list[SpooledRow[SpooledValues]]) -> dict[str, Group]:
    """Return the rows of one partition by NIP, in order of first appearance."""
    groups: dict[str, Group] = {}
    for row in rows:
        group = groups.get(row.nip)
        if group is None:
            group = groups[row.nip] = Group()
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


def check_groups(
    groups: dict[str, Group], names: Sequence[str], problems: Problems, catalog: Catalog
) -> None:
    """Report what only shows across the rows of one NIP, and unknown tenants and positions.

    ``names`` are the import's file names by position.
    """
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
