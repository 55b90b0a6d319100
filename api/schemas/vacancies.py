"""Schemas of vacancies, their workflow actions and history, the inbox, and delegations.

No request schema accepts ``state``, ``tenant``, ``version`` or a score: those are the
workflow's to set, and an unknown field is a 422 (:class:`api.schemas.RequestSchema`).
"""

from __future__ import annotations

import datetime as dt

from marshmallow import Schema, fields, validate

from api.converters import MAX_ID
from api.pagination import PageQuery
from api.schemas import RequestSchema, text
from api.schemas.jobs import JobRead
from workflow.models import Role
from workflow.vacancies import INBOX_ROLES, current_definition

CODE = r"^[A-Za-z0-9._-]{1,40}$"
USERNAME = r"^[A-Za-z0-9._-]{1,80}$"
NIP = r"^[0-9]{18}$"
DATE = {"type": "string", "format": "date"}
DATE_TIME = {"type": "string", "format": "date-time"}

STATES = sorted(current_definition().states)


class VacancyPositionRead(Schema):
    """The position a vacancy fills."""

    id = fields.Integer(required=True, metadata={"example": 12})
    code = fields.String(required=True, metadata={"example": "ADM-01"})
    title = fields.String(required=True, metadata={"example": "Kepala Bagian Umum"})
    level = fields.String(required=True, metadata={"example": "administrator"})


class VacancyRead(Schema):
    """A vacancy as the workflow holds it; ``version`` is its ETag."""

    id = fields.Integer(required=True, metadata={"example": 7})
    tenant = fields.String(required=True, metadata={"example": "BANTEN"})
    position = fields.Nested(VacancyPositionRead, required=True)
    title = fields.String(required=True)
    reference_date = fields.String(required=True, metadata=DATE)
    state = fields.String(required=True, metadata={"enum": STATES, "example": "draft"})
    version = fields.Integer(required=True, metadata={"example": 1})
    round = fields.Integer(required=True, metadata={"description": "Submissions so far"})
    pack_digest = fields.String(required=True)
    workflow_digest = fields.String(required=True)
    state_entered_at = fields.String(required=True, metadata=DATE_TIME)
    due_at = fields.String(allow_none=True, metadata=DATE_TIME)
    escalated_to = fields.String(allow_none=True)
    selected_rank = fields.Integer(
        allow_none=True, metadata={"description": "The shortlist rank the authority picked"}
    )
    deviation = fields.Boolean(allow_none=True)
    technical_reference = fields.String(allow_none=True)
    decree_number = fields.String(allow_none=True)
    decree_date = fields.String(allow_none=True, metadata=DATE)
    inauguration_date = fields.String(allow_none=True, metadata=DATE)


class VacancyCreated(VacancyRead):
    """A vacancy just opened, or the first answer replayed for a repeated Idempotency-Key."""

    replayed = fields.Boolean(
        required=True,
        metadata={"description": "True when this answers a retry with the same Idempotency-Key"},
    )


class VacancyQuery(PageQuery):
    """Filters of the vacancy list."""

    state = fields.String(validate=validate.OneOf(STATES))
    position = fields.Integer(
        validate=validate.Range(min=1, max=MAX_ID), metadata={"description": "Position id"}
    )
    overdue = fields.Boolean(
        metadata={"description": "Only vacancies past their step's deadline (true) or not"}
    )
    tenant = fields.String(
        validate=validate.Regexp(CODE),
        metadata={"description": "Agency code (national users read every agency)"},
    )


