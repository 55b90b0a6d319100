"""Read queries over the registry, each scoped to the agencies the actor may read.

Queries that return employees take an :class:`~workflow.identity.AccessRecorder` and record
every employee they return before returning it.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import ScalarSelect, Select, func, or_, select
from sqlalchemy.orm import joinedload, selectinload

from workflow.core import Actor, Database, NotFound, Page, PageRequest, fetch_page, readable
from workflow.identity import AccessRecorder
from workflow.models import Assessment, Employee, Position, Tenant


@dataclass(frozen=True, slots=True)
class PositionFilter:
    """Which positions to list; None means any. ``search`` matches a part of the code or title."""

    tenant_code: str | None = None
    level: str | None = None
    is_key: bool | None = None
    search: str | None = None


@dataclass(frozen=True, slots=True)
class EmployeeFilter:
    """Which employees to list; None means any. ``search`` matches a name part or a NIP prefix."""

    tenant_code: str | None = None
    rank: str | None = None
    position_level: str | None = None
    search: str | None = None


def list_tenants(db: Database, *, actor: Actor, page: PageRequest) -> Page[Tenant]:
    """Return the agencies ``actor`` may read, by code."""
    statement = (
        select(Tenant).where(readable(actor).clause(Tenant.id)).order_by(Tenant.code, Tenant.id)
    )
    with db.read() as session:
        return fetch_page(session, statement, page, joinedload(Tenant.parent))


def get_tenant(db: Database, *, actor: Actor, code: str) -> Tenant:
    """Return one agency by code.

    :raises NotFound: no such agency, or not one ``actor`` may read.
    """
    with db.read() as session:
        tenant = session.scalar(
            select(Tenant)
            .where(Tenant.code == code, readable(actor).clause(Tenant.id))
            .options(joinedload(Tenant.parent))
        )
    if tenant is None:
        raise NotFound(f"no agency {code!r}")
    return tenant


def list_positions(
    db: Database, *, actor: Actor, where: PositionFilter, page: PageRequest
) -> Page[Position]:
    """Return the positions of the agencies ``actor`` may read, by agency and code."""
    statement = select(Position).where(readable(actor).clause(Position.tenant_id))
    if where.tenant_code is not None:
        statement = statement.where(Position.tenant_id == _tenant_id(where.tenant_code))
    if where.level is not None:
        statement = statement.where(Position.level == where.level)
    if where.is_key is not None:
        statement = statement.where(Position.is_key == where.is_key)
    if where.search and where.search.strip():
        term = where.search.strip().lower()
        statement = statement.where(
            or_(
                func.lower(Position.code).contains(term, autoescape=True),
                func.lower(Position.title).contains(term, autoescape=True),
            )
        )
    statement = statement.order_by(Position.tenant_id, Position.code, Position.id)
    with db.read() as session:
        return fetch_page(session, statement, page, joinedload(Position.tenant))


def get_position(db: Database, *, actor: Actor, position_id: int) -> Position:
    """Return one position with its competency standard.

    :raises NotFound: no such position, or not one ``actor`` may read.
    """
    with db.read() as session:
        position = session.scalar(
            select(Position)
            .where(Position.id == position_id, readable(actor).clause(Position.tenant_id))
            .options(joinedload(Position.tenant), selectinload(Position.competencies))
        )
    if position is None:
        raise NotFound(f"no position {position_id}")
    return position


def list_employees(
    db: Database, *, recorder: AccessRecorder, where: EmployeeFilter, page: PageRequest
) -> Page[Employee]:
    """Return a page of employees the recorder's actor may read, recording each one returned."""
    statement = _employee_filter(
        select(Employee).where(readable(recorder.actor).clause(Employee.tenant_id)), where
    ).order_by(Employee.name, Employee.id)
    with db.read() as session:
        result = fetch_page(
            session,
            statement,
            page,
            joinedload(Employee.tenant),
            joinedload(Employee.position),
        )
    recorder.record(db, result.items)
    return result


def get_employee(db: Database, *, recorder: AccessRecorder, nip: str) -> Employee:
    """Return an employee's full profile (every history), recording the access.

    :raises NotFound: no such employee, or not one the recorder's actor may read.
    """
    with db.read() as session:
        employee = session.scalar(
            select(Employee)
            .where(Employee.nip == nip, readable(recorder.actor).clause(Employee.tenant_id))
            .options(
                joinedload(Employee.tenant),
                joinedload(Employee.position),
                selectinload(Employee.education),
                selectinload(Employee.positions),
                selectinload(Employee.trainings),
                selectinload(Employee.performance),
                selectinload(Employee.assessments).selectinload(Assessment.scores),
                selectinload(Employee.penalties),
            )
        )
    if employee is None:
        raise NotFound(f"no employee with NIP {nip}")
    recorder.record(db, [employee])
    return employee


def _tenant_id(code: str) -> ScalarSelect[int]:
    return select(Tenant.id).where(Tenant.code == code).scalar_subquery()


def _employee_filter(statement: Select[Employee], where: EmployeeFilter) -> Select[Employee]:
    if where.tenant_code is not None:
        statement = statement.where(Employee.tenant_id == _tenant_id(where.tenant_code))
    if where.rank is not None:
        statement = statement.where(Employee.rank == where.rank)
    if where.position_level is not None:
        statement = statement.where(
            Employee.position_id.in_(
                select(Position.id).where(Position.level == where.position_level)
            )
        )
    if where.search:
        term = where.search.strip()
        statement = statement.where(
            or_(
                func.lower(Employee.name).contains(term.lower(), autoescape=True),
                Employee.nip.startswith(term, autoescape=True),
            )
        )
    return statement
