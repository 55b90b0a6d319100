"""Row schemas of the registry import: the shape of every field (type, required, length).

The domain rules (NIP against birth date, vocabularies, future dates, references) are applied by
the import use case itself (``workflow.registry.importing.row_rules``), whichever validator it
is given.
:class:`RegistryRowValidator` is the validator the CLI and the HTTP upload pass to it.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any, Final

from marshmallow import Schema, ValidationError, fields, validate

from workflow.registry import RecordType, RowRejected

_Messages = dict[str, str | list[Any] | dict[Any, Any]]
_REQUIRED: Final[_Messages] = {"required": "is required", "null": "is required"}
_WHOLE: Final = re.compile(r"^[+-]?\d+$")


def _messages(extra: _Messages) -> _Messages:
    return _REQUIRED | extra


def _text(max_length: int, *, required: bool = False) -> fields.String:
    return fields.String(
        required=required,
        allow_none=not required,
        validate=validate.Length(max=max_length, error="must be at most {max} characters"),
        error_messages=_messages({"invalid": "must be text"}),
    )


def _term(*, required: bool = False) -> fields.String:
    """A word from the ASN vocabulary; the import checks it against ``rules.vocab`` itself."""
    return fields.String(
        required=required,
        allow_none=not required,
        error_messages=_messages({"invalid": "must be text"}),
    )


def _date(*, required: bool = False) -> fields.Date:
    return fields.Date(
        format="iso",
        required=required,
        allow_none=not required,
        error_messages=_messages({"invalid": "must be a date written YYYY-MM-DD"}),
    )


class _WholeNumber(fields.Integer):
    """An integer given as a JSON integer or as digits; never a fraction or a boolean."""

    def _validated(self, value: Any) -> int:
        if isinstance(value, str) and _WHOLE.match(value):
            return int(value)
        if isinstance(value, int) and not isinstance(value, bool):
            return value
        raise self.make_error("invalid", input=value)


def _whole(*, required: bool = False) -> fields.Integer:
    return _WholeNumber(
        required=required,
        allow_none=not required,
        error_messages=_messages({"invalid": "must be a whole number"}),
    )


def _flag() -> fields.Boolean:
    return fields.Boolean(
        allow_none=True, error_messages={"invalid": "must be true or false (or 1 / 0)"}
    )


class _PipeList(fields.Field[list[str]]):
    """A list of short texts: a JSON array, or one cell with the items separated by ``|``."""

    default_error_messages: Final = {  # type: ignore[misc]
        "invalid": "must be a list of texts, separated by | in a CSV cell"
    }

    def _deserialize(
        self, value: Any, attr: str | None, data: Mapping[str, Any] | None, **kwargs: Any
    ) -> list[str]:
        items = value.split("|") if isinstance(value, str) else value
        if not isinstance(items, list) or not all(isinstance(item, str) for item in items):
            raise self.make_error("invalid")
        cleaned = [item.strip() for item in items if item.strip()]
        if any(len(item) > 200 for item in cleaned):
            raise ValidationError("each item must be at most 200 characters")
        return cleaned


def _nip() -> fields.String:
    return fields.String(
        required=True,
        error_messages=_messages({"invalid": "must be text (in JSON, write the NIP in quotes)"}),
    )


class _Row(Schema):
    """Common settings: unknown fields are refused with a clear message."""

    error_messages: Final = {  # type: ignore[misc]
        "unknown": "is not a field of this record (see docs/import.md)"
    }


class TenantRow(_Row):
    """One line of ``tenants.csv``."""

    code = _text(40, required=True)
    name = _text(200, required=True)
    level = _term(required=True)
    parent_code = _text(40)


class PositionRow(_Row):
    """One line of ``positions.csv``."""

    tenant_code = _text(40, required=True)
    code = _text(60, required=True)
    title = _text(200, required=True)
    level = _term(required=True)
    unit = _text(200, required=True)
    is_key = _flag()
    required_education_fields = _PipeList(allow_none=True)


class PositionCompetencyRow(_Row):
    """One line of ``position_competencies.csv``."""

    tenant_code = _text(40, required=True)
    position_code = _text(60, required=True)
    competency = _term(required=True)
    required_level = _whole(required=True)


class EmployeeRow(_Row):
    """One line of ``employees.csv``, or the top level of a JSON profile."""

    nip = _nip()
    name = _text(200, required=True)
    birth_date = _date(required=True)
    gender = _term(required=True)
    tenant_code = _text(40, required=True)
    employment_type = _term(required=True)
    rank = _term()
    rank_tmt = _date()
    position_code = _text(60)
    lhkpn_year = _whole()
    health_certificate_date = _date()
    disciplinary_case_pending = _flag()


class EducationRow(_Row):
    """One line of ``education.csv`` or one item of a profile's ``education``."""

    nip = _nip()
    level = _term(required=True)
    field = _text(200, required=True)
    year = _whole(required=True)
    institution = _text(200)


