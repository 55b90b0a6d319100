"""Background jobs: a job's progress, and what cancels one."""

from __future__ import annotations

from marshmallow import Schema, fields

from api.schemas import RequestSchema, text
from api.schemas.imports import ImportOutcomeRead


class CountRead(Schema):
    """How many are done of how many."""

    done = fields.Integer(required=True)
    total = fields.Integer(required=True)


class JobRead(Schema):
    """A background job (a vacancy's screening split into shards, or a talent-map run with one
    shard per agency) and its progress."""

    id = fields.Integer(required=True)
    kind = fields.String(
        required=True,
        metadata={
            "example": "screening",
            "description": "screening, talent_map or registry_import",
        },
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
        metadata={
            "description": "Candidates screened, employees mapped (talent_map), or bytes of the "
            "uploaded files read (registry_import)"
        },
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
    agency = fields.String(metadata={"description": "registry_import only: the agency imported"})
    files = fields.List(
        fields.Dict(),
        metadata={"description": "registry_import only: the uploaded files, `{name, bytes}`"},
    )
    report = fields.Nested(
        ImportOutcomeRead,
        allow_none=True,
        metadata={
            "description": "registry_import only, once it ended: what it wrote, or (failed) the "
            "problems `{file, row, field, message}` the upload's 422 lists; null before"
        },
    )


class ImportQueuedRead(Schema):
    """A registry upload queued as a job: follow `job` (its URL is in `Location`)."""

    job = fields.Nested(JobRead, required=True)


class JobCancel(RequestSchema):
    """Why the job is stopped (a screening's vacancy is cancelled with this reason)."""

    reason = text(2000, required=True, metadata={"example": "Posisi dibatalkan"})
