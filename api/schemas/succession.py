"""Succession groups of key positions: what creates one, its workflow actions, a group."""

from __future__ import annotations

import datetime as dt
from typing import Any, ClassVar

from marshmallow import Schema, ValidationError, fields, validate, validates_schema

from api.personal_data import PersonalDataSchema
from api.schemas import RequestSchema, text
from api.schemas.talent import LackRead

STATES = ["draft", "proposed", "returned", "approved"]
_ID = fields.Integer(validate=validate.Range(min=1, max=2**31 - 1))
_YEAR = fields.Integer(validate=validate.Range(min=2000, max=2100), metadata={"example": 2026})
_PACK = fields.String(
    validate=[validate.Length(min=1, max=80), validate.Regexp(r"^[A-Za-z0-9._-]+$")],
    metadata={"description": "A published pack: a digest, or a pack id (its newest)"},
)
_NIPS = fields.List(
    fields.String(validate=validate.Regexp(r"^[0-9]{18}$")),
    validate=validate.Length(min=1, max=100),
    metadata={
        "description": "NIPs chosen from the position's ranked successors (default: the first five)"
    },
)
_REVISION = fields.Integer(
    required=True,
    validate=validate.Range(min=1, max=2**31 - 1),
    metadata={"description": "The group's revision as the caller read it (stale: 409)"},
)


def _check_date(data: dict[str, Any]) -> None:
    date = data.get("reference_date")
    if date is not None and not dt.date(2000, 1, 1) <= date <= dt.date(2100, 12, 31):
        raise ValidationError("must be within 2000-01-01..2100-12-31", "reference_date")


class SuccessionGroupCreate(RequestSchema):
    """A new draft group of a key position for a year (HR of the position's agency)."""

    position_id = fields.Integer(required=True, validate=validate.Range(min=1, max=2**31 - 1))
    year = fields.Integer(required=True, validate=validate.Range(min=2000, max=2100))
    pack = fields.String(
        load_default="bkn-national",
        validate=[validate.Length(min=1, max=80), validate.Regexp(r"^[A-Za-z0-9._-]+$")],
        metadata={"description": "A published pack: a digest, or a pack id (its newest)"},
    )
    reference_date = fields.Date(metadata={"description": "Default: today (UTC)"})
    members = _NIPS

    @validates_schema
    def _sane_date(self, data: dict[str, Any], **_kwargs: Any) -> None:
        _check_date(data)


class SuccessionStep(RequestSchema):
    """Propose or approve: the revision the caller read."""

    revision = _REVISION


class SuccessionReturn(RequestSchema):
    """Return to HR: the revision the caller read and why."""

    revision = _REVISION
    reason = text(2000, required=True, metadata={"example": "Tambahkan kandidat dari biro lain"})


class SuccessionRevise(RequestSchema):
    """Recompute the successors and choose the members again (draft or returned groups)."""

    revision = _REVISION
    members = _NIPS
    pack = _PACK
    reference_date = fields.Date(metadata={"description": "Default: the group's"})

    @validates_schema
    def _sane_date(self, data: dict[str, Any], **_kwargs: Any) -> None:
        _check_date(data)


class SuccessionGroupQuery(Schema):
    """Filters of the group list."""

    position_id = _ID
    year = _YEAR
    state = fields.String(validate=validate.OneOf(STATES))
    agency = fields.String(
        validate=[validate.Length(min=1, max=40), validate.Regexp(r"^[A-Za-z0-9._-]+$")]
    )


