"""Schemas of the monitoring reports (counts and vacancy ids only: no personal data)."""

from __future__ import annotations

from marshmallow import Schema, fields

from api.pagination import PageQuery
from api.schemas.ledger import PeriodQuery, tenant_field


class AgencyQuery(PageQuery):
    """Filter of the per-agency status."""

    agency = tenant_field("Only this agency (code)")


class MonitoringQuery(PeriodQuery):
    """Filters of the deviation and 9-box reports."""

    agency = tenant_field("Only this agency (code)")


_IDS = {"description": "Vacancy ids, at most 100 (the count is complete)", "example": [7, 12]}


class AgencyStatusRead(Schema):
    """How one agency's vacancies stand now."""

    agency = fields.String(required=True, metadata={"example": "KOTA-SERANG"})
    name = fields.String(required=True)
    level = fields.String(required=True, metadata={"example": "province"})
    vacancies = fields.Integer(required=True)
    by_state = fields.Dict(
        keys=fields.String(),
        values=fields.Integer(),
        required=True,
        metadata={"example": {"draft": 2, "committee_review": 1}},
    )
    open = fields.Integer(required=True, metadata={"description": "Not closed nor cancelled"})
    overdue = fields.Integer(required=True, metadata={"description": "Steps past their SLA"})
    overdue_vacancies = fields.List(fields.Integer(), required=True, metadata=_IDS)
    escalated = fields.Integer(
        required=True, metadata={"description": "Steps escalated after an SLA breach"}
    )
    escalated_vacancies = fields.List(fields.Integer(), required=True, metadata=_IDS)


class DeviationRead(Schema):
    """A decision in force where the authority picked other than rank 1."""

    vacancy_id = fields.Integer(required=True)
    agency = fields.String(required=True)
    title = fields.String(required=True)
    state = fields.String(required=True)
    round = fields.Integer(required=True)
    selected_rank = fields.Integer(allow_none=True, required=True, metadata={"example": 2})
    justification = fields.String(allow_none=True, required=True)
    decided_at = fields.DateTime(allow_none=True, required=True)


class NineBoxRead(Schema):
    """The 9-box counts of the latest screening of each of an agency's vacancies."""

    agency = fields.String(required=True)
    name = fields.String(required=True)
    vacancies = fields.Integer(required=True, metadata={"description": "Vacancies screened"})
    candidates = fields.Integer(required=True)
    boxes = fields.Dict(
        keys=fields.String(),
        values=fields.Integer(),
        required=True,
        metadata={"description": "Candidates per box, '1'..'9'", "example": {"1": 0, "9": 2}},
    )
    unboxed = fields.Integer(required=True)
