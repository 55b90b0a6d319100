"""Talent-map runs: what starts one, a run, its distributions, a box's people, a replay."""

from __future__ import annotations

import datetime as dt
from typing import Any, ClassVar

from marshmallow import Schema, ValidationError, fields, validate, validates_schema

from api.personal_data import PersonalDataSchema
from api.schemas import RequestSchema
from api.schemas.jobs import JobRead

_AGENCY = fields.String(
    validate=[validate.Length(min=1, max=40), validate.Regexp(r"^[A-Za-z0-9._-]+$")],
    metadata={"example": "BANTEN"},
)
_DIGEST = fields.String(metadata={"description": "SHA-256 (hex)"})
_BOX_COUNTS = fields.Dict(
    keys=fields.String(),
    values=fields.Integer(),
    metadata={"description": "Box 1-9 (or `unmapped`) → employees"},
)


class TalentRunCreate(RequestSchema):
    """What to map: the caller's agency by default; BKN names the agencies."""

    agencies = fields.List(
        _AGENCY,
        validate=validate.Length(min=1, max=100),
        metadata={"description": "Agency codes (required for BKN; HR may name only its own)"},
    )
    pack = fields.String(
        load_default="bkn-national",
        validate=[validate.Length(min=1, max=80), validate.Regexp(r"^[A-Za-z0-9._-]+$")],
        metadata={"description": "A published pack: a digest, or a pack id (its newest)"},
    )
    reference_date = fields.Date(
        metadata={"description": "The date the data is read as of (default: today, UTC)"}
    )

    @validates_schema
    def _sane_date(self, data: dict[str, Any], **_kwargs: Any) -> None:
        date = data.get("reference_date")
        if date is not None and not dt.date(2000, 1, 1) <= date <= dt.date(2100, 12, 31):
            raise ValidationError("must be within 2000-01-01..2100-12-31", "reference_date")


class TalentRunRead(Schema):
    """A stored talent-map run (counts and digests; no personal data)."""

    id = fields.Integer(required=True)
    agency = fields.String(required=True, metadata={"example": "BANTEN"})
    pack_digest = _DIGEST
    method = fields.String(required=True, metadata={"example": "talent-map/1"})
    reference_date = fields.Date(required=True)
    input_digest = _DIGEST
    result_digest = _DIGEST
    employees = fields.Integer(required=True)
    mapped = fields.Integer(required=True, metadata={"description": "Employees with a box"})
    pool = fields.Integer(required=True, metadata={"description": "The talent pool's size"})
    trigger = fields.String(required=True, validate=validate.OneOf(["demand", "import"]))
    created_by = fields.String(required=True)
    created_at = fields.DateTime(required=True)


class TalentRunsStarted(Schema):
    """The job mapping the agencies, and the runs it stored before the answer (one per agency
    once it has finished: at once when jobs run in-process, else none yet)."""

    job = fields.Nested(JobRead, required=True)
    runs = fields.List(fields.Nested(TalentRunRead), required=True)


class TalentRunQuery(Schema):
    """Filters of the run list."""

    agency = _AGENCY


class TalentRunDetailRead(Schema):
    """A run with its distributions by box, by level and by unit."""

    run = fields.Nested(TalentRunRead, required=True)
    pool_boxes = fields.List(fields.Integer(), required=True)
    by_box = _BOX_COUNTS
    by_level = fields.Dict(keys=fields.String(), values=_BOX_COUNTS, required=True)
    by_unit = fields.Dict(keys=fields.String(), values=_BOX_COUNTS, required=True)


class PlacedPersonRead(PersonalDataSchema):
    """One employee of a box (personal data: every one returned is logged)."""

    employee_id_attribute: ClassVar[str] = "employee_id"

    employee_id = fields.Integer(required=True)
    nip = fields.String(required=True, metadata={"example": "198001012005011001"})
    name = fields.String(required=True)
    level = fields.String(allow_none=True, metadata={"example": "administrator"})
    unit = fields.String(allow_none=True)
    target = fields.String(required=True, metadata={"description": "The level measured against"})
    box = fields.Integer(allow_none=True)
    performance_axis = fields.String(allow_none=True, metadata={"example": "di_atas"})
    potential_axis = fields.String(allow_none=True, metadata={"example": "tinggi"})
    in_pool = fields.Boolean(required=True)


