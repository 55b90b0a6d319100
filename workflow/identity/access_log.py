"""The personal-data access log (UU PDP Art. 31): who was shown whose data, when, where, why.

Every query that returns an employee's personal data takes an :class:`AccessRecorder` (it is
also where the query learns who is asking) and records each employee it returns before it
returns them; the API refuses to render personal data the recorder has not recorded.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass, field

import structlog
from sqlalchemy import Select, select

from workflow.core import Actor, Database, Page, PageRequest, fetch_page, readable
from workflow.models import Employee, PersonalDataAccess

log = structlog.get_logger(__name__)


@dataclass(slots=True)
class AccessRecorder:
    """Records, for one request, each employee whose personal data it discloses."""

    actor: Actor
    method: str
    endpoint: str
    purpose: str
    now: dt.datetime
    request_id: str | None = None
    recorded: set[int] = field(default_factory=set)
    """Ids of the employees recorded so far in this request."""

    def record(self, db: Database, employees: Iterable[Employee]) -> None:
        """Write one access record per employee, committed before their data is returned."""
        on_behalf_of = self.actor.on_behalf_of.username if self.actor.on_behalf_of else None
        disclosed = {e.id: e for e in employees if e.id not in self.recorded}
        if not disclosed:
            return
        with db.transaction() as session:
            session.add_all(
                PersonalDataAccess(
                    occurred_at=self.now,
                    user_id=self.actor.user_id,
                    username=self.actor.username,
                    on_behalf_of=on_behalf_of,
                    actor_tenant_id=self.actor.tenant_id,
                    employee_id=employee.id,
                    employee_tenant_id=employee.tenant_id,
                    method=self.method,
                    endpoint=self.endpoint,
                    purpose=self.purpose,
                    request_id=self.request_id,
                )
                for employee in disclosed.values()
            )
        self.recorded.update(disclosed)
        log.info(
            "personal_data_disclosed",
            user=self.actor.username,
            employees=len(disclosed),
            endpoint=self.endpoint,
            purpose=self.purpose,
        )


@dataclass(frozen=True, slots=True)
class AccessFilter:
    """Which access records an auditor asks for; None means any."""

    employee_id: int | None = None
    nip: str | None = None
    username: str | None = None
    since: dt.datetime | None = None
    until: dt.datetime | None = None


def list_accesses(
    db: Database, *, actor: Actor, where: AccessFilter, page: PageRequest
) -> Page[PersonalDataAccess]:
    """Return access records about employees of agencies ``actor`` may read, newest first."""
    statement = _filtered(
        select(PersonalDataAccess).where(
            readable(actor).clause(PersonalDataAccess.employee_tenant_id)
        ),
        where,
    ).order_by(PersonalDataAccess.occurred_at.desc(), PersonalDataAccess.id.desc())
    with db.read() as session:
        return fetch_page(session, statement, page)


def _filtered(
    statement: Select[PersonalDataAccess], where: AccessFilter
) -> Select[PersonalDataAccess]:
    if where.employee_id is not None:
        statement = statement.where(PersonalDataAccess.employee_id == where.employee_id)
    if where.nip is not None:
        statement = statement.where(
            PersonalDataAccess.employee_id.in_(select(Employee.id).where(Employee.nip == where.nip))
        )
    if where.username is not None:
        statement = statement.where(PersonalDataAccess.username == where.username)
    if where.since is not None:
        statement = statement.where(PersonalDataAccess.occurred_at >= where.since)
    if where.until is not None:
        statement = statement.where(PersonalDataAccess.occurred_at < where.until)
    return statement