class VacancyCreate(RequestSchema):
    """A new vacancy in the caller's agency (the agency is never taken from the body)."""

    position = fields.String(
        required=True,
        validate=validate.Regexp(CODE),
        metadata={"description": "A position code of the caller's agency", "example": "ADM-01"},
    )
    title = text(200, required=True, metadata={"example": "Kepala Bagian Umum"})
    reference_date = fields.Date(
        required=True, metadata={"description": "The date eligibility is judged on"}
    )
    pack = fields.String(
        load_default="bkn-national",
        validate=validate.Regexp(r"^[A-Za-z0-9._-]{1,80}$"),
        metadata={"description": "A published rule pack: its digest, or its id (newest version)"},
    )
    candidate_tenants = fields.List(
        fields.String(validate=validate.Regexp(CODE)),
        validate=validate.Length(max=50),
        metadata={"description": "Other agencies whose employees join the candidate pool"},
    )


class VacancyActionCreate(RequestSchema):
    """What an action needs; each action requires some fields (see docs/workflow.md)."""

    decision = fields.String(validate=validate.OneOf(["approve", "return"]))
    comment = text(2000)
    candidate = fields.String(validate=validate.Regexp(NIP), metadata={"description": "NIP"})
    justification = text(4000)
    reason = text(2000)
    reference = text(120, metadata={"description": "The national technical approval (pertek)"})
    decree_number = text(120)
    decree_date = fields.Date()
    inauguration_date = fields.Date()
    on_behalf_of = fields.String(
        validate=validate.Regexp(USERNAME),
        metadata={"description": "Act as this user's delegate (a live delegation is needed)"},
    )


class VacancyActionRead(Schema):
    """The vacancy after an action, and what was applied (automatic follow-ups included)."""

    vacancy = fields.Nested(VacancyRead, required=True)
    applied = fields.List(fields.String(), required=True, metadata={"example": ["submit"]})
    replayed = fields.Boolean(
        required=True, metadata={"description": "A retry with the same Idempotency-Key"}
    )
    job = fields.Nested(
        JobRead,
        metadata={"description": "`start_screening` only: the job screening the pool"},
    )


class HistoryEntryRead(Schema):
    """One recorded action (its payload, which may name candidates, is not shown)."""

    seq = fields.Integer(required=True)
    action = fields.String(required=True, metadata={"example": "submit"})
    from_state = fields.String(required=True, metadata={"description": "Empty for `open`"})
    to_state = fields.String(required=True)
    round = fields.Integer(required=True)
    actor = fields.String(required=True, metadata={"description": "Username, or `system`"})
    on_behalf_of = fields.String(allow_none=True, metadata={"description": "The delegator"})
    role = fields.String(required=True)
    at = fields.DateTime(required=True)


class TaskRead(Schema):
    """A vacancy waiting on the caller."""

    vacancy = fields.Nested(VacancyRead, required=True)
    roles = fields.List(fields.String(), required=True, metadata={"example": ["committee"]})
    actions = fields.List(fields.String(), required=True, metadata={"example": ["vote"]})
    due_at = fields.DateTime(allow_none=True)
    overdue = fields.Boolean(required=True)


class DelegationCreate(RequestSchema):
    """Let a colleague of the caller's agency act for the caller in one role for a period."""

    delegate = fields.String(
        required=True, validate=validate.Regexp(USERNAME), metadata={"example": "prov.hr2"}
    )
    role = fields.String(
        required=True,
        validate=validate.OneOf([role.value for role in INBOX_ROLES]),
        metadata={"description": "A role the caller holds"},
    )
    starts_at = fields.AwareDateTime(
        default_timezone=dt.UTC, metadata={"description": "Default: now"}
    )
    ends_at = fields.AwareDateTime(
        required=True,
        default_timezone=dt.UTC,
        metadata={"description": "At most 90 days after the start"},
    )
    reason = text(500, required=True, metadata={"example": "annual leave"})


class DelegationRead(Schema):
    """A delegation as created."""

    id = fields.Integer(required=True)
    delegator = fields.String(required=True)
    delegate = fields.String(required=True)
    role = fields.String(required=True, validate=validate.OneOf([r.value for r in Role]))
    starts_at = fields.DateTime(required=True)
    ends_at = fields.DateTime(required=True)
    reason = fields.String(required=True)
