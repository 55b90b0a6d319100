"""Schemas of the ledger resources: entries, verification, export, checkpoints."""

from __future__ import annotations

import datetime as dt
from typing import Any

from marshmallow import Schema, fields, post_load, validate

from api.converters import MAX_ID
from api.pagination import PageQuery
from api.schemas import RequestSchema
from api.schemas.jobs import JobRead
from workflow.ledger import KIND_PATTERN, MAX_KIND_LENGTH

CODE = validate.Regexp(r"^[A-Za-z0-9._-]{1,40}$")
HASH = {"example": "cd8989d1900f0f76bc975625612452ca09435a6356bc71fe08ccd17334a0c7b3"}


def tenant_field(description: str) -> fields.String:
    """Return the optional ``tenant`` (agency code) parameter."""
    return fields.String(validate=CODE, metadata={"description": description, "example": "BANTEN"})


def utc(value: dt.datetime, extreme: dt.datetime) -> dt.datetime:
    """Return ``value`` in UTC, or ``extreme`` when it lies beyond the first/last UTC instant."""
    try:
        return value.astimezone(dt.UTC)
    except OverflowError:  # e.g. 0001-01-01T00:00+14:00 is before the first UTC instant
        return extreme


class PeriodQuery(PageQuery):
    """``since`` (inclusive) and ``until`` (exclusive), ISO 8601 with an offset, in UTC."""

    since = fields.AwareDateTime(metadata={"description": "At or after this time"})
    until = fields.AwareDateTime(metadata={"description": "Before this time"})

    @post_load
    def _to_utc(self, data: dict[str, Any], **_kwargs: Any) -> dict[str, Any]:
        if "since" in data:
            data["since"] = utc(data["since"], dt.datetime.min.replace(tzinfo=dt.UTC))
        if "until" in data:
            data["until"] = utc(data["until"], dt.datetime.max.replace(tzinfo=dt.UTC))
        return data


class EntryQuery(PeriodQuery):
    """Filters of the ledger: agency, vacancy, kind and the entry's time (``at``)."""

    tenant = tenant_field("Entries of this agency (code)")
    vacancy = fields.Integer(
        validate=validate.Range(min=1, max=MAX_ID),
        metadata={"description": "Entries whose data names this vacancy id"},
    )
    kind = fields.String(
        validate=[
            validate.Length(max=MAX_KIND_LENGTH),
            validate.Regexp(f"^{KIND_PATTERN.pattern}$"),
        ],
        metadata={"description": "Entries of this kind", "example": "vacancy.transition"},
    )


class EntryRead(Schema):
    """One entry: the body's members, the stored hashes, and the exact body that was hashed."""

    tenant = fields.String(required=True, metadata={"example": "BANTEN"})
    seq = fields.Integer(required=True, metadata={"example": 1})
    kind = fields.String(required=True, metadata={"example": "vacancy.transition"})
    actor = fields.String(allow_none=True, required=True, metadata={"example": "user:12"})
    at = fields.String(
        allow_none=True, required=True, metadata={"example": "2026-11-23T01:02:03.000004Z"}
    )
    data = fields.Dict(allow_none=True, required=True)
    prev_hash = fields.String(required=True, metadata=HASH)
    entry_hash = fields.String(required=True, metadata=HASH)
    body = fields.String(
        required=True,
        metadata={"description": "The RFC 8785 body; its SHA-256 (UTF-8) is entry_hash"},
    )


class TenantQuery(Schema):
    """One agency, or (omitted) every agency the caller may read."""

    tenant = tenant_field("Only this agency (code); default: every agency the caller reads")


class FindingRead(Schema):
    """Something verification found wrong."""

    seq = fields.Integer(allow_none=True, required=True, metadata={"example": 2})
    reason = fields.String(
        required=True, metadata={"example": "entry_hash does not match the SHA-256 of the body"}
    )
    checkpoint = fields.Function(
        lambda finding: finding.checkpoint.name if finding.checkpoint else None,
        allow_none=True,
        metadata={"type": "string", "nullable": True, "description": "The checkpoint file"},
    )


class TenantVerifyRead(Schema):
    """The verification of one agency's chain."""

    tenant = fields.String(required=True)
    ok = fields.Boolean(required=True)
    entries = fields.Integer(required=True, metadata={"description": "Entries that verified"})
    head = fields.String(required=True, metadata=HASH)
    checkpoints = fields.Integer(required=True, metadata={"description": "Checkpoints compared"})
    first_break = fields.Nested(FindingRead, allow_none=True, required=True)
    findings = fields.List(fields.Nested(FindingRead), required=True)


class VerifyRead(Schema):
    """The verification of every chain the caller may read (or one)."""

    ok = fields.Boolean(required=True)
    tenants = fields.List(fields.Nested(TenantVerifyRead), required=True)
    problems = fields.List(
        fields.Nested(FindingRead),
        required=True,
        metadata={"description": "Problems with the published key files"},
    )


class CheckpointQuery(PageQuery):
    """Filter of the checkpoints."""

    tenant = tenant_field("Checkpoints of this agency (code)")


class CheckpointCreate(RequestSchema):
    """Which chain to checkpoint: one agency's, or every chain the caller may read."""

    tenant = tenant_field("Only this agency (code)")


class LedgerJobCreate(RequestSchema):
    """Which chains a verification or export job covers: one agency's, or every one the
    caller may read."""

    tenant = tenant_field("Only this agency (code); default: every agency the caller reads")


class LedgerJobStarted(Schema):
    """A ledger verification or export started as a job (already finished when jobs run
    in-process): one shard per chain, its per-chain results in ``job.chains``."""

    job = fields.Nested(JobRead, required=True)


class CheckpointRead(Schema):
    """A signed checkpoint (a C2SP signed note, docs/ledger.md §5)."""

    tenant = fields.String(required=True, metadata={"example": "BANTEN"})
    size = fields.Integer(required=True, metadata={"example": 42})
    head = fields.String(required=True, metadata=HASH)
    time = fields.DateTime(required=True)
    key_id = fields.String(required=True, metadata={"example": "meritflow-dev+ea150c07"})
    file = fields.String(required=True)
    note = fields.String(required=True, metadata={"description": "The signed note, verbatim"})


class CheckpointRunRead(Schema):
    """The checkpoints just signed (none for chains without entries)."""

    checkpoints = fields.List(fields.Nested(CheckpointRead), required=True)
