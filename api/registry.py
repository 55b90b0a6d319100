"""Registry resources (read): agencies, positions, employees; every query scoped to the caller."""

from __future__ import annotations

from typing import Any

from flask_smorest import Blueprint

from api.auth import current_actor, requires
from api.pagination import LINK_HEADER, PageQuery, page_of, page_request, paged
from api.personal_data import recorder
from api.schemas.registry import (
    EmployeeQuery,
    EmployeeRead,
    EmployeeSummaryRead,
    PositionDetailRead,
    PositionQuery,
    PositionRead,
    TenantRead,
)
from api.state import db
from workflow import registry
from workflow.models import Employee, Position, Role, Tenant
from workflow.registry import EmployeeFilter, PositionFilter

blp = Blueprint("registry", __name__, description="Agencies, positions and employees (read)")

PEOPLE_READERS = (Role.HR, Role.NATIONAL_REVIEWER, Role.AUDITOR)
"""Who may browse the personnel registry; committees and authorities see candidates only
through the vacancies they act on (UU PDP purpose limitation), administrators not at all."""


@blp.route("/tenants")
@requires()
@blp.arguments(PageQuery, location="query", as_kwargs=True)
@blp.response(200, page_of(TenantRead), headers=LINK_HEADER)
def list_tenants(**args: Any) -> Any:
    """List the agencies the caller may read."""
    return paged(registry.list_tenants(db(), actor=current_actor(), page=page_request(args)))


@blp.route("/tenants/<code:code>")
@requires()
@blp.response(200, TenantRead)
@blp.alt_response(404, response="NOT_FOUND")
def get_tenant(code: str) -> Tenant:
    """Show one agency."""
    return registry.get_tenant(db(), actor=current_actor(), code=code)


@blp.route("/positions")
@requires()
@blp.arguments(PositionQuery, location="query", as_kwargs=True)
@blp.response(200, page_of(PositionRead), headers=LINK_HEADER)
def list_positions(**args: Any) -> Any:
    """List positions, filtered by agency, level and key-position flag."""
    page = page_request(args)
    where = PositionFilter(
        tenant_code=args.get("tenant"), level=args.get("level"), is_key=args.get("key")
    )
    return paged(registry.list_positions(db(), actor=current_actor(), where=where, page=page))


@blp.route("/positions/<id:position_id>")
@requires()
@blp.response(200, PositionDetailRead)
@blp.alt_response(404, response="NOT_FOUND")
def get_position(position_id: int) -> Position:
    """Show one position with its competency standard."""
    return registry.get_position(db(), actor=current_actor(), position_id=position_id)


@blp.route("/employees")
@requires(*PEOPLE_READERS)
@blp.arguments(EmployeeQuery, location="query", as_kwargs=True)
@blp.response(200, page_of(EmployeeSummaryRead), headers=LINK_HEADER)
def list_employees(**args: Any) -> Any:
    """List employees, filtered by agency, rank, position level, or a name/NIP search.

    Personal data: every employee returned is written to the access log.
    """
    page = page_request(args)
    where = EmployeeFilter(
        tenant_code=args.get("tenant"),
        rank=args.get("rank"),
        position_level=args.get("position_level"),
        search=args.get("q"),
    )
    access = recorder("registry_browse")
    return paged(registry.list_employees(db(), recorder=access, where=where, page=page))


@blp.route("/employees/<nip:nip>")
@requires(*PEOPLE_READERS)
@blp.response(200, EmployeeRead)
@blp.alt_response(404, response="NOT_FOUND")
def get_employee(nip: str) -> Employee:
    """Show an employee's full profile: education, positions, trainings, performance, …

    Personal data: the read is written to the access log.
    """
    return registry.get_employee(db(), recorder=recorder("registry_profile"), nip=nip)
