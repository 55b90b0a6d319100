"""Schemas of the registry upload's summary (the report of an accepted import)."""

from __future__ import annotations

from marshmallow import Schema, fields


class CountsRead(Schema):
    """Records of one kind created, changed and left unchanged."""

    created = fields.Integer(required=True)
    changed = fields.Integer(required=True)
    unchanged = fields.Integer(required=True)


class ImportFileRead(Schema):
    """One uploaded file."""

    name = fields.String(required=True, metadata={"example": "employees.csv"})
    format = fields.String(allow_none=True, required=True, metadata={"example": "csv"})
    record_type = fields.String(allow_none=True, required=True, metadata={"example": "employee"})
    sha256 = fields.String(allow_none=True, required=True)
    bytes = fields.Integer(required=True)
    rows = fields.Integer(required=True)


class ImportRead(Schema):
    """What an accepted upload wrote (nothing is written when any row is refused: 422)."""

    started_at = fields.DateTime(required=True)
    seconds = fields.Float(required=True)
    files = fields.List(fields.Nested(ImportFileRead), required=True)
    tenants = fields.Nested(CountsRead, required=True)
    positions = fields.Nested(CountsRead, required=True)
    employees = fields.Nested(CountsRead, required=True)
    rows_read = fields.Dict(
        keys=fields.String(),
        values=fields.Integer(),
        required=True,
        metadata={"description": "Data rows read per record type", "example": {"employee": 2}},
    )
    rows_written = fields.Integer(required=True)


class ImportProblemRead(Schema):
    """One problem of a rejected import: where (file, row, field) and what rule it breaks."""

    file = fields.String(required=True, allow_none=True, metadata={"example": "employees.csv"})
    row = fields.Integer(required=True, allow_none=True, metadata={"example": 3})
    field = fields.String(required=True, allow_none=True, metadata={"example": "nip"})
    message = fields.String(required=True)


class ImportOutcomeRead(ImportRead):
    """An import job's report once it ended: what it wrote (`ok`), or why nothing was."""

    ok = fields.Boolean(required=True, metadata={"description": "false: nothing was written"})
    problems = fields.List(fields.Nested(ImportProblemRead), required=True)
    problems_total = fields.Integer(required=True)
    rejected_rows = fields.Integer(required=True)
