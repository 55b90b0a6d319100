"""The record types an import carries: their CSV file names, columns and JSON profile keys.

``docs/import.md`` documents every column; a test keeps the marshmallow row schemas in
``api/schemas/registry_import.py`` equal to the columns declared here.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from typing import Final


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


@dataclass(frozen=True, slots=True)
class RecordSpec:
    """How one record type is spelt in a CSV set and in a JSON profile."""

    type: RecordType
    file_name: str
    """The CSV file that carries it, recognised by this exact name (case-insensitive)."""
    columns: tuple[str, ...]
    """Every column, in the documented order (the order of the canonical form too)."""
    required: frozenset[str]
    """Columns a CSV header must have and a row must fill; the others may be left out."""
    json_key: str | None = None
    """The list a JSON profile nests these records in (None: not part of a profile)."""

    def index(self, column: str) -> int:
        """Return the position of ``column`` in :attr:`columns`."""
        return self.columns.index(column)


def _spec(
    record_type: RecordType,
    file_name: str,
    columns: str,
    optional: str = "",
    json_key: str | None = None,
) -> RecordSpec:
    names = tuple(columns.split())
    return RecordSpec(
        type=record_type,
        file_name=file_name,
        columns=names,
        required=frozenset(names) - frozenset(optional.split()),
        json_key=json_key,
    )


SPECS: Final[dict[RecordType, RecordSpec]] = {
    spec.type: spec
    for spec in (
        _spec(RecordType.TENANT, "tenants.csv", "code name level parent_code", "parent_code"),
        _spec(
            RecordType.POSITION,
            "positions.csv",
            "tenant_code code title level unit is_key required_education_fields",
            "is_key required_education_fields",
        ),
        _spec(
            RecordType.POSITION_COMPETENCY,
            "position_competencies.csv",
            "tenant_code position_code competency required_level",
        ),
        _spec(
            RecordType.EMPLOYEE,
            "employees.csv",
            "nip name birth_date gender tenant_code employment_type rank rank_tmt position_code"
            " lhkpn_year health_certificate_date disciplinary_case_pending",
            "rank rank_tmt position_code lhkpn_year health_certificate_date"
            " disciplinary_case_pending",
        ),
        _spec(
            RecordType.EDUCATION,
            "education.csv",
            "nip level field year institution",
            "institution",
            json_key="education",
        ),
        _spec(
            RecordType.POSITION_HISTORY,
            "position_history.csv",
            "nip title level unit start_date end_date",
            "unit end_date",
            json_key="position_history",
        ),
        _spec(RecordType.TRAINING, "trainings.csv", "nip kind completed_on", json_key="trainings"),
        _spec(
            RecordType.PERFORMANCE,
            "performance.csv",
            "nip year predicate",
            json_key="performance",
        ),
        _spec(
            RecordType.ASSESSMENT,
            "assessments.csv",
            "nip assessed_on method jpm potential",
            "jpm potential",
            json_key="assessments",
        ),
        _spec(
            RecordType.ASSESSMENT_SCORE,
            "assessment_scores.csv",
            "nip assessed_on method competency level",
        ),
        _spec(
            RecordType.PENALTY,
            "penalties.csv",
            "nip level type start_date end_date",
            "end_date",
            json_key="penalties",
        ),
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
