"""Schemas of the registry resources: agencies, positions and employees."""

from __future__ import annotations

from typing import Any

from marshmallow import Schema, fields, validate

from api.pagination import PageQuery
from api.personal_data import PersonalDataSchema
from api.schemas import text
from rules.vocab import (
    AssessmentMethod,
    EducationLevel,
    EmploymentType,
    Gender,
    PenaltyLevel,
    PenaltyType,
    PositionLevel,
    PotentialCategory,
    Predicate,
    Rank,
    TenantLevel,
    Training,
)


def _one_of(values: Any) -> validate.OneOf:
    return validate.OneOf([member.value for member in values])


def _enum(values: Any, **kwargs: Any) -> fields.String:
    return fields.String(validate=_one_of(values), **kwargs)


class TenantRead(Schema):
    """An agency (*instansi*)."""

    code = fields.String(required=True, metadata={"example": "BANTEN"})
    name = fields.String(required=True, metadata={"example": "Pemerintah Provinsi Banten"})
    level = _enum(TenantLevel, required=True, metadata={"example": "province"})
    parent = fields.Function(
        lambda tenant: tenant.parent.code if tenant.parent else None,
        allow_none=True,
        metadata={"type": "string", "description": "The parent agency's code"},
    )


class PositionQuery(PageQuery):
    """Filters of the position list."""

    tenant = text(40, metadata={"description": "Agency code"})
    level = _enum(PositionLevel)
    key = fields.Boolean(metadata={"description": "Only key positions (true) or only others"})


class PositionRead(Schema):
    """A position (*jabatan*)."""

    id = fields.Integer(required=True, metadata={"example": 12})
    tenant = fields.String(attribute="tenant.code", required=True)
    code = fields.String(required=True, metadata={"example": "JPT-BKD-01"})
    title = fields.String(required=True, metadata={"example": "Kepala Badan Kepegawaian Daerah"})
    level = _enum(PositionLevel, required=True)
    unit = fields.String(required=True)
    is_key = fields.Boolean(required=True)


class CompetencyRequirementRead(Schema):
    """The level a position requires in one competency."""

    competency = fields.String(required=True, metadata={"example": "integritas"})
    required_level = fields.Integer(required=True, metadata={"example": 4})


class PositionDetailRead(PositionRead):
    """A position with its competency standard."""

    required_education_fields = fields.List(fields.String(), allow_none=True)
    competencies = fields.List(fields.Nested(CompetencyRequirementRead), required=True)


class EmployeeQuery(PageQuery):
    """Filters of the employee list."""

    tenant = text(40, metadata={"description": "Agency code"})
    rank = _enum(Rank)
    position_level = _enum(PositionLevel)
    q = text(100, metadata={"description": "A part of the name, or the start of the NIP"})


class PositionRefRead(Schema):
    """The position an employee holds now."""

    id = fields.Integer(required=True)
    title = fields.String(required=True)
    level = _enum(PositionLevel, required=True)


class EmployeeSummaryRead(PersonalDataSchema):
    """An employee in a list (personal data: every one returned is logged)."""

    id = fields.Integer(required=True)
    nip = fields.String(required=True, metadata={"example": "198001012005011001"})
    name = fields.String(required=True)
    tenant = fields.String(attribute="tenant.code", required=True)
    employment_type = _enum(EmploymentType, required=True)
    rank = _enum(Rank, allow_none=True)
    position = fields.Nested(PositionRefRead, allow_none=True)


class EducationRead(Schema):
    """One completed formal education."""

    level = _enum(EducationLevel, required=True)
    field = fields.String(required=True)
    year = fields.Integer(required=True)
    institution = fields.String(allow_none=True)


class PositionHistoryRead(Schema):
    """One position held."""

    title = fields.String(required=True)
    level = _enum(PositionLevel, required=True)
    unit = fields.String(allow_none=True)
    start_date = fields.Date(required=True)
    end_date = fields.Date(allow_none=True)


class TrainingRead(Schema):
    """One completed leadership training."""

    kind = _enum(Training, required=True)
    completed_on = fields.Date(required=True)


class PerformanceRead(Schema):
    """The performance predicate of one year."""

    year = fields.Integer(required=True)
    predicate = _enum(Predicate, required=True)


class AssessmentScoreRead(Schema):
    """One competency level measured by an assessment."""

    competency = fields.String(required=True)
    level = fields.Integer(required=True)


class AssessmentRead(Schema):
    """One competency assessment."""

    assessed_on = fields.Date(required=True)
    method = _enum(AssessmentMethod, required=True)
    jpm = fields.Float(allow_none=True, metadata={"description": "Job-person match, percent"})
    potential = _enum(PotentialCategory, allow_none=True)
    scores = fields.List(fields.Nested(AssessmentScoreRead), required=True)


class PenaltyRead(Schema):
    """One disciplinary penalty."""

    level = _enum(PenaltyLevel, required=True)
    type = _enum(PenaltyType, required=True)
    start_date = fields.Date(required=True)
    end_date = fields.Date(allow_none=True)


class EmployeeRead(EmployeeSummaryRead):
    """An employee's full profile (personal data: every read is logged)."""

    birth_date = fields.Date(required=True)
    gender = _enum(Gender, required=True)
    rank_tmt = fields.Date(allow_none=True)
    lhkpn_year = fields.Integer(allow_none=True)
    health_certificate_date = fields.Date(allow_none=True)
    disciplinary_case_pending = fields.Boolean(required=True)
    education = fields.List(fields.Nested(EducationRead), required=True)
    positions = fields.List(fields.Nested(PositionHistoryRead), required=True)
    trainings = fields.List(fields.Nested(TrainingRead), required=True)
    performance = fields.List(fields.Nested(PerformanceRead), required=True)
    assessments = fields.List(fields.Nested(AssessmentRead), required=True)
    penalties = fields.List(fields.Nested(PenaltyRead), required=True)
    updated_at = fields.DateTime(required=True)
