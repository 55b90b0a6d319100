"""Background jobs: a job's progress, and what cancels one."""

from __future__ import annotations

from marshmallow import Schema, fields

from api.schemas import RequestSchema, text


class CountRead(Schema):
    """How many are done of how many."""

    done = fields.Integer(required=True)
    total = fields.Integer(required=True)


class JobRead(Schema):
    """A background job (a vacancy's screening split into shards, or a talent-map run with one
    shard per agency) and its progress."""

    id = fields.Integer(required=True)
    kind = fields.String(
        required=True, metadata={"example": "screening", "description": "screening or talent_map"}
    )
    vacancy = fields.Integer(required=True, allow_none=True)
    round = fields.Integer(required=True, allow_none=True)
    state = fields.String(
        required=True,
        metadata={"description": "queued, running, succeeded, failed or cancelled"},
    )
    shards = fields.Nested(CountRead, required=True)
    candidates = fields.Nested(
        CountRead,
        required=True,
        metadata={"description": "Candidates screened, or employees mapped (talent_map)"},
    )
    candidates_per_second = fields.Float(required=True, allow_none=True)
    seconds_left = fields.Float(
        required=True, allow_none=True, metadata={"description": "Estimated; null if unknown"}
    )
    result_digest = fields.String(
        required=True, allow_none=True, metadata={"description": "The screening's, once stored"}
    )
    applied = fields.List(
        fields.String(),
        required=True,
        metadata={"description": "The workflow actions the finished screening took"},
    )
    error = fields.String(required=True, allow_none=True)
    created_at = fields.DateTime(required=True)
    started_at = fields.DateTime(required=True, allow_none=True)
    finished_at = fields.DateTime(required=True, allow_none=True)
    agencies = fields.List(
        fields.String(), metadata={"description": "talent_map only: the agencies it maps"}
    )
    runs = fields.List(
        fields.Integer(),
        metadata={"description": "talent_map only: the runs stored so far (one per agency)"},
    )


class JobCancel(RequestSchema):
    """Why the job is stopped (a screening's vacancy is cancelled with this reason)."""

    reason = text(2000, required=True, metadata={"example": "Posisi dibatalkan"})