class PositionHistoryRow(_Row):
    """One line of ``position_history.csv`` or one item of a profile's ``position_history``."""

    nip = _nip()
    title = _text(200, required=True)
    level = _term(required=True)
    unit = _text(200)
    start_date = _date(required=True)
    end_date = _date()


class TrainingRow(_Row):
    """One line of ``trainings.csv`` or one item of a profile's ``trainings``."""

    nip = _nip()
    kind = _term(required=True)
    completed_on = _date(required=True)


class PerformanceRow(_Row):
    """One line of ``performance.csv`` or one item of a profile's ``performance``."""

    nip = _nip()
    year = _whole(required=True)
    predicate = _term(required=True)


class AssessmentRow(_Row):
    """One line of ``assessments.csv`` or one item of a profile's ``assessments``."""

    nip = _nip()
    assessed_on = _date(required=True)
    method = _term(required=True)
    jpm = fields.Decimal(
        places=2,
        allow_none=True,
        allow_nan=False,
        error_messages={
            "invalid": "must be a number (a percentage, 0-100)",
            "special": "must be a finite number",
        },
    )
    potential = _term()


class AssessmentScoreRow(_Row):
    """One line of ``assessment_scores.csv`` or one item of an assessment's ``scores``."""

    nip = _nip()
    assessed_on = _date(required=True)
    method = _term(required=True)
    competency = _term(required=True)
    level = _whole(required=True)


class PenaltyRow(_Row):
    """One line of ``penalties.csv`` or one item of a profile's ``penalties``."""

    nip = _nip()
    level = _term(required=True)
    type = _term(required=True)
    start_date = _date(required=True)
    end_date = _date()


ROW_SCHEMAS: Final[dict[RecordType, type[Schema]]] = {
    RecordType.TENANT: TenantRow,
    RecordType.POSITION: PositionRow,
    RecordType.POSITION_COMPETENCY: PositionCompetencyRow,
    RecordType.EMPLOYEE: EmployeeRow,
    RecordType.EDUCATION: EducationRow,
    RecordType.POSITION_HISTORY: PositionHistoryRow,
    RecordType.TRAINING: TrainingRow,
    RecordType.PERFORMANCE: PerformanceRow,
    RecordType.ASSESSMENT: AssessmentRow,
    RecordType.ASSESSMENT_SCORE: AssessmentScoreRow,
    RecordType.PENALTY: PenaltyRow,
}


class RegistryRowValidator:
    """Shapes imported rows with the marshmallow schemas above (the import's ``validator``)."""

    def __init__(self) -> None:
        self._schemas = {record_type: cls() for record_type, cls in ROW_SCHEMAS.items()}

    def __call__(self, record_type: RecordType, row: Mapping[str, Any], /) -> dict[str, Any]:
        """Return the typed row.

        :raises RowRejected: with the marshmallow messages per field.
        """
        try:
            result: dict[str, Any] = self._schemas[record_type].load(row)
        except ValidationError as error:
            raise RowRejected(_flatten(error.messages)) from None
        return result


def _flatten(messages: Any, prefix: str = "") -> dict[str, list[str]]:
    if isinstance(messages, str):
        return {prefix or "_row": [messages]}
    if isinstance(messages, list):
        flat: dict[str, list[str]] = {}
        for message in messages:
            for name, texts in _flatten(message, prefix).items():
                flat.setdefault(name, []).extend(texts)
        return flat
    flat = {}
    for key, value in messages.items():
        name = (
            f"{prefix}[{key}]" if isinstance(key, int) else (f"{prefix}.{key}" if prefix else key)
        )
        for field_name, texts in _flatten(value, name).items():
            flat.setdefault(field_name, []).extend(texts)
    return flat
