"""The record types an import carries: their typed rows (the columns), CSV file names, JSON keys.

``docs/import.md`` documents every column; a test keeps the marshmallow row schemas in
``api/schemas/registry_import.py`` equal to the columns declared here.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal
from enum import StrEnum
from typing import Final, NamedTuple, TypeAlias


class RecordType(StrEnum):
    """One kind of row in an import."""

    TENANT = "tenant"
    POSITION = "position"
    POSITION_COMPETENCY = "position_competency"
    EMPLOYEE = "employee"
    EDUCATION = "education"
    POSITION_HISTORY = "position_history"
    TRAINING = "training"
    PERFORMANCE = "performance"
    ASSESSMENT = "assessment"
    ASSESSMENT_SCORE = "assessment_score"
    PENALTY = "penalty"


class TenantRow(NamedTuple):
    """A row of ``tenants.csv``, typed."""

    code: str
    name: str
    level: str
    parent_code: str | None


class PositionRow(NamedTuple):
    """A row of ``positions.csv``, typed."""

    tenant_code: str
    code: str
    title: str
    level: str
    unit: str
    is_key: bool
    required_education_fields: list[str] | None


class PositionCompetencyRow(NamedTuple):
    """A row of ``position_competencies.csv``: one competency of a position's standard."""

    tenant_code: str
    position_code: str
    competency: str
    required_level: int


class EmployeeRow(NamedTuple):
    """A row of ``employees.csv`` (or the top level of a JSON profile), typed."""

    nip: str
    name: str
    birth_date: dt.date
    gender: str
    tenant_code: str
    employment_type: str
    rank: str | None
    rank_tmt: dt.date | None
    position_code: str | None
    lhkpn_year: int | None
    health_certificate_date: dt.date | None
    disciplinary_case_pending: bool


class EducationRow(NamedTuple):
    """A row of ``education.csv``: a completed education."""

    nip: str
    level: str
    field: str
    year: int
    institution: str | None


class PositionHistoryRow(NamedTuple):
    """A row of ``position_history.csv``: a position held (``end_date`` None: held now)."""

    nip: str
    title: str
    level: str
    unit: str | None
    start_date: dt.date
    end_date: dt.date | None


class TrainingRow(NamedTuple):
    """A row of ``trainings.csv``: a leadership training."""

    nip: str
    kind: str
    completed_on: dt.date


class PerformanceRow(NamedTuple):
    """A row of ``performance.csv``: a yearly predicate."""

    nip: str
    year: int
    predicate: str


class AssessmentRow(NamedTuple):
    """A row of ``assessments.csv``: a competency assessment."""

    nip: str
    assessed_on: dt.date
    method: str
    jpm: Decimal | None
    potential: str | None


class AssessmentScoreRow(NamedTuple):
    """A row of ``assessment_scores.csv``: one competency level of an assessment."""

    nip: str
    assessed_on: dt.date
    method: str
    competency: str
    level: int


class PenaltyRow(NamedTuple):
    """A row of ``penalties.csv``: a disciplinary penalty."""

    nip: str
    level: str
    type: str
    start_date: dt.date
    end_date: dt.date | None


ChildRow = (
    EducationRow
    | PositionHistoryRow
    | TrainingRow
    | PerformanceRow
    | AssessmentRow
    | AssessmentScoreRow
    | PenaltyRow
)
"""A typed row that belongs to one employee (its first value is the NIP)."""
Row = TenantRow | PositionRow | PositionCompetencyRow | EmployeeRow | ChildRow
"""Any typed row: the values a row validator gave, in column order."""
RowType: TypeAlias = type[Row]


@dataclass(frozen=True, slots=True)
class RecordSpec:
    """How one record type is spelt in a CSV set and in a JSON profile."""

    type: RecordType
    file_name: str
    """The CSV file that carries it, recognised by this exact name (case-insensitive)."""
    row: RowType
    """The typed row: its fields are the columns."""
    required: frozenset[str]
    """Columns a CSV header must have and a row must fill; the others may be left out."""
    json_key: str | None = None
    """The list a JSON profile nests these records in (None: not part of a profile)."""

    @property
    def columns(self) -> tuple[str, ...]:
        """Return every column, in the documented order (the order of the canonical form too)."""
        return self.row._fields

    def index(self, column: str) -> int:
        """Return the position of ``column`` in :attr:`columns`."""
        return self.columns.index(column)


def _spec(
    record_type: RecordType,
    file_name: str,
    row: type[Row],
    optional: str = "",
    json_key: str | None = None,
) -> RecordSpec:
    return RecordSpec(
        type=record_type,
        file_name=file_name,
        row=row,
        required=frozenset(row._fields) - frozenset(optional.split()),
        json_key=json_key,
    )


SPECS: Final[dict[RecordType, RecordSpec]] = {
    spec.type: spec
    for spec in (
        _spec(RecordType.TENANT, "tenants.csv", TenantRow, "parent_code"),
        _spec(
            RecordType.POSITION,
            "positions.csv",
            PositionRow,
            "is_key required_education_fields",
        ),
        _spec(RecordType.POSITION_COMPETENCY, "position_competencies.csv", PositionCompetencyRow),
        _spec(
            RecordType.EMPLOYEE,
            "employees.csv",
            EmployeeRow,
            "rank rank_tmt position_code lhkpn_year health_certificate_date"
            " disciplinary_case_pending",
        ),
        _spec(
            RecordType.EDUCATION, "education.csv", EducationRow, "institution", json_key="education"
        ),
        _spec(
            RecordType.POSITION_HISTORY,
            "position_history.csv",
            PositionHistoryRow,
            "unit end_date",
            json_key="position_history",
        ),
        _spec(RecordType.TRAINING, "trainings.csv", TrainingRow, json_key="trainings"),
        _spec(RecordType.PERFORMANCE, "performance.csv", PerformanceRow, json_key="performance"),
        _spec(
            RecordType.ASSESSMENT,
            "assessments.csv",
            AssessmentRow,
            "jpm potential",
            json_key="assessments",
        ),
        _spec(RecordType.ASSESSMENT_SCORE, "assessment_scores.csv", AssessmentScoreRow),
        _spec(RecordType.PENALTY, "penalties.csv", PenaltyRow, "end_date", json_key="penalties"),
    )
}

BY_FILE_NAME: Final = {spec.file_name: spec for spec in SPECS.values()}

EMPLOYEE_CHILDREN: Final = (
    RecordType.EDUCATION,
    RecordType.POSITION_HISTORY,
    RecordType.TRAINING,
    RecordType.PERFORMANCE,
    RecordType.ASSESSMENT,
    RecordType.ASSESSMENT_SCORE,
    RecordType.PENALTY,
)
"""Record types that belong to one employee (by NIP) and are replaced with the employee."""

COMPANIONS: Final = {
    RecordType.EMPLOYEE: EMPLOYEE_CHILDREN,
    RecordType.POSITION: (RecordType.POSITION_COMPETENCY,),
}
"""A parent file and the child files that must come with it: an import replaces whole records."""

PARENT_OF: Final = {child: parent for parent, kids in COMPANIONS.items() for child in kids}

JSON_SCORES_KEY: Final = "scores"
"""In a JSON profile, an assessment nests its competency levels under this key."""

READ_ORDER: Final = (
    RecordType.TENANT,
    RecordType.POSITION,
    RecordType.POSITION_COMPETENCY,
    RecordType.EMPLOYEE,
    *EMPLOYEE_CHILDREN,
)
"""Files are read in this order, so references always point back to something already read."""
