"""Pass 3 of the import, *write*: upsert what was read and checked, in the one open transaction.

Tenants (parents first) and positions with their competency standards are compared with the
stored ones field by field; employees by ``record_digest`` (:mod:`.digest`) without loading their
histories. New and changed records are written with bulk inserts and ids reserved up front
(:mod:`.store`); a changed employee has its child rows replaced. Nothing here commits.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any, Final

from sqlalchemy import Connection, Table

from rules.vocab import TenantLevel
from workflow.registry.importing import store
from workflow.registry.importing.check import Catalog, Group
from workflow.registry.importing.digest import combine, profile_digest
from workflow.registry.importing.report import Counts, Progress
from workflow.registry.records import (
    AssessmentRow,
    AssessmentScoreRow,
    ChildRow,
    EducationRow,
    EmployeeRow,
    PenaltyRow,
    PerformanceRow,
    PositionHistoryRow,
    TenantRow,
    TrainingRow,
)

_TENANT_DEPTH: Final = {
    TenantLevel.NATIONAL: 0,
    TenantLevel.PROVINCE: 1,
    TenantLevel.REGENCY: 2,
    TenantLevel.CITY: 2,
}


class Writer:
    """Writes tenants, positions and new or changed employees in the open transaction."""

    def __init__(
        self,
        conn: Connection,
        catalog: Catalog,
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

    def write_employees(self, groups: dict[str, Group]) -> None:
        """Upsert the employees of one partition, skipping those whose digest is unchanged."""
        existing = store.existing_employees(self._conn, list(groups))
        inserted: list[tuple[EmployeeRow, str, Group]] = []
        updates: list[dict[str, Any]] = []
        updated: list[tuple[int, Group]] = []
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

    def _write_children(self, employees: list[tuple[int, Group]]) -> None:
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
