"""Schemas of the personal-data access log."""

from __future__ import annotations

import datetime as dt
from typing import Any

from marshmallow import Schema, fields, post_load, validate

from api.converters import MAX_ID
from api.pagination import PageQuery
from api.schemas import text


def _utc(value: dt.datetime, extreme: dt.datetime) -> dt.datetime:
    try:
        return value.astimezone(dt.UTC)
    except OverflowError:  # e.g. 0001-01-01T00:00+14:00 is before the first UTC instant
        return extreme


class AccessQuery(PageQuery):
    """Filters of the access log; times are ISO 8601 with an offset."""

    employee_id = fields.Integer(validate=validate.Range(min=1, max=MAX_ID))
    nip = fields.String(validate=validate.Regexp(r"^[0-9]{18}$"))
    username = text(80)
    since = fields.AwareDateTime(metadata={"description": "Accesses at or after this time"})
    until = fields.AwareDateTime(metadata={"description": "Accesses before this time"})

    @post_load
    def _to_utc(self, data: dict[str, Any], **_kwargs: Any) -> dict[str, Any]:
        if "since" in data:
            data["since"] = _utc(data["since"], dt.datetime.min.replace(tzinfo=dt.UTC))
        if "until" in data:
            data["until"] = _utc(data["until"], dt.datetime.max.replace(tzinfo=dt.UTC))
        return data


class AccessRead(Schema):
    """One disclosure of one employee's personal data."""

    id = fields.Integer(required=True)
    occurred_at = fields.DateTime(required=True)
    username = fields.String(required=True)
    user_id = fields.Integer(allow_none=True)
    on_behalf_of = fields.String(allow_none=True)
    employee_id = fields.Integer(required=True)
    method = fields.String(required=True, metadata={"example": "GET"})
    endpoint = fields.String(required=True, metadata={"example": "/api/v1/employees/<nip:nip>"})
    purpose = fields.String(required=True, metadata={"example": "registry_profile"})
    request_id = fields.String(allow_none=True)
