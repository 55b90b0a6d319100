"""Development plans, development activities and each employee's own view."""

from __future__ import annotations

import datetime as dt
from typing import Any, ClassVar

from marshmallow import Schema, ValidationError, fields, validate, validates_schema

from api.personal_data import PersonalDataSchema
from api.schemas import RequestSchema, text

_BILINGUAL = fields.Dict(
    keys=fields.String(), values=fields.String(), metadata={"description": "{id, en}"}
)
KINDS = ("training", "assignment", "mentoring")
TRAININGS = ("PKP", "PKA", "PKN II", "PKN I")


class PlanQuery(Schema):
    """Options of a development plan."""

    reference_date = fields.Date(metadata={"description": "Default: today (UTC)"})

    @validates_schema
    def _sane_date(self, data: dict[str, Any], **_kwargs: Any) -> None:
        date = data.get("reference_date")
        if date is not None and not dt.date(2000, 1, 1) <= date <= dt.date(2100, 12, 31):
            raise ValidationError("must be within 2000-01-01..2100-12-31", "reference_date")


class ActivityCreate(RequestSchema):
    """A development activity HR records for an employee."""

    kind = fields.String(required=True, validate=validate.OneOf(KINDS))
    title = text(200, required=True, metadata={"example": "Pelatihan Kepemimpinan Administrator"})
    occurred_on = fields.Date(required=True, metadata={"description": "Not in the future"})
    hours = fields.Integer(validate=validate.Range(min=0, max=2000), allow_none=True)
    competency = fields.String(
        allow_none=True,
        validate=[validate.Length(min=1, max=60), validate.Regexp(r"^[a-z_]+$")],
        metadata={"description": "A competency of the pack's standard", "example": "integritas"},
    )
    training_kind = fields.String(
        allow_none=True,
        validate=validate.OneOf(TRAININGS),
        metadata={"description": "A leadership training completed (kind training only)"},
    )

    @validates_schema
    def _sane_date(self, data: dict[str, Any], **_kwargs: Any) -> None:
        date = data.get("occurred_on")
        if date is not None and not dt.date(1960, 1, 1) <= date <= dt.date(2100, 12, 31):
            raise ValidationError("must be within 1960-01-01..2100-12-31", "occurred_on")


class ActivityRead(Schema):
    """A recorded development activity."""

    id = fields.Integer(required=True)
    employee_id = fields.Integer(required=True)
    kind = fields.String(required=True, validate=validate.OneOf(KINDS))
    title = fields.String(required=True)
    occurred_on = fields.Date(required=True)
    hours = fields.Integer(allow_none=True)
    competency = fields.String(allow_none=True)
    training_kind = fields.String(allow_none=True)
    recorded_by = fields.String(required=True)
    recorded_at = fields.DateTime(required=True)


class GapRead(Schema):
    """One competency of the target level's standard and its progress."""

    competency = fields.String(required=True)
    required = fields.Integer(required=True)
    actual = fields.Integer(allow_none=True)
    short_by = fields.Integer(allow_none=True, metadata={"description": "Levels below"})
    baseline = fields.Integer(allow_none=True, metadata={"description": "Before the plan"})
    closed = fields.Boolean(required=True)
    activities = fields.Integer(required=True)


class PlanRead(PersonalDataSchema):
    """An employee's development plan (personal data: the read is logged)."""

    employee_id_attribute: ClassVar[str] = "employee_id"

    employee_id = fields.Integer(required=True)
    nip = fields.String(required=True)
    name = fields.String(required=True)
    agency = fields.String(required=True)
    level = fields.String(allow_none=True)
    unit = fields.String(allow_none=True)
    target = fields.String(required=True, metadata={"description": "The next level"})
    pack_digest = fields.String(required=True)
    reference_date = fields.Date(required=True)
    box = fields.Integer(allow_none=True)
    in_talent_pool = fields.Boolean(required=True)
    box_action = fields.Dict(allow_none=True, metadata={"description": "{id, en}"})
    recommendations = fields.List(_BILINGUAL, required=True)
    gaps = fields.List(fields.Nested(GapRead), required=True)
    activities = fields.List(fields.Nested(ActivityRead), required=True)
    progress = fields.Dict(
        keys=fields.String(),
        values=fields.Integer(),
        required=True,
        metadata={"description": "gaps, closed, open, addressed, activities, hours"},
    )


class OwnViewRead(PersonalDataSchema):
    """What an employee sees about themself (their own data; the read is logged)."""

    employee_id_attribute: ClassVar[str] = "employee_id"

    employee_id = fields.Integer(required=True)
    nip = fields.String(required=True)
    name = fields.String(required=True)
    agency = fields.String(required=True)
    rank = fields.String(allow_none=True)
    position = fields.Dict(allow_none=True, metadata={"description": "code, title, level, unit"})
    target = fields.String(required=True)
    talent_map = fields.Dict(
        allow_none=True, metadata={"description": "Placement in the latest talent-map run"}
    )
    box = fields.Dict(allow_none=True, metadata={"description": "number, action, talent_pool"})
    eligibility = fields.Dict(
        required=True, metadata={"description": "status and each criterion not passed, hint"}
    )
    succession = fields.List(fields.Dict(), required=True)
    plan = fields.Nested(PlanRead, required=True)
