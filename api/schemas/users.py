"""Schemas of users and of the caller's own identity."""

from __future__ import annotations

from marshmallow import Schema, fields, validate

from api.schemas import RequestSchema, StrictBoolean, text
from workflow.models import Role

_ROLE = fields.String(validate=validate.OneOf([role.value for role in Role]))


class MeRead(Schema):
    """Who the caller is, as the service sees them."""

    username = fields.String(required=True, metadata={"example": "prov.hr"})
    tenant = fields.String(attribute="tenant_code", required=True)
    tenant_level = fields.String(required=True, metadata={"example": "province"})
    roles = fields.Function(
        lambda actor: sorted(actor.roles),
        required=True,
        metadata={"type": "array", "items": {"type": "string"}, "example": ["hr"]},
    )
    reads_every_agency = fields.Boolean(attribute="is_national", required=True)


class UserRead(Schema):
    """A user of the caller's agency."""

    id = fields.Integer(required=True)
    username = fields.String(required=True)
    display_name = fields.String(required=True)
    tenant = fields.String(attribute="tenant_code", required=True)
    roles = fields.List(fields.String(), required=True)
    active = fields.Boolean(required=True)
    employee_id = fields.Integer(allow_none=True)
    created_at = fields.DateTime(required=True)


class UserCreate(RequestSchema):
    """A new user of the caller's own agency (the agency is never taken from the body)."""

    username = fields.String(
        required=True,
        validate=validate.Regexp(r"^[A-Za-z0-9._-]{1,80}$"),
        metadata={"example": "prov.hr3"},
    )
    display_name = text(200, required=True, metadata={"example": "Siti"})
    roles = fields.List(
        _ROLE, required=True, validate=validate.Length(min=1, max=6), metadata={"example": ["hr"]}
    )
    employee_nip = fields.String(
        validate=validate.Regexp(r"^[0-9]{18}$"),
        metadata={"description": "The user's own employee record in the same agency"},
    )


class UserUpdate(RequestSchema):
    """Changes to a user; an absent field stays as it is."""

    display_name = text(200)
    roles = fields.List(_ROLE, validate=validate.Length(min=1, max=6))
    active = StrictBoolean()
