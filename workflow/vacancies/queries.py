"""Reads of vacancies, scoped to the caller: a list, one vacancy, its history.

Every read filters through :func:`workflow.core.scope.readable`: another agency's vacancy does not
exist for the caller. Nothing here returns personal data: the history names actors (users), not
candidates, and carries no payload.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select

from workflow.core import (
    Actor,
    Database,
    NotFound,
    Page,
    PageRequest,
    fetch_page,
    readable,
)
from workflow.models import Tenant, User, Vacancy, VacancyAction
from workflow.vacancies.view import vacancy_view, views


@dataclass(frozen=True, slots=True)
class VacancyFilter:
    """Which vacancies to list; None means any."""

    state: str | None = None
    position_id: int | None = None
    overdue: bool | None = None
    """True: ``due_at`` has passed; False: not overdue (no deadline, or not yet passed)."""
    tenant_code: str | None = None


@dataclass(frozen=True, slots=True)
class HistoryEntry:
    """One recorded action on a vacancy, without its payload (which may name candidates)."""

    seq: int
    action: str
    from_state: str
    to_state: str
    round: int
    actor: str
    """The username, or ``system``."""
    on_behalf_of: str | None
    role: str
    at: dt.datetime


def list_vacancies(
    db: Database, *, actor: Actor, where: VacancyFilter, page: PageRequest, now: dt.datetime
) -> Page[dict[str, Any]]:
    """Return the vacancies ``actor`` may read, newest first, as JSON views."""
    statement = select(Vacancy).where(readable(actor).clause(Vacancy.tenant_id))
    if where.state is not None:
        statement = statement.where(Vacancy.state == where.state)
    if where.position_id is not None:
        statement = statement.where(Vacancy.position_id == where.position_id)
    if where.overdue is True:
        statement = statement.where(Vacancy.due_at.is_not(None), Vacancy.due_at < now)
    elif where.overdue is False:
        statement = statement.where(Vacancy.due_at.is_(None) | (Vacancy.due_at >= now))
    if where.tenant_code is not None:
        tenant_id = select(Tenant.id).where(Tenant.code == where.tenant_code).scalar_subquery()
        statement = statement.where(Vacancy.tenant_id == tenant_id)
    statement = statement.order_by(Vacancy.id.desc())
    with db.read() as session:
        rows = fetch_page(session, statement, page)
        items = views(session, rows.items)
    return Page(items=items, total=rows.total, page=rows.page, per_page=rows.per_page)


def get_vacancy(db: Database, *, actor: Actor, vacancy_id: int) -> dict[str, Any]:
    """Return one vacancy as its JSON view (:meth:`VacancyView.as_json`).

    :raises NotFound: no such vacancy, or not one ``actor`` may read.
    """
    with db.read() as session:
        vacancy = session.scalar(
            select(Vacancy).where(
                Vacancy.id == vacancy_id, readable(actor).clause(Vacancy.tenant_id)
            )
        )
        if vacancy is None:
            raise NotFound(f"no vacancy {vacancy_id}")
        return vacancy_view(session, vacancy)


def history(
    db: Database, *, actor: Actor, vacancy_id: int, page: PageRequest
) -> Page[HistoryEntry]:
    """Return the recorded actions on a vacancy, in order (``open`` is seq 1).

    :raises NotFound: no such vacancy, or not one ``actor`` may read.
    """
    get_vacancy(db, actor=actor, vacancy_id=vacancy_id)
    statement = (
        select(VacancyAction)
        .where(VacancyAction.vacancy_id == vacancy_id)
        .order_by(VacancyAction.seq)
    )
    with db.read() as session:
        rows = fetch_page(session, statement, page)
        ids = {r.actor_id for r in rows.items} | {r.on_behalf_of_id for r in rows.items}
        known = [i for i in ids if i is not None]
        users = select(User.id, User.username).where(User.id.in_(known))
        names: dict[int, str] = {row.id: row.username for row in session.execute(users)}
        items = [
            HistoryEntry(
                seq=r.seq,
                action=r.action,
                from_state=r.from_state,
                to_state=r.to_state,
                round=r.round,
                actor="system" if r.actor_id is None else names[r.actor_id],
                on_behalf_of=None if r.on_behalf_of_id is None else names[r.on_behalf_of_id],
                role=r.role,
                at=r.at,
            )
            for r in rows.items
        ]
    return Page(items=items, total=rows.total, page=rows.page, per_page=rows.per_page)