class SuccessionGroupRead(Schema):
    """A group as lists show it (no personal data)."""

    id = fields.Integer(required=True)
    agency = fields.String(required=True)
    position_id = fields.Integer(required=True)
    position_code = fields.String(required=True)
    position_title = fields.String(required=True)
    year = fields.Integer(required=True)
    version = fields.Integer(required=True)
    state = fields.String(required=True, validate=validate.OneOf(STATES))
    revision = fields.Integer(required=True)
    current = fields.Boolean(required=True, metadata={"description": "Approved and not superseded"})
    pack_digest = fields.String(required=True)
    reference_date = fields.Date(required=True)
    members_digest = fields.String(required=True)
    member_count = fields.Integer(required=True)
    ready_now = fields.Integer(required=True)
    proposed_by = fields.Integer(allow_none=True, metadata={"description": "A user id"})
    decided_by = fields.Integer(allow_none=True, metadata={"description": "A user id"})
    return_reason = fields.String(allow_none=True)
    due_at = fields.DateTime(allow_none=True)
    superseded_by = fields.Integer(allow_none=True)
    created_at = fields.DateTime(required=True)
    proposed_at = fields.DateTime(allow_none=True)
    decided_at = fields.DateTime(allow_none=True)


class SuccessionMemberRead(PersonalDataSchema):
    """A member as frozen at proposal (personal data: every one returned is logged)."""

    employee_id_attribute: ClassVar[str] = "employee_id"

    employee_id = fields.Integer(required=True)
    nip = fields.String(required=True)
    name = fields.String(required=True)
    rank = fields.Integer(required=True)
    status = fields.String(required=True)
    box = fields.Integer(allow_none=True)
    readiness = fields.Dict(required=True, metadata={"example": {"id": "Siap Sekarang"}})
    readiness_index = fields.Integer(required=True, metadata={"description": "0: ready now"})
    lacks = fields.List(fields.Nested(LackRead), required=True)


class SuccessionGroupDetailRead(Schema):
    """A group, its members, and the actions the caller may take now."""

    group = fields.Nested(SuccessionGroupRead, required=True)
    members = fields.List(fields.Nested(SuccessionMemberRead), required=True)
    actions = fields.List(
        fields.String(validate=validate.OneOf(["propose", "revise", "approve", "return"])),
        required=True,
    )


class NationalTalentQuery(Schema):
    """Options of the national talent monitoring."""

    reference_date = fields.Date(metadata={"description": "Default: today (UTC)"})
    assessment_years = fields.Integer(
        load_default=3,
        validate=validate.Range(min=1, max=10),
        metadata={"description": "An assessment older than this is a data-quality hole"},
    )

    @validates_schema
    def _sane_date(self, data: dict[str, Any], **_kwargs: Any) -> None:
        _check_date(data)


class AgencyTalentRead(Schema):
    """One agency's national talent figures (counts only)."""

    agency = fields.String(required=True, metadata={"example": "BANTEN"})
    name = fields.String(required=True)
    level = fields.String(required=True)
    region = fields.String(allow_none=True, metadata={"description": "The parent agency's code"})
    run_id = fields.Integer(allow_none=True, metadata={"description": "The latest talent map"})
    by_box = fields.Dict(keys=fields.String(), values=fields.Integer(), required=True)
    employees_mapped = fields.Integer(required=True)
    talent_pool = fields.Integer(required=True)
    key_positions = fields.Integer(required=True)
    covered = fields.Integer(
        required=True, metadata={"description": "Key positions with >= 3 ready-now successors"}
    )
    without_group = fields.Integer(
        required=True, metadata={"description": "Key positions without an approved group"}
    )
    coverage = fields.Integer(required=True, metadata={"description": "Hundredths of a percent"})
    quality_score = fields.Integer(
        allow_none=True, metadata={"description": "Hundredths of a percent"}
    )
    filled_from_group = fields.Integer(required=True)
    filled_from_outside = fields.Integer(required=True)
    median_days_to_decree = fields.Float(allow_none=True)


class NationalTalentRead(Schema):
    """Every agency's national talent figures on one reference date."""

    reference_date = fields.Date(required=True)
    year = fields.Integer(required=True)
    agencies = fields.List(fields.Nested(AgencyTalentRead), required=True)