class TalentReplayRead(Schema):
    """A run recomputed from its stored snapshot with its pack."""

    run_id = fields.Integer(required=True)
    pack_digest = _DIGEST
    recorded_input_digest = _DIGEST
    replayed_input_digest = _DIGEST
    recorded_result_digest = _DIGEST
    replayed_result_digest = _DIGEST
    employees = fields.Integer(required=True)
    reproduced = fields.Boolean(required=True)
    changes = fields.List(
        fields.Dict(),
        required=True,
        metadata={"description": "Stored placements (by employee id) the replay does not give"},
    )


class SuccessorQuery(Schema):
    """Options of a successor list."""

    pack = fields.String(
        load_default="bkn-national",
        validate=[validate.Length(min=1, max=80), validate.Regexp(r"^[A-Za-z0-9._-]+$")],
        metadata={"description": "A published pack: a digest, or a pack id (its newest)"},
    )
    reference_date = fields.Date(metadata={"description": "Default: today (UTC)"})
    limit = fields.Integer(load_default=20, validate=validate.Range(min=1, max=100))

    @validates_schema
    def _sane_date(self, data: dict[str, Any], **_kwargs: Any) -> None:
        date = data.get("reference_date")
        if date is not None and not dt.date(2000, 1, 1) <= date <= dt.date(2100, 12, 31):
            raise ValidationError("must be within 2000-01-01..2100-12-31", "reference_date")


class LackRead(Schema):
    """A criterion the successor fails or lacks data for, and what would change it."""

    criterion = fields.String(required=True, metadata={"example": "training.leadership"})
    outcome = fields.String(required=True, validate=validate.OneOf(["fail", "missing_data"]))
    hard = fields.Boolean(required=True)
    hint = fields.Dict(allow_none=True, metadata={"description": "{id, en}"})


class SuccessorRead(PersonalDataSchema):
    """A ranked successor (personal data: every one returned is logged)."""

    employee_id_attribute: ClassVar[str] = "employee_id"

    employee_id = fields.Integer(required=True)
    nip = fields.String(required=True)
    name = fields.String(required=True)
    rank = fields.Integer(required=True)
    status = fields.String(required=True)
    box = fields.Integer(allow_none=True)
    readiness = fields.Dict(required=True, metadata={"example": {"id": "Siap Sekarang"}})
    lacks = fields.List(fields.Nested(LackRead), required=True)


class SuccessorListRead(Schema):
    """A key position's ranked successors within the readiness horizon."""

    position_id = fields.Integer(required=True)
    position_code = fields.String(required=True)
    agency = fields.String(required=True)
    pack_digest = _DIGEST
    reference_date = fields.Date(required=True)
    candidates = fields.Integer(required=True)
    within_horizon = fields.Integer(required=True)
    ready_now = fields.Integer(required=True)
    successors = fields.List(fields.Nested(SuccessorRead), required=True)


_HOLES = (
    "no_recent_assessment",
    "missing_performance_year",
    "no_position_history",
    "no_lhkpn",
    "no_health_certificate",
)


class DataQualityQuery(Schema):
    """Options of the data-quality figures (docs/talent.md defines each hole)."""

    reference_date = fields.Date(metadata={"description": "Default: today (UTC)"})
    assessment_years = fields.Integer(
        load_default=3,
        validate=validate.Range(min=1, max=20),
        metadata={"description": "An assessment older than this many years is a hole"},
    )


class RecordsToFixQuery(DataQualityQuery):
    """Options of the records to fix."""

    hole = fields.String(validate=validate.OneOf(_HOLES), metadata={"description": "Only this"})


class AgencyQualityRead(Schema):
    """One agency's data quality (counts only)."""

    agency = fields.String(required=True, metadata={"example": "BANTEN"})
    name = fields.String(required=True)
    employees = fields.Integer(required=True)
    complete = fields.Integer(required=True, metadata={"description": "Records without a hole"})
    score = fields.Integer(
        required=True, metadata={"description": "complete / employees, hundredths of a percent"}
    )
    holes = fields.Dict(keys=fields.String(), values=fields.Integer(), required=True)


class RecordToFixRead(PersonalDataSchema):
    """An employee whose record has holes (personal data: every one returned is logged)."""

    employee_id_attribute: ClassVar[str] = "employee_id"

    employee_id = fields.Integer(required=True)
    nip = fields.String(required=True, metadata={"description": "GET /api/v1/employees/{nip}"})
    name = fields.String(required=True)
    holes = fields.List(fields.String(validate=validate.OneOf(_HOLES)), required=True)
