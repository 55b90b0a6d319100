"""Background jobs: a job's progress, and what cancels one."""

from __future__ import annotations

from marshmallow import Schema, fields

from api.schemas import RequestSchema, text
from api.schemas.imports import ImportOutcomeRead


class CountRead(Schema):
    """How many are done of how many."""

    done = fields.Integer(required=True)
    total = fields.Integer(required=True)


class ChainFindingRead(Schema):
    """Something a ledger verification found wrong in a chain (or its checkpoints)."""

    seq = fields.Integer(required=True, allow_none=True, metadata={"example": 3})
    reason = fields.String(required=True)
    checkpoint = fields.String(
        required=True, allow_none=True, metadata={"description": "The checkpoint file, if any"}
    )


class ChainResultRead(Schema):
    """What a ledger job stored about one chain (one shard)."""

    tenant = fields.String(required=True, metadata={"example": "BANTEN"})
    upto = fields.Integer(
        required=True,
        metadata={
            "description": "The chain's head seq read at the shard's start: it covers 1..upto"
        },
    )
    entries = fields.Integer(
        required=True, metadata={"description": "Entries that verified, or lines exported"}
    )
    ok = fields.Boolean(metadata={"description": "ledger_verify: whether the chain verified"})
    head = fields.String(metadata={"description": "ledger_verify: hash of the last verified entry"})
    checkpoints = fields.Integer(metadata={"description": "ledger_verify: checkpoints compared"})
    first_break = fields.Nested(
        ChainFindingRead,
        allow_none=True,
        metadata={"description": "ledger_verify: the first broken link, null if none"},
    )
    findings = fields.List(fields.Nested(ChainFindingRead))
    bytes = fields.Integer(metadata={"description": "ledger_export: the chain's gzip size"})


class JobRead(Schema):
    """A background job (a vacancy's screening split into shards, a talent-map run with one
    shard per agency, or a ledger verification or export with one shard per chain) and its
    progress."""

    id = fields.Integer(required=True)
    kind = fields.String(
        required=True,
        metadata={
            "example": "screening",
            "description": "screening, talent_map, registry_import, ledger_verify or ledger_export",
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
            "description": "Candidates screened, employees mapped (talent_map), bytes of the "
            "uploaded files read (registry_import), or ledger entries covered (ledger_verify, "
            "ledger_export)"
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

    chains = fields.List(
        fields.Nested(ChainResultRead),
        metadata={"description": "ledger_verify, ledger_export: the chains stored so far"},
    )
    ok = fields.Boolean(
        allow_none=True,
        metadata={"description": "ledger_verify: every chain verified (null until all are in)"},
    )
    problems = fields.List(
        fields.Nested(ChainFindingRead),
        metadata={"description": "ledger_verify: problems with the published checkpoint keys"},
    )
    export = fields.String(
        metadata={"description": "ledger_export, once succeeded: the URL of the gzip export"}
    )


class ImportQueuedRead(Schema):
    """A registry upload queued as a job: follow `job` (its URL is in `Location`)."""

    job = fields.Nested(JobRead, required=True)


class JobCancel(RequestSchema):
    """Why the job is stopped (a screening's vacancy is cancelled with this reason)."""

    reason = text(2000, required=True, metadata={"example": "Posisi dibatalkan"})
